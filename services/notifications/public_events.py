"""The public event catalogue: which events outside systems may read, as data.

Outside systems (a problem-solving network like SOLVIT, a citizens' portal) read events from the
public exchange ``imi.public`` only, never from a service's own ``<service>.events``
(docs/subscriptions.md). Each event every service publishes (its contract in ``schemas.py``) is
classified here, once: ``PUBLIC`` (with ``personal_data`` true when its payload names a person,
even by a pseudonymous id: only subscribers entitled to personal data may bind it), or
``INTERNAL`` with the reason it stays inside. A secret (a password, a registration code, a reset
token) or an event recorded ``sensitive=True`` is never public; tests/notifications/
test_public_events.py checks this module against the contracts, the ``sensitive`` events in the
code and the "Public events" table of docs/events.md, so a new event fails the tests until it is
classified.

The routing key on ``imi.public`` is the event's name, as on its service's exchange, so a public
event name is unique across services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.notifications.alerts import EVENTS as ALERT_EVENTS
from services.notifications.generic import EVENTS as GENERIC_EVENTS
from services.notifications.generic import REPOSITORY_EVENTS, TYPE_EVENTS

PUBLIC_EXCHANGE = "imi.public"
# Replay (RabbitMQ streams bound to the public exchange): one per entitlement that can read it.
REPLAY_STREAM = "imi.public.replay"  # every public event without personal data
REPLAY_STREAM_PERSONAL = "imi.public.replay.personal"  # every public event

CATALOGUE_VERSION = "1.1"


@dataclass(frozen=True)
class PublicEvent:
    service: str
    event: str
    personal_data: bool = False

    @property
    def key(self) -> str:
        return f"{self.service}.{self.event}"


def _public(service: str, events: str, personal_data: bool = False) -> list[PublicEvent]:
    return [PublicEvent(service, name, personal_data) for name in events.split()]


PUBLIC: tuple[PublicEvent, ...] = tuple(
    # who works where, with which rights: a user id is a person's (pseudonymous) id
    _public(
        "identity",
        "user_created user_updated user_rights_changed user_replaced user_deleted "
        "first_login_completed",
        personal_data=True,
    )
    # the directory of authorities, registers, policies and reference lists: no person
    + _public(
        "directory",
        "authority_registered authority_updated authority_validated authority_activated "
        "coordinator_linked register_changed request_policy_changed terms_changed",
    )
    + _public("translation", "informal_titles_translated")
    # the system's own wording, settings, and the life of sent requests: ids and statuses only
    + _public(
        "requests",
        "question_set_published list_published area_settings_changed "
        "request_approved request_sent "
        "request_accepted request_forwarded request_split reply_sent "
        "additional_information_requested additional_information_declined "
        "additional_information_provided request_closed request_referred "
        "referral_opinion_given request_withdrawn reply_date_proposed "
        "reply_date_counter_proposed reply_date_agreed feedback_given attachment_added "
        "comment_added request_escalated request_inactive_reported "
        "request_personal_data_blocked request_personal_data_erased "
        "request_personal_data_contested request_personal_data_uncontested",
    )
    # the handlers an allocator chose are users
    + _public("requests", "request_allocated", personal_data=True)
)


def _internal(service: str, events: str, reason: str) -> dict[str, str]:
    """``<service>.<event>`` of each of ``events`` (names separated by spaces), with the reason
    it stays inside."""
    return {f"{service}.{name}": reason for name in events.split()}


NEVER_PUBLIC = "a secret (password, code, token) or a person's contact details, sensitive=True"
INTERNAL: dict[str, str] = {
    **_internal("identity", "temporary_password_issued password_reset_requested", NEVER_PUBLIC),
    **_internal(
        "directory", "first_user_requested invitation_created invitation_expiring", NEVER_PUBLIC
    ),
    **_internal(
        "identity", "user_blocked user_unblocked password_reset", "the security state of an account"
    ),
    **_internal("identity", "tokens_revoked", "session ids, for the services' token checks only"),
    **_internal(
        "directory",
        "invitation_held invitation_released",
        "the administration of invitations (user ids)",
    ),
    **_internal("directory", "invitation_expired", "the administration of invitations"),
    **_internal("translation", "texts_changed", "the services' text caches"),
    **_internal(
        "translation",
        "entry_registered entry_source_changed translation_submitted translation_reviewed "
        "translation_rejected",
        "the translation workflow",
    ),
    **_internal(
        "translation", "translations_imported", "the translation workflow (a translator's id)"
    ),
    **_internal(
        "requests",
        "request_created request_edited reply_draft_saved request_submitted_for_approval "
        "request_rejected",
        "a draft, seen by its own authority only",
    ),
    **_internal("notifications", "email_undeliverable", "the mail delivery of one user"),
    **_internal(
        "notifications",
        "webhook_subscription_created webhook_subscription_updated webhook_subscription_deleted",
        "the subscriptions themselves, for operators",
    ),
    **_internal(
        "notifications", "webhook_delivery_dead", "one subscriber's failed delivery, for operators"
    ),
    **dict.fromkeys(
        [f"notifications.{name}" for name in sorted(ALERT_EVENTS)]
        + ["notifications.alert_approval_setting_changed"],
        "alerts are confidential between the authorities concerned (DOMAIN.md section 5)",
    ),
    **dict.fromkeys(
        [f"notifications.{name}" for name in sorted(GENERIC_EVENTS | REPOSITORY_EVENTS)],
        "generic notifications and their repositories are for the authorities concerned "
        "(DOMAIN.md section 5)",
    ),
    **dict.fromkeys(
        [f"notifications.{name}" for name in sorted(TYPE_EVENTS)],
        "the definition of notification types, for the catalogue and operators",
    ),
}

_BY_KEY = {event.key: event for event in PUBLIC}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def public_event(service: str, event: str) -> PublicEvent | None:
    return _BY_KEY.get(f"{service}.{event}")


def public_keys(personal_data: bool = True) -> list[str]:
    """The routing keys (event names) of the public events, with or without personal data."""
    return [event.event for event in PUBLIC if personal_data or not event.personal_data]


def by_service() -> dict[str, list[PublicEvent]]:
    services: dict[str, list[PublicEvent]] = {}
    for event in PUBLIC:
        services.setdefault(event.service, []).append(event)
    return services


class EntitlementError(ValueError):
    """An entitlement naming an unknown or non-public event, or personal data not allowed."""


def entitlement(patterns: list[str], personal_data: bool = False) -> list[PublicEvent]:
    """The public events ``patterns`` name: ``all``, ``SERVICE.*`` or ``SERVICE.EVENT``
    (an event name alone is accepted too, names being unique). Events carrying personal data
    are kept only with ``personal_data``; naming one explicitly without it is an error, as is
    naming an internal or unknown event."""
    chosen: dict[str, PublicEvent] = {}
    for pattern in patterns:
        for part in pattern.replace(",", " ").split():
            if part == "all":
                found = [e for e in PUBLIC if personal_data or not e.personal_data]
            elif part.endswith(".*"):
                service = part[:-2]
                found = [
                    e for e in PUBLIC
                    if e.service == service and (personal_data or not e.personal_data)
                ]  # fmt: skip
                if not any(e.service == service for e in PUBLIC):
                    raise EntitlementError(f"{service} publishes no public event")
            else:
                key = part if "." in part else next(
                    (e.key for e in PUBLIC if e.event == part), part
                )  # fmt: skip
                event = _BY_KEY.get(key)
                if event is None:
                    reason = INTERNAL.get(key)
                    raise EntitlementError(
                        f"{part} is not a public event" + (f" ({reason})" if reason else "")
                    )
                if event.personal_data and not personal_data:
                    raise EntitlementError(
                        f"{part} carries personal data: the entitlement must allow it"
                    )
                found = [event]
            for event in found:
                chosen[event.key] = event
    if not chosen:
        raise EntitlementError("an entitlement names at least one public event")
    return [event for event in PUBLIC if event.key in chosen]


def routing_key_regex(events: list[PublicEvent]) -> str:
    """The topic permission (read) that lets a subscriber bind exactly these routing keys."""
    names = sorted({event.event for event in events})
    assert all(_NAME.match(name) for name in names)
    return "^(" + "|".join(names) + ")$"


def events_of_regex(regex: str) -> list[PublicEvent]:
    """The public events a ``routing_key_regex`` admits (to list an account's entitlement)."""
    match = re.fullmatch(r"\^\((.*)\)\$", regex)
    names = set(match.group(1).split("|")) if match else set()
    return [event for event in PUBLIC if event.event in names]


def replay_streams(events: list[PublicEvent]) -> list[str]:
    """The replay streams a subscriber entitled to ``events`` may read: a stream cannot be
    filtered per reader on this broker, so only one whose every event it is entitled to."""
    keys = {event.key for event in events}
    streams = []
    if keys >= {e.key for e in PUBLIC if not e.personal_data}:
        streams.append(REPLAY_STREAM)
    if keys >= set(_BY_KEY):
        streams.append(REPLAY_STREAM_PERSONAL)
    return streams
