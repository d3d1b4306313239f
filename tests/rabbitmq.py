"""The test broker's rabbitmqctl (``./deploy/test`` exports IMI_RABBITMQCTL): for tests that
administer the broker as an operator would (vhosts, users, closing a connection)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from services.notifications.subscribers import rabbitmqctl_command


def ctl(*args: str) -> str:
    command = [*rabbitmqctl_command({}), "-q", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def can_administer() -> bool:
    command = rabbitmqctl_command({})
    if shutil.which(command[0]) is None:
        return False
    done = subprocess.run([*command, "-q", "status"], capture_output=True, timeout=60)
    return done.returncode == 0


needs_rabbitmqctl = pytest.mark.skipif(
    not can_administer(),
    reason="needs rabbitmqctl for the test broker (./deploy/test sets IMI_RABBITMQCTL)",
)
