"""The requests service's own database: question sets and their versions, requests with
their answers, comments and history, and its read model of the directory."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.clashes import clash
from services.common.kernel_tables import UNMODELLED, WithKernelTables
from services.common.models import UtcDateTime, Versioned


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


# The index of the subject search's keys on PostgreSQL (r0015, services/requests/
# subject_words.py) is written by hand and is not a model: autogenerate and the drift check
# leave it alone.
Base.metadata.info[UNMODELLED] = ("requests_subject_keys",)


class QuestionSet(Base):
    """A legislative area's question set: what stays the same across its versions."""

    __tablename__ = "question_sets"
    __table_args__ = (
        PrimaryKeyConstraint(
            "key",
            info=clash(
                "Another administrator created a question set with this key at the same time; "
                "edit its draft.",
                "question_set.draft_exists",
            ),
        ),
    )

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))


class QuestionSetVersion(Versioned, Base):
    """One version of a set: a draft while its author edits it, then published for good.

    ``number`` is given at publication (1, 2, …); a draft has none. A set has at most one draft
    at a time, so two administrators drafting at once edit the same one (and the second save
    of the same version is a 409 naming the first).
    """

    __tablename__ = "question_set_versions"
    __table_args__ = (
        UniqueConstraint(
            "set_key", "number", name="uq_question_set_versions_number",
            info=clash(
                "This version of the question set was published meanwhile; read it again.",
                "question_set.published_meanwhile",
            ),
        ),
        Index(
            "uq_question_set_versions_one_draft", "set_key", unique=True,
            sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'"),
            info=clash(
                "This question set already has a draft; edit that one.",
                "question_set.draft_exists",
            ),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    set_key: Mapped[str] = mapped_column(ForeignKey("question_sets.key"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(String(36))


# --- the directory, as the requests service needs it (a read model fed by its events) -----


class KnownAuthority(Base):
    """An authority of the directory: its member state, status and areas with roles, as its
    latest event said. ``version`` is the directory's: an older event changes nothing."""

    __tablename__ = "known_authorities"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(24))
    coordinator_kind: Mapped[str | None] = mapped_column(String(24))
    official_name: Mapped[str] = mapped_column(String(300))
    official_language: Mapped[str] = mapped_column(String(3))
    languages: Mapped[list | None] = mapped_column(JSON)  # those it understands
    titles: Mapped[dict] = mapped_column(JSON)
    areas: Mapped[list] = mapped_column(JSON)  # [{area, workflow, roles, direction}]
    settings: Mapped[dict | None] = mapped_column(JSON)  # uses_allocation, full view
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CoordinatorLink(Base):
    """A coordinator linked to an authority for an area and workflow, or unlinked
    (``linked`` false, kept so that an older ``coordinator_linked`` cannot bring it back)."""

    __tablename__ = "coordinator_links"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(64), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    linked: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SharedList(Base):
    """A pre-translated list the requests service ships (reasons an answer cannot be
    provided, reasons to decline, PQ request types, answer texts): its items as last
    published, so that preparation publishes a list again only when it changed."""

    __tablename__ = "shared_lists"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    items: Mapped[list] = mapped_column(JSON)  # [{key, text: {language: text}}]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RequestPolicy(Base):
    """The directory's request policy of a member state (``region`` empty: the whole state)
    for a legislative area, as its latest ``request_policy_changed`` event said."""

    __tablename__ = "request_policies"

    member_state: Mapped[str] = mapped_column(String(2), primary_key=True)
    region: Mapped[str] = mapped_column(String(120), primary_key=True)  # "" for the state
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    approval_required: Mapped[bool] = mapped_column(Boolean)
    referral_enabled: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class AreaSettings(Versioned, Base):
    """The requests service's own settings of a legislative area, kept by Commission
    administrators (forwarding after acceptance, off by default)."""

    __tablename__ = "area_settings"
    __table_args__ = (
        PrimaryKeyConstraint(
            "area",
            info=clash(
                "Another administrator set this area's settings at the same time; read them again.",
                "request.area_settings_exist",
            ),
        ),
    )

    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    forwarding_after_acceptance: Mapped[bool] = mapped_column(Boolean)
    # days after sending that a request not yet accepted goes on the urgency list
    acceptance_days: Mapped[int] = mapped_column(Integer, server_default=text("7"))
    # months after closure that the subject's personal data is blocked (6 to 18)
    blocking_months: Mapped[int] = mapped_column(Integer, server_default=text("6"))
    # a pilot area is left out of the pending-request figures
    pilot: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


# --- requests ---------------------------------------------------------------------------------

# The statuses of the urgency list's two reasons, as the partial indexes' conditions say them
# (services/requests/urgency.py asks for exactly these, so that the indexes serve it).
AWAITING_ACCEPTANCE = "status = 'sent'"
AWAITING_REPLY = "status IN ('accepted', 'partially_answered', 'additional_information_requested')"

# The columns of a request the statistics count (services/requests/statistics_queries.py).
COUNTED = [
    "area", "set_key", "status", "requester_state", "responder_state", "profession", "sector",
    "accepted_at", "answered_at", "closed_at", "reply_due", "reply_due_agreed",
]  # fmt: skip


class Request(Versioned, Base):
    """One information request. ``state`` is the workflow's ``RequestState`` as JSON
    (services/requests/request_codec.py); the columns beside it repeat what lists and searches
    filter on. ``subject`` is the subject's personal data, shown only to the views with it."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_requester_status", "requester_id", "status", "updated_at"),
        Index("ix_requests_responder_status", "responder_id", "status", "updated_at"),
        Index("ix_requests_updated", "updated_at", "id"),
        # each party's requests in the lists' order (newest change first), so that a page is
        # read from the index instead of sorting all of an authority's requests (r0012)
        Index("ix_requests_requester_updated", "requester_id", "updated_at", "id"),
        Index("ix_requests_responder_updated", "responder_id", "updated_at", "id"),
        Index(
            "ix_requests_requester_coordinator_updated",
            "requester_coordinator_id", "updated_at", "id",
        ),
        Index(
            "ix_requests_responder_coordinator_updated",
            "responder_coordinator_id", "updated_at", "id",
        ),
        # The urgency list and the escalation timer (services/requests/urgency.py); a
        # coordinator's indexes hold all its list reads, for index-only scans on PostgreSQL.
        Index("ix_requests_unaccepted_by_coordinator", "responder_coordinator_id", "received_at",
              postgresql_include=["area", "id"], postgresql_where=text(AWAITING_ACCEPTANCE),
              sqlite_where=text(AWAITING_ACCEPTANCE)),
        Index("ix_requests_reply_due_by_requester_coordinator", "requester_coordinator_id",
              "reply_deadline", postgresql_include=["id"], postgresql_where=text(AWAITING_REPLY),
              sqlite_where=text(AWAITING_REPLY)),
        Index("ix_requests_reply_due_by_responder_coordinator", "responder_coordinator_id",
              "reply_deadline", postgresql_include=["id"], postgresql_where=text(AWAITING_REPLY),
              sqlite_where=text(AWAITING_REPLY)),
        Index("ix_requests_unaccepted_to_escalate", "received_at",
              postgresql_where=text(f"{AWAITING_ACCEPTANCE} AND unaccepted_escalated_at IS NULL"),
              sqlite_where=text(f"{AWAITING_ACCEPTANCE} AND unaccepted_escalated_at IS NULL")),
        Index("ix_requests_overdue_to_escalate", "reply_deadline",
              postgresql_where=text(f"{AWAITING_REPLY} AND overdue_escalated_at IS NULL"),
              sqlite_where=text(f"{AWAITING_REPLY} AND overdue_escalated_at IS NULL")),
        # what the retention sweep looks for (services/requests/retention.py, inactivity.py)
        Index(
            "ix_requests_to_block", "closed_at",
            sqlite_where=text("blocked_at IS NULL"), postgresql_where=text("blocked_at IS NULL"),
        ),
        Index(
            "ix_requests_to_erase", "closed_at",
            sqlite_where=text("erased_at IS NULL"), postgresql_where=text("erased_at IS NULL"),
        ),
        Index(
            "ix_requests_open_updated", "updated_at",
            sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL"),
        ),
        # The statistics: every request sent in a period, and those a member state sent or
        # received; on PostgreSQL with the columns they count, read from the index alone.
        Index("ix_requests_sent", "sent_at", postgresql_include=COUNTED),
        Index(
            "ix_requests_requester_state_sent", "requester_state", "sent_at",
            postgresql_include=[name for name in COUNTED if name != "requester_state"],
        ),
        Index(
            "ix_requests_responder_state_sent", "responder_state", "sent_at",
            postgresql_include=[name for name in COUNTED if name != "responder_state"],
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), index=True)
    set_key: Mapped[str] = mapped_column(String(40))
    set_number: Mapped[int] = mapped_column(Integer)
    pq_type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(40), index=True)
    requester_id: Mapped[str] = mapped_column(String(64))
    responder_id: Mapped[str | None] = mapped_column(String(64))
    requester_coordinator_id: Mapped[str | None] = mapped_column(String(64))
    responder_coordinator_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict] = mapped_column(JSON)
    subject: Mapped[dict] = mapped_column(JSON)
    subject_search: Mapped[str] = mapped_column(String(600))  # folded names, for search
    description: Mapped[str | None] = mapped_column(String(4000))
    description_language: Mapped[str | None] = mapped_column(String(3))
    linked_from: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(36))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by_username: Mapped[str | None] = mapped_column(String(64))
    # the time line statistics, the urgency list and the retention of personal data read
    requester_state: Mapped[str | None] = mapped_column(String(2))
    responder_state: Mapped[str | None] = mapped_column(String(2))
    profession: Mapped[str | None] = mapped_column(String(64))  # the directory's profession key
    sector: Mapped[str | None] = mapped_column(String(64))  # its sector or economic activity
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # first acceptance
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # first full reply
    reply_due: Mapped[date | None] = mapped_column(Date)  # the reply date on the table
    reply_due_agreed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # when the current responder received it (sent, or forwarded to it)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the day after which the reply is overdue: the agreed date, else the one requested
    reply_deadline: Mapped[date | None] = mapped_column(Date)
    unaccepted_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    overdue_escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    inactivity_reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # personal data hidden
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # personal data deleted
    contested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # blocked, contested

    asked: Mapped[list[RequestQuestion]] = relationship(cascade="all, delete-orphan")


class Answer(Base):
    """An answer to one question of a request: in the reply draft (``reply`` 0, edited by
    any acting handler) or in sent reply number ``reply`` (1, 2, …), never changed again."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("request_id", "question", "reply", name="uq_answers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    question: Mapped[int] = mapped_column(Integer)  # the question's ordinal in its set
    reply: Mapped[int] = mapped_column(Integer)
    value: Mapped[dict | None] = mapped_column(JSON)
    cannot_provide: Mapped[str | None] = mapped_column(String(40))  # a reason's key
    text: Mapped[str | None] = mapped_column(String(8000))
    language: Mapped[str | None] = mapped_column(String(3))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    saved_by: Mapped[str] = mapped_column(String(36))


class Comment(Base):
    """A comment on a request, general or on one of its numbered questions."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    question: Mapped[int | None] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(16))
    authority_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    username: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(4000))
    language: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HistoryEntry(Base):
    """One thing done to a request: who, when, which action, its numbers and its free text
    (a reason, justification, opinion or feedback)."""

    __tablename__ = "request_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36))
    username: Mapped[str | None] = mapped_column(String(64))
    authority_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(String(4000))
    language: Mapped[str | None] = mapped_column(String(3))


class Editing(Base):
    """A user working on a request now, so that a colleague opening it is told who and
    since when. Renewed while the user keeps the request open; old after EDITING_TIMEOUT."""

    __tablename__ = "editing"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RequestQuestion(Base):
    """A question a request asks, by its key in the set, for the search by question; with
    the request's set, area, time of sending and member states, which the statistics count
    the questions asked most by without reading the requests (services/requests/
    statistics.py). Written with the request's state, so they always agree with it."""

    __tablename__ = "request_questions"
    __table_args__ = (
        Index(
            "ix_request_questions_sent", "sent_at",
            postgresql_include=["set_key", "question_key", "area", "requester_state",
                                "responder_state"],
        ),
        # the requests asking a question, read from the index alone (r0012)
        Index("ix_request_questions_key_request", "question_key", "request_id"),
    )  # fmt: skip

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    set_key: Mapped[str | None] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    requester_state: Mapped[str | None] = mapped_column(String(2))
    responder_state: Mapped[str | None] = mapped_column(String(2))


class SentRequestCount(Base):
    """How many requests built on a question set, in an area, were sent in a UTC month
    (``YYYY-MM``): kept with each request's state (services/requests/sent_counts.py), so that
    the questions' shares over years are summed from a few rows, not counted from millions."""

    __tablename__ = "sent_request_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    set_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)


class SentQuestionCount(Base):
    """How many of the requests a ``SentRequestCount`` counts asked a question."""

    __tablename__ = "sent_question_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    set_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)


class KnownUser(Base):
    """A user of the directory's authorities as identity's events describe it: its authority
    and rights, so that an allocation names request handlers of the responder only. Kept
    after deletion (``deleted``), so that an older event arriving late changes nothing."""

    __tablename__ = "known_users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    authority_id: Mapped[str] = mapped_column(String(64), index=True)
    grants: Mapped[list] = mapped_column(JSON)  # [{right, area}]
    deleted: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Attachment(Base):
    """A file attached to a request: its row here, its bytes in the file store under
    ``store_key``, checked against ``sha256`` whenever they are read."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    store_key: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(3))
    side: Mapped[str] = mapped_column(String(16))
    uploaded_by: Mapped[str] = mapped_column(String(36))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PersonalDataAccess(Base):
    """The audit trail of the subject's personal data (DOMAIN.md section 8): who processed
    it, when, how and in which procedure (the request). Kept after the data is deleted."""

    __tablename__ = "personal_data_audit"
    __table_args__ = (Index("ix_personal_data_audit_request", "request_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36))
    area: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(24))  # created, edited, viewed, reported, …
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[str | None] = mapped_column(String(36))  # none: the system (a timer)
    username: Mapped[str | None] = mapped_column(String(64))
    authority_id: Mapped[str | None] = mapped_column(String(64))
