"""Making the directory's database ready: the shipped reference lists, loaded at every
``services.manage prepare`` (idempotent)."""

from __future__ import annotations

from services.common.clock import utcnow
from services.common.db import StandaloneDatabase
from services.directory.models import Base
from services.directory.reference_data import load_reference_data


def prepare_directory(uri: str, now=None) -> None:
    database = StandaloneDatabase(Base, "directory", uri)
    unit = database.unit_of_work()
    try:
        load_reference_data(unit.session, now or utcnow())
        unit.commit()
    finally:
        unit.close()
        database.dispose()
