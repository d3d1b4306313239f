"""The directory's rules (DOMAIN.md sections 1 and 2), without I/O.

Who may register, validate or edit which authority depends on the actor's rights and on where
the actor's own authority sits in the coordinator hierarchy: one NIMIC per member state, SDIMICs
for a region, DIMICs for an area or a region or both, LIMICs for one area. The functions here
answer those questions from plain facts that services.directory.authorities reads.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.actor import Actor, Right
from services.common.reference import COMMISSION


class Workflow(StrEnum):
    INFORMATION_REQUESTS = "information_requests"
    ALERTS = "alerts"
    NOTIFICATIONS = "notifications"
    REPOSITORIES = "repositories"


class Role(StrEnum):
    """An authority's roles per legislative area and workflow (DOMAIN.md section 1)."""

    AUTHORITY = "authority"
    REQUEST_COORDINATOR = "request_coordinator"
    INCOMING_ALERT_MAILBOX = "incoming_alert_mailbox"
    ALERT_COORDINATOR = "alert_coordinator"
    ALERT_AUTHORITY = "alert_authority"


class Direction(StrEnum):
    SEND = "send"
    RECEIVE = "receive"
    BOTH = "both"


class CoordinatorKind(StrEnum):
    NIMIC = "NIMIC"
    SDIMIC = "SDIMIC"
    DIMIC = "DIMIC"
    LIMIC = "LIMIC"


class Status(StrEnum):
    PENDING_VALIDATION = "pending_validation"
    VALIDATED = "validated"


class TitleStatus(StrEnum):
    ORIGINAL = "original"
    TRANSLATED = "translated"
    MACHINE = "machine"


class TermKind(StrEnum):
    """The reference lists the directory keeps."""

    LEGISLATIVE_AREA = "legislative_area"
    WORKFLOW = "workflow"
    ROLE = "role"
    PROFESSION_SECTOR = "profession_sector"
    PROFESSION = "profession"
    ECONOMIC_ACTIVITY = "economic_activity"
    POLICY_AREA = "policy_area"
    KEYWORD = "keyword"


class CompetenceKind(StrEnum):
    """Areas of competence: each is a code of the reference list of the same name."""

    KEYWORD = "keyword"
    ECONOMIC_ACTIVITY = "economic_activity"
    POLICY_AREA = "policy_area"
    PROFESSION = "profession"


# Who may register a coordinator of each kind (the Commission may register any).
REGISTERED_BY: dict[CoordinatorKind | None, frozenset[CoordinatorKind]] = {
    CoordinatorKind.NIMIC: frozenset(),
    CoordinatorKind.SDIMIC: frozenset({CoordinatorKind.NIMIC}),
    CoordinatorKind.LIMIC: frozenset({CoordinatorKind.NIMIC}),
    CoordinatorKind.DIMIC: frozenset(
        {CoordinatorKind.NIMIC, CoordinatorKind.SDIMIC, CoordinatorKind.LIMIC}
    ),
    None: frozenset(CoordinatorKind),
}


@dataclass(frozen=True)
class Place:
    """Where an authority sits: what the permission rules need to know of it."""

    id: str
    member_state: str
    region: str | None = None
    coordinator_kind: CoordinatorKind | None = None
    coordinated_region: str | None = None
    coordinated_areas: frozenset[str] = frozenset()
    validating_coordinator_id: str | None = None
    linked_coordinator_ids: frozenset[str] = field(default_factory=frozenset)
    areas: frozenset[str] = frozenset()

    @property
    def is_coordinator(self) -> bool:
        return self.coordinator_kind is not None

    def covers(self, member_state: str, region: str | None, areas: frozenset[str]) -> bool:
        """Whether this coordinator's scope takes in an authority of that state, region and
        legislative areas."""
        if not self.is_coordinator or member_state != self.member_state:
            return False
        if self.coordinated_region and region != self.coordinated_region:
            return False
        return not self.coordinated_areas or areas <= self.coordinated_areas


def is_commission_administrator(actor: Actor) -> bool:
    return actor.member_state == COMMISSION and actor.has_right(Right.COMMISSION_ADMINISTRATOR)


def acts_for_coordinator(actor: Actor, own: Place | None) -> bool:
    """A data administrator of a coordinator acts with the coordinator's powers."""
    return own is not None and own.is_coordinator and actor.has_right(Right.DATA_ADMINISTRATOR)


def may_register(
    actor: Actor,
    own: Place | None,
    kind: CoordinatorKind | None,
    member_state: str,
    region: str | None,
    areas: frozenset[str],
) -> bool:
    """Registration by a coordinator (or the Commission) within its scope; the hierarchy
    decides which coordinators may register which kind (a DIMIC never registers DIMICs)."""
    if is_commission_administrator(actor):
        return True
    if not acts_for_coordinator(actor, own):
        return False
    if own.coordinator_kind not in REGISTERED_BY[kind]:
        return False
    return own.covers(member_state, region, areas)


def may_validate(actor: Actor, own: Place | None, authority: Place) -> bool:
    """A self-registration is validated by the coordinator it was invited by."""
    if is_commission_administrator(actor):
        return True
    return acts_for_coordinator(actor, own) and authority.validating_coordinator_id == own.id


def may_change_official_name(actor: Actor, own: Place | None, authority: Place) -> bool:
    """Only the validating coordinator, or the Commission for a NIMIC (or an authority
    without a validating coordinator)."""
    if authority.validating_coordinator_id is None:
        return is_commission_administrator(actor)
    return acts_for_coordinator(actor, own) and authority.validating_coordinator_id == own.id


def coordinates(own: Place | None, authority: Place) -> bool:
    return own is not None and (
        authority.validating_coordinator_id == own.id or own.id in authority.linked_coordinator_ids
    )


def may_edit(actor: Actor, own: Place | None, authority: Place) -> bool:
    """Local data administrators edit their own authority; data administrators of a
    coordinator edit the authorities it coordinates; the Commission edits any."""
    if is_commission_administrator(actor):
        return True
    if actor.authority_id == authority.id and actor.has_right(Right.LOCAL_DATA_ADMINISTRATOR):
        return True
    return acts_for_coordinator(actor, own) and coordinates(own, authority)


def may_set_roles(actor: Actor, own: Place | None, authority: Place) -> bool:
    """Roles per area and workflow are decided by coordinators, never by the authority."""
    if is_commission_administrator(actor):
        return True
    return acts_for_coordinator(actor, own) and coordinates(own, authority)


# --- an authority's settings and the request policies -----------------------------------------

# What an authority decides about its own part in information requests (DOMAIN.md sections 1
# and 4): whether it works with allocation, and whether its coordinators see full details
# (without personal data) of requests that need their intervention (approval, referral).
AUTHORITY_SETTINGS = ("uses_allocation", "coordinator_full_view")


def may_change_settings(actor: Actor, own: Place | None, authority: Place) -> bool:
    """The authority's settings are its data: those who may edit it change them (its local
    data administrators, the data administrators of a coordinator of it, the Commission)."""
    return may_edit(actor, own, authority)


class PolicyRefusal(StrEnum):
    """Why an actor may not set a request policy (the 403's code)."""

    NOT_COORDINATOR = "request_policy.not_coordinator"
    OUTSIDE_SCOPE = "request_policy.outside_scope"


def request_policy_refusal(
    actor: Actor, own: Place | None, member_state: str, region: str | None, area: str
) -> PolicyRefusal | None:
    """Request policies are a member state's: its NIMIC sets them for the whole state and any
    region, a regional or area coordinator (SDIMIC, DIMIC, LIMIC) within its scope only (its
    region, its areas). Through their data administrators; None when the actor may."""
    if not acts_for_coordinator(actor, own):
        return PolicyRefusal.NOT_COORDINATOR
    if not own.covers(member_state, region, frozenset({area})):
        return PolicyRefusal.OUTSIDE_SCOPE
    return None


@dataclass(frozen=True)
class EffectivePolicy:
    """What applies to outgoing information requests of one authority in one area."""

    approval_required: bool = False
    referral_enabled: bool = False


NO_POLICY = EffectivePolicy()


def _policy_value(row, name: str, default=None):
    return row.get(name, default) if isinstance(row, Mapping) else getattr(row, name, default)


def effective_policy(
    rows: Iterable, member_state: str, region: str | None, area: str
) -> EffectivePolicy:
    """The request policy for an authority of ``member_state`` and ``region`` in legislative
    ``area`` (DOMAIN.md section 1, "Who decides roles"): of the rows of that state and area, the
    one of the authority's region if there is one, else the one of the whole member state
    (``region`` None); without either, nothing is required or enabled.

    ``rows`` hold the latest state of each key (as a read model keeps them: one per
    ``policy_id``, the highest version): mappings (a ``request_policy_changed`` event's
    payload, a row of the list) or objects with the attributes ``member_state``, ``region``,
    ``area``, ``approval_required``, ``referral_enabled`` and, optionally, ``deleted``; a
    deleted row counts as absent. Regions are compared as written, as coordinators' regions
    are."""
    national = regional = None
    for row in rows:
        if (_policy_value(row, "member_state"), _policy_value(row, "area")) != (member_state, area):
            continue
        if _policy_value(row, "deleted", False):
            continue
        row_region = _policy_value(row, "region")
        if row_region is None:
            national = row
        elif region is not None and row_region == region:
            regional = row
    chosen = regional if regional is not None else national
    if chosen is None:
        return NO_POLICY
    return EffectivePolicy(
        approval_required=bool(_policy_value(chosen, "approval_required")),
        referral_enabled=bool(_policy_value(chosen, "referral_enabled")),
    )


POLICY_NAMESPACE = uuid.UUID("0c7e4f1a-6b2d-5e83-9a47-d1f0b3c5e289")


def policy_id(member_state: str, region: str | None, area: str) -> str:
    """The id of the policy row of (member state, region, area): a uuid5 of the three, so
    there is one row per key and a key's row keeps its id (and its versions) when deleted
    and set again."""
    return str(uuid.uuid5(POLICY_NAMESPACE, json.dumps([member_state, region, area])))


# --- directory of registers -----------------------------------------------------------------


class RegisterAccess(StrEnum):
    """Who may consult the register itself (not its entry here, which every user reads)."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    ON_REQUEST = "on_request"


class RegisterChange(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    TRANSLATED = "translated"
    DELETED = "deleted"


class RegisterTextStatus(StrEnum):
    """``outdated``: a translation made before the source text last changed, still shown."""

    ORIGINAL = "original"
    TRANSLATED = "translated"
    OUTDATED = "outdated"


def may_keep_register(actor: Actor, own: Place | None, authority: Place) -> bool:
    """Any authority may add registers: those who may edit the responsible authority keep
    its registers (its local data administrators, its coordinators, the Commission)."""
    return may_edit(actor, own, authority)


def may_translate_register(actor: Actor, own: Place | None, authority: Place) -> bool:
    """The register's keepers, and the Commission's translators."""
    if actor.member_state == COMMISSION and actor.has_right(Right.COMMISSION_TRANSLATOR):
        return True
    return may_keep_register(actor, own, authority)


def text_language(available: set[str], wanted: str, source: str) -> str:
    """The language of the texts a reader gets: theirs if translated, else the source's."""
    return wanted if wanted in available else source


# --- invitations and self-registration ------------------------------------------------------


class InvitationStatus(StrEnum):
    """``held``: over the daily limit, waiting for a Commission administrator; ``sent``: its
    registration code works; ``used`` once an authority registered with it; ``expired`` when
    its 30 days passed (the coordinator may re-submit it)."""

    HELD = "held"
    SENT = "sent"
    USED = "used"
    EXPIRED = "expired"


LIVE_INVITATIONS = frozenset({InvitationStatus.HELD, InvitationStatus.SENT})


class Rejection(StrEnum):
    """Why an invitation of a batch was refused (the three reasons of the IMI FAQ)."""

    DUPLICATED_EMAIL = "duplicated_email"
    INVALID_EMAIL = "invalid_email"
    NO_AREA = "no_area"


@dataclass(frozen=True)
class InvitationPolicy:
    """The settings of DOMAIN.md section 2, from the DIRECTORY section of the configuration."""

    max_per_day: int = 100
    valid_days: int = 30
    reminder_days_before: int = 5


_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def normalise_email(email: str) -> str:
    """Addresses are compared without surrounding spaces and case."""
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and _EMAIL.fullmatch(email) is not None and ".." not in email


def rejection_of(
    email: str, areas: list[tuple[str, str]], taken: set[str], offered: set[tuple[str, str]]
) -> Rejection | None:
    """Why the invitation cannot be sent, or None. ``taken``: addresses already registered or
    invited; ``offered``: the (area, workflow) pairs the coordinator may invite to."""
    address = normalise_email(email)
    if not is_valid_email(address):
        return Rejection.INVALID_EMAIL
    if address in taken:
        return Rejection.DUPLICATED_EMAIL
    if not areas or not set(areas) <= offered:
        return Rejection.NO_AREA
    return None


def within_daily_limit(already: int, accepted: int, limit: int) -> tuple[int, int]:
    """(sent, held): what a coordinator's invitations of the last day leave room for is sent,
    the rest is held until a Commission administrator releases it."""
    sent = min(accepted, max(limit - already, 0))
    return sent, accepted - sent


def may_invite(actor: Actor, own: Place | None) -> bool:
    """Invitations are a coordinator's (its data administrators')."""
    return acts_for_coordinator(actor, own)


def may_release_invitations(actor: Actor) -> bool:
    return is_commission_administrator(actor)


def offers(coordinated_areas: frozenset[str], area: str) -> bool:
    """A coordinator of some areas invites (and is linked) only for those; one of every area
    (a NIMIC, a regional coordinator) for any."""
    return not coordinated_areas or area in coordinated_areas


def usable(status: str, expires_at: datetime | None, now: datetime) -> bool:
    """A registration code works once, while its invitation is sent and not yet expired."""
    return status == InvitationStatus.SENT and expires_at is not None and now < expires_at


def due_for_reminder(
    status: str, expires_at: datetime | None, reminded_at: datetime | None, now: datetime,
    days_before: int,
) -> bool:  # fmt: skip
    """Once, in the last ``days_before`` days of a code that still works."""
    return (
        usable(status, expires_at, now)
        and reminded_at is None
        and expires_at - timedelta(days=days_before) <= now
    )


def has_expired(status: str, expires_at: datetime | None, now: datetime) -> bool:
    return status == InvitationStatus.SENT and expires_at is not None and expires_at <= now


def may_resubmit(status: str) -> bool:
    """An expired invitation gets a new code and a new period; a live one needs none and a
    used one has done its work."""
    return status == InvitationStatus.EXPIRED


# --- reference lists ------------------------------------------------------------------------

# Member states are the shared kernel's (services.common.reference), read like the other lists.
MEMBER_STATE = "member_state"
LISTED_KINDS = (*(kind.value for kind in TermKind), MEMBER_STATE)

# Whose child an entry is: a profession's sector, a keyword's area, a NACE division's section.
PARENT_KINDS = {
    TermKind.PROFESSION: TermKind.PROFESSION_SECTOR,
    TermKind.KEYWORD: TermKind.LEGISLATIVE_AREA,
    TermKind.ECONOMIC_ACTIVITY: TermKind.ECONOMIC_ACTIVITY,
}
PARENT_REQUIRED = frozenset({TermKind.PROFESSION, TermKind.KEYWORD})

# Workflows and roles are implemented by the software: their names can be edited, but an
# addition would be a code nobody handles.
FIXED_KINDS = frozenset({TermKind.WORKFLOW, TermKind.ROLE})


def may_maintain_terms(actor: Actor) -> bool:
    """The reference lists are EU-level and maintained by the Commission (DOMAIN.md 2)."""
    return is_commission_administrator(actor)


def new_term_errors(
    kind: TermKind, parent: str | None, workflows: list[str] | None
) -> dict[str, list[str]]:
    """What is wrong with the shape of a new entry of ``kind``, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if kind in FIXED_KINDS:
        errors["kind"] = [f"New {kind.value}s come with the software; their names can be edited."]
    if parent is None and kind in PARENT_REQUIRED:
        errors["parent"] = [f"A {kind.value.replace('_', ' ')} needs its parent."]
    if parent is not None and kind not in PARENT_KINDS:
        errors["parent"] = [f"A {kind.value.replace('_', ' ')} has no parent."]
    if kind == TermKind.LEGISLATIVE_AREA and not workflows:
        errors["workflows"] = ["A legislative area comes with at least one workflow."]
    if kind != TermKind.LEGISLATIVE_AREA and workflows:
        errors["workflows"] = ["Only a legislative area has workflows."]
    return errors
