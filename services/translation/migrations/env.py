"""Alembic environment of the translation service's database."""

from services.common.migrations import run_environment
from services.translation.models import Base

run_environment(Base.metadata)
