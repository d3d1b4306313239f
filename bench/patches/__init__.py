"""Experimental changes to services/ and gateway/, applied by monkeypatching in the benchmark's
own processes only (``--patch NAME``), so that a proposed change can be measured before it is
made. Each module says which change it stands for; none is imported by the services.
"""

from pkgutil import iter_modules


def available() -> list[str]:
    return sorted(module.name for module in iter_modules(__path__))
