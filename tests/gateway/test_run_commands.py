"""What ./deploy/run asks ``nameko run`` to start resolves to exactly one service each.

``nameko run module`` starts every class with entry points that the module's namespace holds,
imported ones included, and refuses a class without a name: the gateway's entry-point mixins
(gateway/directory/) made ``gateway.service`` such a module, so the run command names the class.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nameko.cli.run import import_service

from services.manage import deployed_services

RUN_SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "run"


def run_targets() -> list[str]:
    script = RUN_SCRIPT.read_text(encoding="utf-8")
    targets = re.findall(r'nameko run --config "\$config" "?([\w.:$]+)"?', script)
    assert targets, "deploy/run starts nothing with nameko run"
    return targets


def expanded_targets() -> list[str]:
    targets = []
    for target in run_targets():
        if "$name" in target:
            targets += [target.replace("$name", name) for name in deployed_services()]
        else:
            targets.append(target)
    return targets


@pytest.mark.parametrize("target", expanded_targets())
def test_each_run_target_is_one_named_service(target):
    services = import_service(target)

    assert len(services) == 1
    assert services[0].name
