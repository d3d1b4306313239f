"""Changes to services/ and gateway/ applied by monkeypatching in the benchmark's own processes
only (``--patch NAME``): a proposed change, measured before anyone makes it, or ``undo_*``, a
trade-off already made put back to nameko's default, to measure what it is worth. Each module
says what it stands for; none is imported by the services. Delete a patch once its change is
made (docs/performance.md keeps the figures).
"""

from pkgutil import iter_modules


def available() -> list[str]:
    return sorted(module.name for module in iter_modules(__path__))
