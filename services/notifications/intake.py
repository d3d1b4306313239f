"""What the other services' events put in the mail queue (DOMAIN.md sections 3 and 4).

Secrets (a temporary password, a registration code, a reset link) arrive on the owning
service's own exchange, which no outside account can read, and are kept only in the
message's ``secret`` until the mail server has taken it. Every queued email's dedupe key
starts with the id of the event it comes from.
"""

from __future__ import annotations

from math import ceil

from services.common.actor import Right
from services.common.db import UnitOfWork
from services.common.envelope import event_name
from services.notifications import directory_view
from services.notifications.domain import (
    COORDINATOR_TEMPLATES,
    Audience,
    Mailing,
    coordinator_mailing,
    request_mailings,
)
from services.notifications.mail_queue import queue_mailing, queue_mailings, queue_message
from services.notifications.settings import MailSettings

LOGIN_PATH = "/"
REGISTRATION_PATH = "/register"
RESET_PATH = "/password-reset?token="


def temporary_password(unit: UnitOfWork, envelope: dict) -> None:
    data = envelope["data"]
    queue_message(
        unit, dedupe_key=envelope["id"], template="email.temporary_password",
        recipient=data["email"], language=data["language"], user_id=data["user_id"],
        params={"login_url": {"path": LOGIN_PATH}},
        secret={"temporary_password": data["temporary_password"]},
    )  # fmt: skip


def password_reset(unit: UnitOfWork, settings: MailSettings, envelope: dict) -> None:
    data = envelope["data"]
    valid = data["expires_at"] - envelope["time"]
    queue_message(
        unit, dedupe_key=envelope["id"], template="email.password_reset",
        recipient=data["email"], language=data["language"], user_id=data["user_id"],
        params={"valid_minutes": str(max(ceil(valid.total_seconds() / 60), 1))},
        secret={"reset_link": settings.link(RESET_PATH + data["reset_token"])},
    )  # fmt: skip


def invitation(unit: UnitOfWork, envelope: dict) -> None:
    data = envelope["data"]
    queue_message(
        unit, dedupe_key=envelope["id"], template="email.invitation",
        recipient=data["email"], language=data["language"],
        params={"coordinator_name": {"authority": data["coordinator_id"]},
                "registration_link": {"path": REGISTRATION_PATH},
                "expiry_date": {"date": data["expires_at"].isoformat()}},
        secret={"registration_code": data["registration_code"]},
    )  # fmt: skip


def invitation_reminder(unit: UnitOfWork, envelope: dict) -> None:
    data = envelope["data"]
    queue_message(
        unit, dedupe_key=envelope["id"], template="email.invitation_reminder",
        recipient=data["email"], language=data["language"],
        params={"registration_link": {"path": REGISTRATION_PATH},
                "expiry_date": {"date": data["expires_at"].isoformat()}},
    )  # fmt: skip


def authority_validated(unit: UnitOfWork, envelope: dict) -> None:
    """The news goes to the authority's functional mailbox and its data administrators."""
    authority_id = envelope["data"]["authority_id"]
    mailing = Mailing(
        "email.authority_validated",
        Audience((authority_id,), Right.LOCAL_DATA_ADMINISTRATOR, functional=True),
        {"authority_name": {"authority": authority_id}},
    )
    queue_mailing(unit, f"{envelope['id']}:{mailing.template}", mailing)


def request_events(unit: UnitOfWork, envelopes: list[dict]) -> None:
    """The emails of request events, queued together."""
    queue_mailings(
        unit, [keyed for envelope in envelopes for keyed in request_mailing(unit, envelope)]
    )


def request_mailing(unit: UnitOfWork, envelope: dict) -> list[tuple[str, Mailing]]:
    """The emails a request event causes, each with its dedupe key."""
    event_type, data = event_name(envelope), envelope["data"]
    mailings = request_mailings(event_type, data)
    if event_type in COORDINATOR_TEMPLATES:  # the coordinators are looked up only then
        coordinators = directory_view.request_coordinators(
            unit.session, _concerned(event_type, data), data["area"]
        )
        wanted = coordinator_mailing(event_type, data, coordinators)
        if wanted is not None:
            mailings.append(wanted)
    return [
        (f"{envelope['id']}:{mailing.template}:{number}", mailing)
        for number, mailing in enumerate(mailings)
    ]


def _concerned(event_type: str, data: dict) -> list[str]:
    """The authorities whose coordinators the event may need: the requester's alone for an
    approval, both parties' for a referral."""
    if event_type == "request_submitted_for_approval":
        return [data["requesting_authority"]]
    return [party for party in (data["requesting_authority"], data.get("responding_authority"))
            if party]  # fmt: skip
