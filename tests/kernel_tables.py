"""The kernel's tables on a throwaway service's declarative base, as every service declares them
(outbox, inbox, remembered answers, dead letters): a test service's database is then built and
wired like a real one."""

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
