"""Tests of the shared kernel (services/common), by level.

- Pure tests (actor, schemas, envelope, config, clock) use no broker and no database.
- Kernel tests start small throwaway services in real nameko containers on the run's RabbitMQ
  vhost. Their names start with ``kernel_`` so their durable queues never meet another
  module's, and their assertions name the ids the test created, because the run's vhost
  outlives each test.
- The contract tests of the unit of work, outbox and inbox (test_transactions_and_outbox.py)
  run each test on a SQLite file and on a fresh PostgreSQL database; the other kernel tests
  use SQLite. These test services have no migrations, so their throwaway models are created
  with ``create_all``; the real services are tested on their Alembic migrations.
- What a new service gets by convention (kernel tables, drift check, preparation) is shown on
  a throwaway service folder (``new_service``) whose package is found as ``services.<name>``.
"""

from __future__ import annotations

import sys
import textwrap
import uuid

import pytest

import services

# --- a new service, by convention -----------------------------------------------------------

MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    from services.common.kernel_tables import WithKernelTables


    class Base(WithKernelTables, DeclarativeBase):
        pass


    class Note(Base):
        __tablename__ = "notes"

        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(200))
"""

FIRST_MIGRATION = """
    import sqlalchemy as sa
    from alembic import op

    revision = "n0001"
    down_revision = None
    branch_labels = None
    depends_on = None


    def upgrade() -> None:
        op.create_table(
            "notes",
            sa.Column("id", sa.Integer(), nullable=False),
            {text}
            sa.PrimaryKeyConstraint("id"),
        )


    def downgrade() -> None:
        op.drop_table("notes")
"""
TEXT_COLUMN = 'sa.Column("text", sa.String(length=200), nullable=False),'


@pytest.fixture
def new_service(tmp_path, monkeypatch):
    """Writes a service folder, ``services/<name>/`` with models.py and one migration of its
    own table only (and ``bootstrap``, a bootstrap.py, if given), somewhere services' packages
    are found; its name."""

    def write(text_column: str = TEXT_COLUMN, bootstrap: str | None = None) -> str:
        name = f"notes_{uuid.uuid4().hex[:8]}"
        folder = tmp_path / "packages" / name
        (folder / "migrations" / "versions").mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "models.py").write_text(textwrap.dedent(MODELS))
        migration = textwrap.dedent(FIRST_MIGRATION).format(text=text_column)
        (folder / "migrations" / "versions" / "n0001_notes.py").write_text(migration)
        if bootstrap is not None:
            (folder / "bootstrap.py").write_text(textwrap.dedent(bootstrap))
        monkeypatch.setattr(services, "__path__", [*services.__path__, str(folder.parent)])
        written.append(name)
        return name

    written: list[str] = []
    yield write
    for name in written:
        for module in [key for key in sys.modules if key.startswith(f"services.{name}")]:
            del sys.modules[module]
