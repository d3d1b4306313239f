"""Making the directory's database ready: the shipped reference lists, loaded at every
``services.manage prepare`` (idempotent)."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.clock import utcnow
from services.directory.reference_data import load_reference_data


def prepare_directory(uri: str, now=None) -> None:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        with Session(engine) as session:
            load_reference_data(session, now or utcnow())
            session.commit()
    finally:
        engine.dispose()
