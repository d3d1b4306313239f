"""Pure rules of generic notifications (DOMAIN.md section 5, docs/generic-notifications.md):
notification types defined as data per legislative area (their fields, who may send, who
receives, the repository they feed), a notification's content checked against its type, its
statuses, who may take which step, who reads it and the emails each step causes. No I/O: the
storage (services.notifications.generic_store) gathers the facts, these rules decide.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.common.actor import Actor, Right
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.notifications.domain import Audience, Mailing

# The directory's workflows whose roles make an authority take part in an area's generic
# notifications (sending, receiving) and read its repositories.
WORKFLOW = "notifications"
REPOSITORY_WORKFLOWS = ("notifications", "repositories")
NAMESPACE = "notification_type"
TEXT_MAX = 4000
# The largest magnitude a number field takes.
NUMBER_MAX = 10**15
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A type's key makes its texts' catalogue namespace, notification_type.<key>, which the
# catalogue keeps in 64 characters; the longest text key (an option's) then stays within 160.
TYPE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,45}$")
# A type's texts are written in English (their catalogue source), each in at most LABEL_MAX
# characters, and so is each of their translations.
SOURCE_LANGUAGE = "en"
LABEL_MAX = 200


class FieldKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"
    BOOLEAN = "boolean"


class Receivers(StrEnum):
    # the sender picks member states; their authorities taking part in the area's workflow
    CHOSEN_STATES = "chosen_states"
    # every other EEA state's authorities taking part in it
    ALL_STATES = "all_states"
    # the Commission's (pseudo state EU) authorities taking part in it
    COMMISSION = "commission"


# The rights a type may name as its senders; the same right reads and receives (the emails go
# to the recipients' users holding the type's first sending right).
SENDER_RIGHTS = (Right.REQUEST_HANDLER, Right.ALERT_HANDLER)


class Status(StrEnum):
    DRAFT = "draft"
    BROADCAST = "broadcast"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class Action(StrEnum):
    EDIT_DRAFT = "edit_draft"
    BROADCAST = "broadcast"
    MODIFY = "modify"
    COMMENT = "comment"
    WITHDRAW = "withdraw"
    CLOSE = "close"


# --- notification types ---------------------------------------------------------------------


def title_key(type_key: str) -> str:
    return f"{NAMESPACE}.{type_key}.title"


def label_key(type_key: str, field_name: str) -> str:
    return f"{NAMESPACE}.{type_key}.field_{field_name}"


def option_key(type_key: str, field_name: str, option: str) -> str:
    return f"{NAMESPACE}.{type_key}.option_{field_name}_{option}"


def type_document(key: str, data: dict) -> dict:
    """The stored document of a type from its input (already loaded by its schema): the
    catalogue key of every user-facing text next to its English source, checked for what a
    schema cannot say (field names unique, options only and always for a choice)."""
    errors: dict[str, list[str]] = {}
    names = [item["name"] for item in data["fields"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        errors["fields"] = [f"Field names appear twice: {', '.join(duplicates)}."]
    fields = []
    for item in data["fields"]:
        kind = FieldKind(item["kind"])
        options = list(dict.fromkeys(item.get("options") or []))
        if (kind == FieldKind.CHOICE) != bool(options):
            errors[f"fields.{item['name']}.options"] = [
                "A choice field needs its options; other kinds take none."
            ]
        fields.append({
            "name": item["name"], "kind": kind.value, "required": item["required"],
            "personal_data": item["personal_data"], "label": item["label"],
            "label_key": label_key(key, item["name"]),
            "options": [{"value": value, "label": (item.get("option_labels") or {}).get(
                value, value), "label_key": option_key(key, item["name"], value)}
                for value in options],
        })  # fmt: skip
    if errors:
        raise ValidationFailed.from_fields(errors)
    return {
        "key": key, "area": data["area"], "title": data["title"], "title_key": title_key(key),
        "fields": fields, "senders": sorted(set(data["senders"])),
        "receivers": data["receivers"], "repository": data.get("repository"),
        "active": data["active"],
    }  # fmt: skip


def catalogue_entries(document: dict) -> list[dict]:
    """The catalogue entries of a type version's user-facing texts (its title, field labels
    and option labels), each with its English source and what it is, for translators."""
    key, namespace = document["key"], f"{NAMESPACE}.{document['key']}"

    def entry(text_key: str, source: str, description: str) -> dict:
        return {
            "key": text_key,
            "namespace": namespace,
            "source_language": SOURCE_LANGUAGE,
            "source_text": source,
            "max_length": LABEL_MAX,
            "description": description,
        }

    entries = [
        entry(
            document["title_key"],
            document["title"],
            f"The title of the notification type {key} ({document['area']}). Shown in "
            "lists and in the email telling authorities of a new notification.",
        )
    ]
    for item in document["fields"]:
        name = item["name"]
        entries.append(
            entry(
                item["label_key"],
                item["label"],
                f"The label of the field {name} of the notification type {key}.",
            )
        )
        entries += [
            entry(
                option["label_key"],
                option["label"],
                f"An answer of the field {name} of the notification type {key}.",
            )
            for option in item["options"]
        ]
    return entries


def same_document(old: dict, new: dict) -> bool:
    return {k: v for k, v in old.items() if k != "version"} == {
        k: v for k, v in new.items() if k != "version"
    }


def may_define_types(actor: Actor) -> bool:
    return actor.has_right(Right.COMMISSION_ADMINISTRATOR)


# --- content --------------------------------------------------------------------------------


def check_content(document: dict, content: dict) -> dict:
    """The content of a notification of this type, each value of its field's kind, required
    fields present; ValidationFailed naming the field (``content.<name>``) otherwise."""
    if not isinstance(content, dict):
        raise ValidationFailed.from_fields({"content": ["An object of the type's fields."]})
    by_name = {item["name"]: item for item in document["fields"]}
    errors: dict[str, list[str]] = {}
    for name in content:
        if name not in by_name:
            errors[f"content.{name}"] = ["Unknown field for this notification type."]
    checked = {}
    for name, item in by_name.items():
        value = content.get(name)
        if value is None or value == "":
            if item["required"]:
                errors[f"content.{name}"] = ["Missing data for required field."]
            continue
        problem, clean = _value(item, value)
        if problem:
            errors[f"content.{name}"] = [problem]
        else:
            checked[name] = clean
    if errors:
        raise ValidationFailed.from_fields(errors, "The content does not fit its type.")
    return checked


def _value(item: dict, value) -> tuple[str | None, object]:
    kind = FieldKind(item["kind"])
    if kind == FieldKind.TEXT:
        if not isinstance(value, str):
            return "A text is expected.", None
        if len(value) > TEXT_MAX:
            return f"At most {TEXT_MAX} characters.", None
        return None, value
    if kind == FieldKind.BOOLEAN:
        return (None, value) if isinstance(value, bool) else ("true or false is expected.", None)
    if kind == FieldKind.NUMBER:
        good = isinstance(value, int | float) and not isinstance(value, bool)
        if not good or not math.isfinite(value) or abs(value) > NUMBER_MAX:
            return "A number is expected.", None
        return None, value
    if kind == FieldKind.DATE:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return None, date.fromisoformat(value).isoformat()
        except ValueError:
            return "A date (YYYY-MM-DD) is expected.", None
    options = [option["value"] for option in item["options"]]
    if value not in options:
        return f"One of: {', '.join(options)}.", None
    return None, value


def public_content(document: dict, content: dict) -> dict:
    """The content without its personal-data fields: what a repository entry keeps."""
    personal = {item["name"] for item in document["fields"] if item["personal_data"]}
    return {name: value for name, value in content.items() if name not in personal}


def has_personal_data(document: dict) -> bool:
    return any(item["personal_data"] for item in document["fields"])


def receiving_states(document: dict, sender_state: str, chosen: list[str]) -> list[str]:
    """The member states whose authorities receive a notification of this type, the
    Commission (``EU``) always among them; never the sender's own state."""
    receivers = Receivers(document["receivers"])
    if receivers == Receivers.COMMISSION:
        return [COMMISSION]
    if receivers == Receivers.ALL_STATES:
        return [state for state in EEA_COUNTRIES if state != sender_state] + [COMMISSION]
    return [*sorted({state for state in chosen if state != sender_state}), COMMISSION]


def check_states(document: dict, sender_state: str, chosen: list[str]) -> None:
    if Receivers(document["receivers"]) != Receivers.CHOSEN_STATES:
        if chosen:
            raise ValidationFailed.from_fields(
                {"member_states": ["This type chooses its receivers itself."]}
            )
        return
    if not chosen:
        raise ValidationFailed.from_fields({"member_states": ["Choose at least one."]})
    if sender_state in chosen:
        raise ValidationFailed.from_fields({"member_states": ["Not the sender's own state."]})


# --- who the actor is to a notification -----------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the rules need to know of one notification."""

    status: Status
    area: str
    senders: tuple[str, ...]
    sender_authority: str
    recipients: frozenset[str] = frozenset()


def works_with(actor: Actor, facts: Facts) -> bool:
    """The actor holds one of the type's sending rights in its area."""
    return any(actor.has_right(Right(right), facts.area) for right in facts.senders)


def is_sender(actor: Actor, facts: Facts) -> bool:
    return actor.authority_id == facts.sender_authority and works_with(actor, facts)


def is_recipient(actor: Actor, facts: Facts) -> bool:
    return actor.authority_id in facts.recipients and works_with(actor, facts)


def is_commission(actor: Actor) -> bool:
    return actor.has_right(Right.COMMISSION_ADMINISTRATOR)


def may_read(actor: Actor, facts: Facts) -> bool:
    """The sending authority's users of the type's rights; once broadcast, also the
    recipient authorities' and the Commission administrators. Nobody else learns it exists."""
    if is_sender(actor, facts):
        return True
    if facts.status == Status.DRAFT:
        return False
    return is_recipient(actor, facts) or is_commission(actor)


OPEN = frozenset({Status.BROADCAST})
# fmt: off
STEPS: dict[Action, tuple[frozenset[Status], tuple, str]] = {
    Action.EDIT_DRAFT: (frozenset({Status.DRAFT}), (is_sender,), "generic_notification_edited"),
    Action.BROADCAST: (frozenset({Status.DRAFT}), (is_sender,), "generic_notification_broadcast"),
    Action.MODIFY: (OPEN, (is_sender,), "generic_notification_modified"),
    Action.COMMENT: (OPEN, (is_sender, is_recipient), "generic_notification_comment_added"),
    Action.WITHDRAW: (OPEN | {Status.DRAFT}, (is_sender,), "generic_notification_withdrawn"),
    Action.CLOSE: (OPEN, (is_sender,), "generic_notification_closed"),
}
# fmt: on
AFTER = {
    Action.BROADCAST: Status.BROADCAST,
    Action.WITHDRAW: Status.WITHDRAWN,
    Action.CLOSE: Status.CLOSED,
}
EVENTS = frozenset({"generic_notification_created"} | {step[2] for step in STEPS.values()})
REPOSITORY_EVENTS = frozenset({"repository_entry_recorded", "repository_entry_removed"})
TYPE_EVENTS = frozenset({"notification_type_published", "notification_type_texts_published"})


def action_named(name: str) -> Action:
    try:
        return Action(name)
    except ValueError:
        raise Conflict(
            f"There is no notification action {name!r}.",
            "generic.unknown_action",
            {"action": name},
        ) from None


def check(actor: Actor, facts: Facts, action: Action) -> None:
    statuses, who, _event = STEPS[action]
    if facts.status not in statuses:
        raise Conflict(
            f"A notification in status {facts.status.value} does not take the action "
            f"{action.value}.",
            "generic.action_not_allowed",
            {"action": action.value, "status": facts.status.value},
        )
    if not any(allowed(actor, facts) for allowed in who):
        raise Forbidden(
            f"Your role towards this notification does not allow the action {action.value}.",
            "generic.role_missing",
            {"action": action.value},
        )


def actions_for(actor: Actor, facts: Facts) -> list[str]:
    return [
        action.value
        for action, (statuses, who, _event) in STEPS.items()
        if facts.status in statuses and any(allowed(actor, facts) for allowed in who)
    ]


def status_after(facts: Facts, action: Action) -> Status:
    return AFTER.get(action, facts.status)


def may_send_type(actor: Actor, document: dict) -> bool:
    return any(actor.has_right(Right(right), document["area"]) for right in document["senders"])


def unknown_type(key: str) -> NotFound:
    return NotFound(f"There is no notification type {key!r}.", "generic.unknown_type")


# --- who is emailed ---------------------------------------------------------------------------


def mailings(notification_id: str, document: dict, recipients: list[str]) -> list[Mailing]:
    """On broadcast and on modification: each recipient authority's users holding the type's
    first sending right in its area, and its functional address; the type's title and a link,
    never the content."""
    right = Right(document["senders"][0])
    return [
        Mailing(
            "email.notification_received",
            Audience((authority,), right, document["area"], functional=True),
            {
                "notification_type": {"label": document["title_key"], "source": document["title"]},
                "authority_name": {"authority": authority},
                "link": {"path": f"/notifications/{notification_id}"},
            },
        )
        for authority in sorted(recipients)
    ]
