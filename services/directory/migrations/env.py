"""Alembic environment of the directory service's database."""

from services.common.migrations import run_environment
from services.directory.models import Base

run_environment(Base.metadata)
