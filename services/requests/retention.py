"""The retention of a request's personal data (DOMAIN.md section 8; the choices are in
docs/requests-data-protection.md): blocked a number of months after the formal closure of the
procedure (its area's ``blocking_months``, else the configured default: 6), and deleted some
years after it (3).

Blocking keeps the data as proof that the exchange took place and hides it from every user
(services/requests/blocking.py); deleting removes the subject, the answers to questions marked
as personal data, the free texts and the attachments' files, and keeps what proves the
exchange: the parties, dates, questions, structured answers to the other questions, the
history of actions and the audit trail. Each step writes one audit row (by the system) and one
event, in the transaction that changes the request.

Several replicas run the same timer: the rows are claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL and changed by a compare-and-set (``WHERE blocked_at IS NULL``), so that a request
is blocked, and deleted, once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.requests import area_settings, audit, generator
from services.requests.answers import Questions
from services.requests.audit import Operation
from services.requests.file_store import FileStore
from services.requests.models import Answer, Attachment, Comment, HistoryEntry, Request
from services.requests.question_sets import AnswerType

CONFIG_KEY = "DATA_PROTECTION"
SWEEP_BATCH = 200
# The answer types whose value is a free text, or names attachments (deleted with them).
TEXT_VALUES = frozenset({AnswerType.FREE_TEXT.value, AnswerType.DOCUMENT.value})
LONGEST_BLOCKING = 18  # months: an area may set 6 to 18 (services/requests/area_settings.py)


@dataclass(frozen=True)
class RetentionSettings:
    """The ``DATA_PROTECTION`` block of deploy/config.yaml."""

    blocking_months: int = 6  # for an area that did not set its own
    erasure_years: int = 3
    inactivity_days: int = 90  # an open request this long without an action is reported
    sweep_seconds: float = 3600.0

    @classmethod
    def from_config(cls, config: dict) -> RetentionSettings:
        block = config.get(CONFIG_KEY) or {}
        defaults = cls()
        settings = cls(
            blocking_months=int(block.get("BLOCKING_MONTHS") or defaults.blocking_months),
            erasure_years=int(block.get("ERASURE_YEARS") or defaults.erasure_years),
            inactivity_days=int(block.get("INACTIVITY_DAYS") or defaults.inactivity_days),
            sweep_seconds=float(block.get("SWEEP_SECONDS") or defaults.sweep_seconds),
        )
        if not 6 <= settings.blocking_months <= LONGEST_BLOCKING:
            raise ValueError(f"{CONFIG_KEY}.BLOCKING_MONTHS must be 6 to {LONGEST_BLOCKING}")
        if settings.erasure_years * 12 <= LONGEST_BLOCKING:
            raise ValueError(f"{CONFIG_KEY}.ERASURE_YEARS must come after the longest blocking")
        if settings.inactivity_days < 1 or settings.sweep_seconds <= 0:
            raise ValueError(f"{CONFIG_KEY}.INACTIVITY_DAYS and SWEEP_SECONDS must be positive")
        return settings


class RetentionPolicy(DependencyProvider):
    """The retention settings, read once per process."""

    def setup(self) -> None:
        self.settings = RetentionSettings.from_config(self.container.config)

    def get_dependency(self, worker_ctx) -> RetentionSettings:
        return self.settings


class RetentionTimer(Timer):
    """nameko's timer, its interval read from the configuration (tests keep the default hour
    and call the entry point themselves)."""

    def __init__(self, **kwargs):
        super().__init__(interval=RetentionSettings.sweep_seconds, **kwargs)

    def setup(self) -> None:
        self.interval = RetentionSettings.from_config(self.container.config).sweep_seconds


retention_timer = RetentionTimer.decorator


def months_before(at: datetime, months: int) -> datetime:
    """``at`` moved back by calendar months (the 31st to the month's last day if shorter)."""
    index = at.year * 12 + at.month - 1 - months
    year, month = divmod(index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def months_after(at: datetime, months: int) -> datetime:
    return months_before(at, -months)


# --- blocking ---------------------------------------------------------------------------------


def block_due(unit: UnitOfWork, settings: RetentionSettings, batch: int = SWEEP_BATCH) -> int:
    """Block the requests closed longer ago than their area's blocking months; how many rows
    were claimed (a full batch: call again)."""
    session = unit.session
    now = unit.now()
    rows = _claimed(
        session,
        and_(Request.blocked_at.is_(None), _closed_before_blocking(session, settings, now)),
        batch,
    )
    for row in rows:
        blocked = session.execute(
            update(Request)
            .where(Request.id == row.id, Request.blocked_at.is_(None))
            .values(blocked_at=now)
        ).rowcount
        if not blocked:
            continue
        audit.record(session, row, Operation.BLOCKED, now)
        unit.record_event(
            "request_personal_data_blocked",
            row.id,
            {**_identity(row), "blocked_at": now,
             "erasure_due": months_after(row.closed_at, settings.erasure_years * 12)},
        )  # fmt: skip
    return len(rows)


def _closed_before_blocking(session: Session, settings: RetentionSettings, now: datetime):
    """Closed longer ago than the blocking months of its area (else the default)."""
    own = {row.area: row.blocking_months for row in area_settings.all_settings(session)}
    by_months: dict[int, list[str]] = {}
    for area, months in own.items():
        by_months.setdefault(months, []).append(area)
    return or_(
        and_(Request.area.not_in(list(own)),
             Request.closed_at <= months_before(now, settings.blocking_months)),
        *(and_(Request.area.in_(areas), Request.closed_at <= months_before(now, months))
          for months, areas in sorted(by_months.items())),
    )  # fmt: skip


# --- deleting ---------------------------------------------------------------------------------


def erase_due(
    unit: UnitOfWork, settings: RetentionSettings, store: FileStore, batch: int = SWEEP_BATCH
) -> int:
    """Delete the personal data of the requests closed longer ago than the erasure years
    (blocked already: the sweep blocks first); their attachments' files go once the change is
    committed (a process killed before leaves files no row names, which the orphan sweep
    deletes). How many rows were claimed."""
    session = unit.session
    now = unit.now()
    cutoff = months_before(now, settings.erasure_years * 12)
    rows = _claimed(
        session,
        and_(Request.erased_at.is_(None), Request.blocked_at.is_not(None),
             Request.closed_at <= cutoff),
        batch,
    )  # fmt: skip
    versions: dict[tuple[str, int], Questions] = {}
    files: list[str] = []
    for row in rows:
        erased = session.execute(
            update(Request)
            .where(Request.id == row.id, Request.erased_at.is_(None))
            .values(erased_at=now, subject={}, subject_search="", description=None,
                    description_language=None)
        ).rowcount  # fmt: skip
        if not erased:
            continue
        key = (row.set_key, row.set_number)
        if key not in versions:
            versions[key] = Questions.of(generator.published(session, *key).document)
        _erase_answers(session, row.id, versions[key])
        files += _erase_free_texts_and_attachments(session, row.id)
        audit.record(session, row, Operation.ERASED, now)
        unit.record_event(
            "request_personal_data_erased", row.id, {**_identity(row), "erased_at": now}
        )
    if files:
        unit.after_commit(lambda: _delete_files(store, files))
    return len(rows)


def _erase_answers(session: Session, request_id: str, questions: Questions) -> None:
    """Every answer loses its free text; answers to questions marked as personal data, and
    free-text and document answers, lose their value too. A structured answer to another
    question (yes, no, an option, a date) and a reason it could not be given stay."""
    personal = questions.personal()
    for answer in session.scalars(select(Answer).where(Answer.request_id == request_id)):
        kind = questions.question(answer.question)["answer"]
        if answer.question in personal or kind in TEXT_VALUES:
            answer.value = None
        answer.text = None


def _erase_free_texts_and_attachments(session: Session, request_id: str) -> list[str]:
    """Comments keep who wrote them and when; history entries keep the action. Attachment
    rows go; their files' keys are returned, to delete after the commit."""
    session.execute(update(Comment).where(Comment.request_id == request_id).values(text=""))
    session.execute(
        update(HistoryEntry)
        .where(HistoryEntry.request_id == request_id, HistoryEntry.text.is_not(None))
        .values(text=None, language=None)
    )
    keys = list(
        session.scalars(select(Attachment.store_key).where(Attachment.request_id == request_id))
    )
    session.execute(delete(Attachment).where(Attachment.request_id == request_id))
    return keys


def _delete_files(store: FileStore, keys: Iterable[str]) -> None:
    for key in keys:
        store.delete(key)


# --- shared -----------------------------------------------------------------------------------


def _claimed(session: Session, condition, batch: int) -> list[Request]:
    """Up to ``batch`` requests meeting ``condition``, oldest closure first, locked for this
    transaction; rows another replica holds are skipped, not waited for."""
    return list(
        session.scalars(
            select(Request)
            .where(condition)
            .order_by(Request.closed_at, Request.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )


def _identity(row: Request) -> dict:
    """What the retention events say of a request: ids, area and dates, never its data."""
    return {
        "request_id": row.id,
        "area": row.area,
        "requesting_authority": row.requester_id,
        "responding_authority": row.responder_id,
        "closed_at": row.closed_at,
    }
