"""Request policies (DOMAIN.md section 1, "Who decides roles"): whether outgoing information
requests need a coordinator's approval, and whether referral to the coordinators is enabled,
configured per member state, per region and per legislative area. The most specific row
applies (services.directory.domain.effective_policy); the requests service learns every change
from ``request_policy_changed``.

One row per (member state, region, area), its id a uuid5 of the key: two coordinators setting
a new key at once clash on the primary key (409 ``request_policy.exists``), two editing one
row race on its version (409 ``error.stale_version``). A deleted policy stays as a tombstone,
so that its version goes on when the key is set again.
"""

from __future__ import annotations

from sqlalchemy import select

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Forbidden, NotFound, StaleVersion, ValidationFailed
from services.common.models import stale_version
from services.directory import terms
from services.directory.authorities import own_place
from services.directory.domain import PolicyRefusal, Workflow, policy_id, request_policy_refusal
from services.directory.models import RequestPolicy

REFUSALS = {
    PolicyRefusal.NOT_COORDINATOR: "Request policies are set by the data administrators of "
    "the member state's IMI coordinators.",
    PolicyRefusal.OUTSIDE_SCOPE: "Your coordinator's scope does not cover this member state, "
    "region or legislative area: only its national coordinator, or the coordinator of that "
    "region or area, sets this policy.",
}


def listing(unit: UnitOfWork, query: dict) -> list[RequestPolicy]:
    """A member state's policies in force (any logged-in user reads them)."""
    statement = select(RequestPolicy).where(
        RequestPolicy.member_state == query["member_state"], RequestPolicy.deleted.is_(False)
    )
    if query.get("area"):
        statement = statement.where(RequestPolicy.area == query["area"])
    rows = unit.session.scalars(statement).all()
    return sorted(rows, key=lambda row: (row.region is not None, row.region or "", row.area))


def require_setter(unit: UnitOfWork, actor: Actor, member_state: str, region, area: str) -> None:
    refusal = request_policy_refusal(actor, own_place(unit, actor), member_state, region, area)
    if refusal is not None:
        raise Forbidden(REFUSALS[refusal], refusal.value)


def gone(row: RequestPolicy) -> StaleVersion:
    """The conflict of an edit of a policy deleted since it was read: no current version,
    and who deleted it when."""
    return StaleVersion(
        "This request policy was deleted since you read it; read the policies again.",
        None,
        {"current_version": None, "changed_by": row.updated_by,
         "changed_at": row.updated_at.isoformat()},
    )  # fmt: skip


def put(unit: UnitOfWork, actor: Actor, request: dict) -> RequestPolicy:
    """Set the policy of a key: a new one without ``version``, an existing one with the
    version read (a compare-and-set). Nothing changes, and nothing is published, when the
    values are those stored."""
    require_setter(unit, actor, request["member_state"], request["region"], request["area"])
    return store(unit, request, actor.user_id)


def store(unit: UnitOfWork, request: dict, by: str | None) -> RequestPolicy:
    """Set a policy as ``put`` does, for ``by`` (None: the system, as demo data is)."""
    member_state, region, area = request["member_state"], request["region"], request["area"]
    terms.require_workflows(unit, {(area, Workflow.INFORMATION_REQUESTS.value)}, "area")
    version = request.get("version")
    now = unit.now()
    row = unit.session.get(RequestPolicy, policy_id(member_state, region, area))
    if row is None:
        if version is not None:
            raise stale_version(None)
        row = RequestPolicy(
            id=policy_id(member_state, region, area), member_state=member_state, region=region,
            area=area, approval_required=request["approval_required"],
            referral_enabled=request["referral_enabled"], deleted=False, created_at=now,
            version=1, updated_at=now, updated_by=by,
        )  # fmt: skip
        unit.session.add(row)
        unit.session.flush()
        record_change(unit, row)
        return row
    if row.deleted:
        if version is not None:
            raise gone(row)
    elif version is None:
        raise stale_version(row)
    else:
        row.require_version(version)
    wanted = (request["approval_required"], request["referral_enabled"], False)
    if (row.approval_required, row.referral_enabled, row.deleted) != wanted:
        row.approval_required, row.referral_enabled, row.deleted = wanted
        row.touch(by, now)
        unit.session.flush()
        record_change(unit, row)
    return row


def delete(unit: UnitOfWork, actor: Actor, id_: str, version: int) -> None:
    """The policy no longer applies (the less specific one, or none, takes over)."""
    if not isinstance(id_, str) or not 1 <= len(id_) <= 64:
        raise ValidationFailed.from_fields({"policy_id": ["Not a valid policy id."]})
    row = unit.session.get(RequestPolicy, id_)
    if row is None or row.deleted:
        raise NotFound("No request policy is known by this id.", "request_policy.unknown")
    require_setter(unit, actor, row.member_state, row.region, row.area)
    row.require_version(version)
    row.deleted = True
    row.touch(actor.user_id, unit.now())
    unit.session.flush()
    record_change(unit, row)


def record_change(unit: UnitOfWork, row: RequestPolicy) -> None:
    unit.record_event(
        "request_policy_changed",
        row.id,
        {
            "policy_id": row.id,
            "member_state": row.member_state,
            "region": row.region,
            "area": row.area,
            "approval_required": row.approval_required,
            "referral_enabled": row.referral_enabled,
            "deleted": row.deleted,
            "version": row.version,
        },
    )


def view(row: RequestPolicy) -> dict:
    return {
        "id": row.id,
        "member_state": row.member_state,
        "region": row.region,
        "area": row.area,
        "approval_required": row.approval_required,
        "referral_enabled": row.referral_enabled,
        "updated_at": row.updated_at,
        "version": row.version,
    }
