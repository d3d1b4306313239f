"""The notifications service's own database: emails waiting, being sent and sent, the log
of every delivery attempt, the fan-outs still to be turned into emails, and its read model of
the directory (authorities' names and coordinator links) that addresses them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.kernel_tables import WithKernelTables
from services.common.models import UtcDateTime, Versioned


class Base(WithKernelTables, DeclarativeBase):
    """The service's tables, and the kernel's (outbox, inbox, idempotency, dead letters),
    mapped by convention (services/common/kernel_tables.py)."""


class MailJob(Base):
    """An email to send to people not known yet ("every request handler of the responding
    authority"): kept until the people it means are looked up, then turned into messages.
    One per event and kind, so a redelivered event adds nothing."""

    __tablename__ = "mail_jobs"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_mail_jobs_dedupe_key"),
        Index("ix_mail_jobs_due", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(64))
    audience: Mapped[dict] = mapped_column(JSON)
    params: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class MailMessage(Base):
    """One email to one address. ``secret`` holds what must reach the person and no one else
    (a temporary password, a registration code, a reset link): erased once the message is
    accepted by the mail server or given up. The Message-ID is fixed when the message is
    made, so a resend after a crash mid-send carries the same one."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_mail_messages_dedupe_key"),
        Index("ix_mail_messages_due", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[str | None] = mapped_column(String(36))
    params: Mapped[dict] = mapped_column(JSON)
    secret: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class DeliveryAttempt(Base):
    """The delivery log: every attempt to hand a message to the mail server, and its answer."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("mail_messages.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(500))


class KnownAuthority(Base):
    """The directory's authorities as its events describe them: what an email names (the
    informal title in the reader's language) and where it goes (the member state)."""

    __tablename__ = "known_authorities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    official_name: Mapped[str] = mapped_column(String(500))
    titles: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    coordinator_kind: Mapped[str | None] = mapped_column(String(16))


class CoordinatorLink(Base):
    """Which coordinator answers for an authority in an area and workflow (directory's
    ``coordinator_linked``): who is asked to approve, to give an opinion, to follow up."""

    __tablename__ = "coordinator_links"

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), primary_key=True)
    coordinator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    linked: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DigestItem(Base):
    """Something a coordinator is to follow up (a request not accepted in time, a reply
    overdue, a request left without activity), kept for the coordinator's next daily digest
    instead of an email of its own; ``digest_id`` names the digest that told of it."""

    __tablename__ = "digest_items"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_digest_items_dedupe_key"),
        Index("ix_digest_items_waiting", "digest_id", "noted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    coordinator_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(64))
    noted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    digest_id: Mapped[str | None] = mapped_column(String(36))


class WebhookSubscription(Versioned, Base):
    """An outside system's subscription to public events over HTTPS (docs/subscriptions.md):
    where they go, which ones, and the secret each delivery is signed with."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON)
    # whether the system may receive the public events that name a person (a user id)
    personal_data: Mapped[bool] = mapped_column(Boolean)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))


# the deliveries a run may claim, and those that hold back the later ones of their subject
# (domain.UNFINISHED): partial indexes, so that neither grows with the deliveries done
CLAIMABLE_DELIVERY = text("status IN ('pending', 'sending')")
UNFINISHED_DELIVERY = text("status IN ('pending', 'sending', 'dead')")


class WebhookEvent(Base):
    """A public event as its deliveries post it: the JSON body, encoded once whatever the
    subscriptions, kept while a delivery of it is."""

    __tablename__ = "webhook_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """One event for one subscription. ``seq`` orders the deliveries of a subject: a delivery
    waits while an earlier one of the same subscription and subject is not delivered (or
    discarded), so a subscriber sees a subject's events in the order they happened. What it
    posts is its event's (WebhookEvent)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_claimable", "seq",
              sqlite_where=CLAIMABLE_DELIVERY, postgresql_where=CLAIMABLE_DELIVERY),
        Index("ix_webhook_deliveries_unfinished", "subscription_id", "subject", "seq",
              sqlite_where=UNFINISHED_DELIVERY, postgresql_where=UNFINISHED_DELIVERY),
    )  # fmt: skip

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    subscription_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))


class AuthorityRole(Base):
    """An authority's roles per area and workflow as the directory's authority events carry
    them: which authority is a member state's incoming alert mailbox, which take part in an
    area's alerts. Replaced by each newer version of the authority."""

    __tablename__ = "authority_roles"
    __table_args__ = (Index("ix_authority_roles_role", "area", "workflow", "role"),)

    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))


class AlertSetting(Versioned, Base):
    """Whether a member state's outgoing alerts need an alert coordinator's approval (set by
    a Commission administrator or the state's national coordinator; none: no approval)."""

    __tablename__ = "alert_settings"

    member_state: Mapped[str] = mapped_column(String(2), primary_key=True)
    approval_required: Mapped[bool] = mapped_column(Boolean)


class Alert(Versioned, Base):
    """A Services Directive alert, a Professional Qualifications alert or a case-by-case
    derogation (services.notifications.alerts). ``professional`` holds the only personal data
    (a Professional Qualifications alert's name, date and place of birth of the professional),
    erased when the alert is closed or withdrawn; ``content`` holds the rest."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_sender", "sender_authority", "created_at"),
        Index("ix_alerts_deadline", "kind", "deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    area: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    sender_authority: Mapped[str] = mapped_column(String(64))
    sender_state: Mapped[str] = mapped_column(String(2))
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict] = mapped_column(JSON)
    professional: Mapped[dict | None] = mapped_column(JSON)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    member_states: Mapped[list] = mapped_column(JSON)
    decision_date: Mapped[date | None] = mapped_column(Date)
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unjustified: Mapped[bool] = mapped_column(Boolean, default=False)
    unjustified_reason: Mapped[str | None] = mapped_column(String(2000))
    informed: Mapped[dict | None] = mapped_column(JSON)


class AlertRecipient(Base):
    """An authority an alert reached: a member state's mailbox when it was sent, or an
    authority a mailbox disseminated (routed) it to; and its acknowledgement."""

    __tablename__ = "alert_recipients"
    __table_args__ = (Index("ix_alert_recipients_authority", "authority_id"),)

    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    via: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    added_by: Mapped[str | None] = mapped_column(String(36))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(36))
    # when its alert handlers were reminded that it waits for their acknowledgement (once)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertComment(Base):
    """A comment, further information or (a derogation's) answer on an alert."""

    __tablename__ = "alert_comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    authority_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    text: Mapped[str] = mapped_column(String(4000))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AlertHistory(Base):
    """Every step of an alert, by whom and when: the audit of who processed it, kept after
    its personal data is erased. Never any personal data."""

    __tablename__ = "alert_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[str] = mapped_column(String(36))
    authority_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class InboxItem(Base):
    """What a user was told by email about the work of their authority (a request arrived, an
    alert reached its mailbox, a status changed), kept in their inbox of notifications until
    they have read it: the template and its placeholders, never any content."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_inbox_items_dedupe_key"),
        Index("ix_inbox_items_user", "user_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(36))
    template: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class NotificationType(Base):
    """One version of a generic notification type (services.notifications.generic): its
    document (area, fields, senders, receivers, repository, texts with their catalogue keys).
    A version is never changed: editing a type adds the next one, and a notification keeps
    the version it was written with."""

    __tablename__ = "notification_types"
    __table_args__ = (Index("ix_notification_types_area", "area"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))


class GenericNotification(Versioned, Base):
    """A generic notification: its type (key and version), the sending authority, the
    member states chosen and the content (checked against the type's fields); ``edition``
    counts the broadcast contents (1 when broadcast, one more at each modification)."""

    __tablename__ = "generic_notifications"
    __table_args__ = (Index("ix_generic_notifications_sender", "sender_authority", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type_key: Mapped[str] = mapped_column(String(64))
    type_version: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    sender_authority: Mapped[str] = mapped_column(String(64))
    sender_state: Mapped[str] = mapped_column(String(2))
    member_states: Mapped[list] = mapped_column(JSON)
    content: Mapped[dict] = mapped_column(JSON)
    edition: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    broadcast_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GenericRecipient(Base):
    """An authority a generic notification was broadcast to."""

    __tablename__ = "generic_notification_recipients"
    __table_args__ = (Index("ix_generic_recipients_authority", "authority_id"),)

    notification_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("generic_notifications.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_state: Mapped[str] = mapped_column(String(2))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GenericComment(Base):
    """A comment of the sender or a recipient on a broadcast notification."""

    __tablename__ = "generic_notification_comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notification_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("generic_notifications.id", ondelete="CASCADE"), index=True
    )
    authority_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    text: Mapped[str] = mapped_column(String(4000))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class GenericHistory(Base):
    """Every step of a generic notification, by whom and when (never its content)."""

    __tablename__ = "generic_notification_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("generic_notifications.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    edition: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(36))
    authority_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class RepositoryEntry(Base):
    """What a broadcast notification whose type names a repository writes there: its type,
    its fields without personal data, the sending authority and state, and its dates;
    removed when the notification is withdrawn."""

    __tablename__ = "repository_entries"
    __table_args__ = (Index("ix_repository_entries_repository", "repository", "broadcast_at"),)

    notification_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("generic_notifications.id", ondelete="CASCADE"), primary_key=True
    )
    repository: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(64))
    type_key: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict] = mapped_column(JSON)
    authority_id: Mapped[str] = mapped_column(String(64))
    member_state: Mapped[str] = mapped_column(String(2))
    edition: Mapped[int] = mapped_column(Integer)
    broadcast_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
