"""Alembic environment of the identity service's database."""

from services.common.migrations import run_environment
from services.identity.models import Base

run_environment(Base.metadata)
