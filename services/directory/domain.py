"""The directory's rules (DOMAIN.md sections 1 and 2), without I/O.

Who may register, validate or edit which authority depends on the actor's rights and on where
the actor's own authority sits in the coordinator hierarchy: one NIMIC per member state, SDIMICs
for a region, DIMICs for an area or a region or both, LIMICs for one area. The functions here
answer those questions from plain facts that services.directory.authorities reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
