"""A service's database for tests, made as an operator makes it (services/manage.py): the
kernel's and the service's migrations, never ``create_all``, then the data the service ships.
The service tests' SQLite files (the ``service_database`` fixture of tests/conftest.py) and the
integration tests' PostgreSQL databases are both made here."""

from __future__ import annotations

from collections.abc import Callable

from services.common.migrations import upgrade

Load = Callable[[str], object]


def prepare(service: str, uri: str, *loads: Load) -> str:
    """Migrate the database at ``uri`` to the heads, then run each load on it; ``uri``."""
    upgrade(service, uri)
    for load in loads:
        load(uri)
    return uri
