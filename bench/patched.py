"""``nameko run`` with experimental changes applied first: how (a) is measured with a change
to services/ or gateway/ before anyone makes it (``--patch`` of bench.auth_read).

    python -m bench.patched PATCH[,PATCH...] run --config CONFIG SERVICE

Each PATCH names a module of bench/patches/ whose ``apply()`` monkeypatches the code the
way the change would; docs/performance.md lists them with their measured effect.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # as nameko run does, before anything imports socket or threading

import importlib  # noqa: E402
import sys  # noqa: E402


def apply(names: list[str]) -> None:
    for name in names:
        importlib.import_module(f"bench.patches.{name}").apply()


def main() -> None:
    names, nameko_args = sys.argv[1], sys.argv[2:]
    apply([name for name in names.split(",") if name])
    from nameko.cli.main import main as nameko_main

    sys.argv = ["nameko", *nameko_args]
    nameko_main()


if __name__ == "__main__":
    main()
