"""The kernel's tables in every service's database, by convention.

Every service's database holds the same four tables (outbox, inbox, remembered answers, dead
letters). A service does not declare them: its declarative base takes ``WithKernelTables``,

    class Base(WithKernelTables, DeclarativeBase):
        pass

and the four are mapped on it (``Base.kernel``), as the kernel's own migration history
(services/common/kernel_migrations) builds them in the service's database. The service's own
migrations hold only its own tables.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import DeclarativeBase

from services.common.dead_letters import DeadLetterMixin
from services.common.models import IdempotencyMixin, InboxMixin, OutboxMixin


class KernelTables(NamedTuple):
    outbox: type
    inbox: type
    idempotency: type
    dead_letters: type


# MetaData.info key of a service's models: name prefixes of engine-specific structures its
# migrations write by hand and its models leave out (a search index), which autogenerate and
# the drift check (services.common.migrations) leave alone.
UNMODELLED = "unmodelled"

KERNEL_TABLE_NAMES = frozenset(
    mixin.__tablename__ for mixin in (OutboxMixin, InboxMixin, IdempotencyMixin, DeadLetterMixin)
)


def declare_kernel_tables(base: type[DeclarativeBase]) -> KernelTables:
    """Map the kernel's tables on ``base``; their classes, named after it. Keep the result:
    a mapper registry holds its classes only weakly, and a class nobody holds is gone."""

    def mapped(mixin: type, name: str) -> type:
        return type(f"{base.__name__}{name}", (mixin, base), {"__module__": base.__module__})

    return KernelTables(
        mapped(OutboxMixin, "Outbox"),
        mapped(InboxMixin, "Inbox"),
        mapped(IdempotencyMixin, "Idempotency"),
        mapped(DeadLetterMixin, "DeadLetter"),
    )


class WithKernelTables:
    """Put first in a service's declarative base: the base gets the kernel's tables mapped,
    held in ``kernel``. The models of the service (subclasses of its base) are untouched."""

    kernel: KernelTables

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if DeclarativeBase in cls.__bases__:
            cls.kernel = declare_kernel_tables(cls)


class KernelBase(WithKernelTables, DeclarativeBase):
    """The kernel's tables alone: what the kernel's migration history builds."""
