"""The audit trail of the subject's personal data (DOMAIN.md section 8): every time a user or
the system processes a request's personal data, one row says who, when, how and in which
procedure. The trail outlives the data: it is kept when the data is blocked and deleted."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.requests.models import PersonalDataAccess, Request


class Operation(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    COPIED = "copied"
    VIEWED = "viewed"
    REPORTED = "reported"  # printed in a PDF report
    TRANSLATED = "translated"  # masked and sent with a free text to machine translation
    BLOCKED = "blocked"
    ERASED = "erased"
    CONTESTED = "contested"  # marked as contested by the data subject, once blocked
    UNCONTESTED = "uncontested"  # the mark taken off
    SUBJECT_REPORT = "subject_report"  # shown in a data subject's report


def record(
    session: Session, row: Request, operation: Operation, at, actor: Actor | None = None
) -> None:
    """One processing of ``row``'s personal data; ``actor`` None for the system's own."""
    session.add(
        PersonalDataAccess(
            request_id=row.id, area=row.area, operation=operation.value, at=at,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else None,
            authority_id=actor.authority_id if actor else None,
        )
    )  # fmt: skip
