"""Invitations to self-register, and self-registration (DOMAIN.md section 2).

A coordinator invites authorities in batches; each invitation carries a registration code
valid for a set number of days, of which only a SHA-256 digest is stored (the code itself
leaves once, in the sensitive ``invitation_created`` event for the mailer). Over a daily limit
the invitations are held until a Commission administrator releases them. A timer reminds
invitees before expiry and expires the codes. The invitee registers its authority with the
code; the authority waits for the inviting coordinator's validation, and only then does
identity send the first user's temporary password.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from sqlalchemy import func, select, update

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.rpc import ServiceClient
from services.directory import authorities, authority_views, search
from services.directory.addresses import lock_addresses
from services.directory.domain import (
    LIVE_INVITATIONS,
    Direction,
    InvitationPolicy,
    InvitationStatus,
    Rejection,
    Role,
    Status,
    TermKind,
    Workflow,
    due_for_reminder,
    has_expired,
    may_invite,
    may_release_invitations,
    may_resubmit,
    normalise_email,
    offers,
    rejection_of,
    usable,
    within_daily_limit,
)
from services.directory.models import AreaWorkflow, Authority, Invitation, Term

CONFIG_KEY = "DIRECTORY"
DEFAULT_SWEEP_SECONDS = 60
SWEEP_BATCH = 200
CODE_BYTES = 32  # 256 bits, 43 URL-safe characters
MAX_CODE_LENGTH = 64  # what a path parameter of the gateway may hold
REJECTION_DETAILS = {
    Rejection.DUPLICATED_EMAIL: "This address is registered already, or invited already.",
    Rejection.INVALID_EMAIL: "This is not a valid email address.",
    Rejection.NO_AREA: "Select at least one legislative area and workflow that you coordinate.",
}
UNUSABLE_CODE = "This registration code is unknown, used or expired: ask the coordinator who "
UNUSABLE_CODE += "invited you to re-submit the invitation."


# --- settings -------------------------------------------------------------------------------


def policy_from_config(config: dict) -> InvitationPolicy:
    section = config.get(CONFIG_KEY) or {}
    defaults = InvitationPolicy()
    return InvitationPolicy(
        max_per_day=int(section.get("MAX_INVITATIONS_PER_DAY", defaults.max_per_day)),
        valid_days=int(section.get("INVITATION_DAYS", defaults.valid_days)),
        reminder_days_before=int(
            section.get("REMINDER_DAYS_BEFORE", defaults.reminder_days_before)
        ),
    )


class Policy(DependencyProvider):
    """The invitation settings, read once per process."""

    def setup(self) -> None:
        self.policy = policy_from_config(self.container.config)

    def get_dependency(self, worker_ctx) -> InvitationPolicy:
        return self.policy


class SweepTimer(Timer):
    """nameko's timer, its interval read from the configuration (tests set a long one and
    call the entry point themselves)."""

    def __init__(self, **kwargs):
        super().__init__(interval=DEFAULT_SWEEP_SECONDS, **kwargs)

    def setup(self) -> None:
        section = self.container.config.get(CONFIG_KEY) or {}
        self.interval = float(section.get("INVITATION_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS))


sweep_timer = SweepTimer.decorator


# --- codes ----------------------------------------------------------------------------------


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def send(unit: UnitOfWork, policy: InvitationPolicy, invitation: Invitation) -> None:
    """A new registration code for ``policy.valid_days``; the code leaves only in the
    sensitive event for the mailer, deleted from the outbox once sent."""
    code = secrets.token_urlsafe(CODE_BYTES)
    now = unit.now()
    invitation.code_digest = code_digest(code)
    invitation.expires_at = now + timedelta(days=policy.valid_days)
    invitation.reminded_at = None
    invitation.status = InvitationStatus.SENT.value
    invitation.updated_at = now
    unit.record_event(
        "invitation_created",
        invitation.id,
        {
            "invitation_id": invitation.id,
            "batch_id": invitation.batch_id,
            "coordinator_id": invitation.coordinator_id,
            "member_state": invitation.member_state,
            "email": invitation.email,
            "language": invitation.language,
            "registration_code": code,
            "expires_at": invitation.expires_at,
        },
        sensitive=True,
    )


# --- inviting -------------------------------------------------------------------------------


def inviting_coordinator(unit: UnitOfWork, actor: Actor) -> Authority:
    own = authorities.own_place(unit, actor)
    if not may_invite(actor, own):
        raise Forbidden(
            "Only the data administrators of a coordinator invite authorities.",
            "invitation.not_coordinator",
        )
    return unit.session.get(Authority, own.id)


def offered_workflows(unit: UnitOfWork, coordinator: Authority) -> set[tuple[str, str]]:
    """The active (area, workflow) pairs the coordinator may invite to."""
    rows = unit.session.execute(
        select(AreaWorkflow.area, AreaWorkflow.workflow)
        .join(Term, (Term.code == AreaWorkflow.area) & (Term.kind == TermKind.LEGISLATIVE_AREA))
        .where(AreaWorkflow.active, Term.active)
    )
    coordinated = frozenset(coordinator.coordinated_areas or ())
    return {(area, workflow) for area, workflow in rows if offers(coordinated, area)}


def taken_emails(unit: UnitOfWork, emails: set[str], besides: str | None = None) -> set[str]:
    """Of ``emails``, those registered as an authority's address or live in an invitation."""
    if not emails:
        return set()
    registered = unit.session.scalars(
        select(func.lower(Authority.email)).where(func.lower(Authority.email).in_(emails))
    )
    invited = unit.session.scalars(
        select(Invitation.email).where(
            Invitation.email.in_(emails),
            Invitation.status.in_([status.value for status in LIVE_INVITATIONS]),
            Invitation.id != (besides or ""),
        )
    )
    return set(registered) | set(invited)


def pairs_of(item: dict) -> list[tuple[str, str]]:
    return [(area["area"], area["workflow"]) for area in item.get("areas") or ()]


def submitted(item: dict) -> dict:
    return {
        "email": item["email"],
        "language": item["language"],
        "areas": [{"area": a, "workflow": w} for a, w in pairs_of(item)],
        "official_name": item.get("official_name"),
    }


def invite(unit: UnitOfWork, actor: Actor, policy: InvitationPolicy, request: dict) -> dict:
    """A batch: each item checked and rejected with its reason, or accepted; of the accepted,
    those over the coordinator's daily limit are held for the Commission."""
    coordinator = inviting_coordinator(unit, actor)
    items = request["invitations"]
    offered = offered_workflows(unit, coordinator)
    emails = {normalise_email(item["email"]) for item in items}
    lock_addresses(unit, emails)
    taken = taken_emails(unit, emails)
    accepted, rejections = [], []
    for index, item in enumerate(items):
        reason = rejection_of(item["email"], pairs_of(item), taken, offered)
        if reason is not None:
            rejections.append({"index": index, "reason": reason.value,
                               "detail": REJECTION_DETAILS[reason],
                               "invitation": submitted(item)})  # fmt: skip
            continue
        taken.add(normalise_email(item["email"]))
        accepted.append(item)
    now = unit.now()
    already = unit.session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.coordinator_id == coordinator.id,
            Invitation.created_at > now - timedelta(days=1),
        )
    )  # fmt: skip
    sent, held = within_daily_limit(already or 0, len(accepted), policy.max_per_day)
    batch_id = str(uuid.uuid4())
    invitations = []
    for position, item in enumerate(accepted):
        invitation = Invitation(
            id=str(uuid.uuid4()), batch_id=batch_id, coordinator_id=coordinator.id,
            invited_by=actor.user_id, email=normalise_email(item["email"]),
            language=item["language"], member_state=coordinator.member_state,
            areas=submitted(item)["areas"], official_name=item.get("official_name"),
            status=InvitationStatus.HELD.value, created_at=now, updated_at=now,
            updated_by=actor.user_id, version=1,
        )  # fmt: skip
        unit.session.add(invitation)
        if position < sent:
            send(unit, policy, invitation)
        invitations.append(invitation)
    if held:
        unit.record_event(
            "invitation_held",
            batch_id,
            {"batch_id": batch_id, "coordinator_id": coordinator.id,
             "member_state": coordinator.member_state, "invited_by": actor.user_id,
             "held": held, "invitation_ids": [item.id for item in invitations[sent:]]},
        )  # fmt: skip
    return {
        "batch_id": batch_id,
        "accepted": len(accepted),
        "rejected": len(rejections),
        "held": held,
        "invitations": [view(item) for item in invitations],
        "rejections": rejections,
    }


def view(invitation: Invitation) -> dict:
    return {
        "id": invitation.id,
        "batch_id": invitation.batch_id,
        "coordinator_id": invitation.coordinator_id,
        "email": invitation.email,
        "language": invitation.language,
        "member_state": invitation.member_state,
        "areas": list(invitation.areas),
        "official_name": invitation.official_name,
        "status": invitation.status,
        "expires_at": invitation.expires_at,
        "reminded_at": invitation.reminded_at,
        "authority_id": invitation.authority_id,
        "created_at": invitation.created_at,
        "updated_at": invitation.updated_at,
        "version": invitation.version,
    }


def listed(unit: UnitOfWork, actor: Actor, query: dict) -> tuple[list[dict], int]:
    """A coordinator's own invitations; the Commission's administrators see every one (they
    release the held ones)."""
    statement = select(Invitation)
    if not may_release_invitations(actor):
        statement = statement.where(
            Invitation.coordinator_id == inviting_coordinator(unit, actor).id
        )
    if query.get("status"):
        statement = statement.where(Invitation.status == query["status"])
    total = unit.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = unit.session.scalars(
        statement.order_by(Invitation.created_at.desc(), Invitation.id)
        .limit(query["page_size"])
        .offset((query["page"] - 1) * query["page_size"])
    )
    return [view(item) for item in rows], total or 0


def resubmit(
    unit: UnitOfWork, actor: Actor, policy: InvitationPolicy, invitation_id: str, request: dict
) -> Invitation:
    """An expired invitation, possibly edited, sent again: a new code, a new period."""
    coordinator = inviting_coordinator(unit, actor)
    invitation = unit.session.get(Invitation, invitation_id) if _is_id(invitation_id) else None
    if invitation is None or invitation.coordinator_id != coordinator.id:
        raise NotFound("No invitation of yours is known by this id.", "invitation.unknown")
    if not may_resubmit(invitation.status):
        raise Conflict(
            f"Only an expired invitation is re-submitted; this one is {invitation.status}.",
            "invitation.not_expired",
            {"status": invitation.status},
        )
    item = {**submitted(view(invitation)), **request}
    email = normalise_email(item["email"])
    lock_addresses(unit, [email])
    reason = rejection_of(
        email, pairs_of(item), taken_emails(unit, {email}, besides=invitation.id),
        offered_workflows(unit, coordinator),
    )  # fmt: skip
    if reason is not None:
        raise ValidationFailed(
            REJECTION_DETAILS[reason], f"invitation.{reason.value}", {"reason": reason.value}
        )
    invitation.email, invitation.language = email, item["language"]
    invitation.areas = submitted(item)["areas"]
    invitation.official_name = item.get("official_name")
    invitation.touch(actor.user_id, unit.now())
    send(unit, policy, invitation)
    return invitation


def release(unit: UnitOfWork, actor: Actor, policy: InvitationPolicy, request: dict) -> dict:
    """A Commission administrator confirms held invitations: they are sent now."""
    if not may_release_invitations(actor):
        raise Forbidden(
            "Only a Commission administrator releases held invitations.",
            "invitation.not_commission",
        )
    statement = select(Invitation).where(Invitation.status == InvitationStatus.HELD.value)
    if "batch_id" in request:
        statement = statement.where(Invitation.batch_id == request["batch_id"])
    else:
        statement = statement.where(Invitation.id.in_(request["invitation_ids"]))
    released = list(unit.session.scalars(statement.order_by(Invitation.created_at, Invitation.id)))
    for invitation in released:
        invitation.released_by = actor.user_id
        invitation.touch(actor.user_id, unit.now())
        send(unit, policy, invitation)
        unit.record_event(
            "invitation_released",
            invitation.id,
            {"invitation_id": invitation.id, "batch_id": invitation.batch_id,
             "coordinator_id": invitation.coordinator_id, "released_by": actor.user_id},
        )  # fmt: skip
    return {"released": len(released), "invitations": [view(item) for item in released]}


# --- reminders and expiry -------------------------------------------------------------------


def sweep(unit: UnitOfWork, policy: InvitationPolicy) -> tuple[int, int]:
    """(reminded, expired). Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so
    replicas running the same timer never remind or expire one invitation twice."""
    now = unit.now()
    sent = InvitationStatus.SENT.value
    reminders = unit.session.scalars(
        select(Invitation)
        .where(
            Invitation.status == sent,
            Invitation.reminded_at.is_(None),
            Invitation.expires_at > now,
            Invitation.expires_at <= now + timedelta(days=policy.reminder_days_before),
        )
        .order_by(Invitation.expires_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    reminders = [
        item
        for item in reminders
        if due_for_reminder(item.status, item.expires_at, item.reminded_at, now,
                            policy.reminder_days_before)
    ]  # fmt: skip
    for invitation in reminders:
        invitation.reminded_at = now
        unit.record_event(
            "invitation_expiring",
            invitation.id,
            {"invitation_id": invitation.id, "email": invitation.email,
             "language": invitation.language, "expires_at": invitation.expires_at},
            sensitive=True,
        )  # fmt: skip
    ended = unit.session.scalars(
        select(Invitation)
        .where(Invitation.status == sent, Invitation.expires_at <= now)
        .order_by(Invitation.expires_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    ended = [item for item in ended if has_expired(item.status, item.expires_at, now)]
    for invitation in ended:
        invitation.status = InvitationStatus.EXPIRED.value
        invitation.touch(None, now)
        unit.record_event(
            "invitation_expired",
            invitation.id,
            {"invitation_id": invitation.id, "batch_id": invitation.batch_id,
             "coordinator_id": invitation.coordinator_id, "expired_at": now},
        )  # fmt: skip
    return len(reminders), len(ended)


# --- self-registration ----------------------------------------------------------------------


def _is_id(value) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 64


def invitation_of_code(unit: UnitOfWork, code: str) -> Invitation:
    """The invitation a code opens; the same answer for an unknown, a used and an expired
    code, so that nothing tells which invitations exist (a malformed one included)."""
    if not isinstance(code, str) or not 1 <= len(code) <= MAX_CODE_LENGTH:
        raise NotFound(UNUSABLE_CODE, "invitation.code_unusable")
    invitation = unit.session.scalar(
        select(Invitation).where(Invitation.code_digest == code_digest(code))
    )
    if invitation is None or not usable(invitation.status, invitation.expires_at, unit.now()):
        raise NotFound(UNUSABLE_CODE, "invitation.code_unusable")
    return invitation


def check_code(unit: UnitOfWork, code: str) -> dict:
    """What the self-registration form is prefilled with."""
    invitation = invitation_of_code(unit, code)
    return {
        "member_state": invitation.member_state,
        "email": invitation.email,
        "language": invitation.language,
        "areas": list(invitation.areas),
        "official_name": invitation.official_name,
        "coordinator": authority_views.coordinator_ref(unit, invitation.coordinator_id),
        "expires_at": invitation.expires_at,
    }


def registered_areas(unit: UnitOfWork, invitation: Invitation, request: dict) -> list[dict]:
    """The areas the authority works in: the invitation's unless it chose others, all within
    what its coordinator coordinates."""
    chosen = request.get("areas") or invitation.areas
    pairs = sorted({(item["area"], item["workflow"]) for item in chosen})
    coordinator = unit.session.get(Authority, invitation.coordinator_id)
    outside = sorted(set(pairs) - offered_workflows(unit, coordinator))
    if outside:
        names = ", ".join(f"{area}/{workflow}" for area, workflow in outside)
        raise ValidationFailed.from_fields(
            {"areas": [f"Not an area and workflow your coordinator coordinates: {names}."]}
        )
    return [
        {"area": area, "workflow": Workflow(workflow), "roles": [Role.AUTHORITY],
         "direction": Direction.BOTH}
        for area, workflow in pairs
    ]  # fmt: skip


def self_register(unit: UnitOfWork, identity: ServiceClient, request: dict) -> dict:
    """The invited authority, pending validation by the inviting coordinator, and its first
    user asked of identity with a username reserved now to be shown in the summary; the
    temporary password follows the validation."""
    invitation = invitation_of_code(unit, request["registration_code"])
    data = {
        **{key: value for key, value in request.items() if key != "registration_code"},
        "member_state": invitation.member_state,
        "areas": registered_areas(unit, invitation, request),
    }
    authorities.check_references(unit, data)
    unit.release_connection()  # not held while identity answers; the claim below re-checks
    username = (
        identity.using(idempotency_key=f"self-registration:{invitation.id}")
        .reserve_username(invitation.member_state)["username"]
    )  # fmt: skip
    claimed = unit.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == InvitationStatus.SENT.value)
        .values(status=InvitationStatus.USED.value, updated_at=unit.now(), updated_by=None,
                version=Invitation.version + 1)
    )  # fmt: skip
    if claimed.rowcount != 1:
        raise NotFound(UNUSABLE_CODE, "invitation.code_unusable")
    coordinator_id = invitation.coordinator_id
    authority = authorities.new_authority(
        unit, None, data, Status.PENDING_VALIDATION, coordinator_id
    )
    for item in data["areas"]:
        authorities.add_link(
            unit, None, authority, item["area"], item["workflow"].value, coordinator_id
        )
    unit.session.flush()
    unit.session.refresh(invitation)
    invitation.authority_id = authority.id
    search.index_authority(unit, authority)
    authorities.record_authority_event(unit, "authority_registered", authority, changed=[])
    authorities.request_first_user(
        unit, authority, request["first_user"], password_now=False, username=username
    )
    return summary(unit, authority, username, request["first_user"])


def summary(unit: UnitOfWork, authority: Authority, username: str, first_user: dict) -> dict:
    """What the invitee saves or prints: everything entered, and the username."""
    return {
        "authority": authority_views.view(unit, authority, first_user["language"]),
        "status": authority.status,
        "username": username,
        "first_user": first_user,
        "validating_coordinator": authority_views.coordinator_ref(
            unit, authority.validating_coordinator_id
        ),
        "next_step": "self_registration.pending_validation",
        "detail": (
            "Save or print this summary: the username is shown only here and is never emailed. "
            "Your coordinator now checks and validates your authority; the first user then "
            "receives a temporary password by email and logs in with this username."
        ),
    }
