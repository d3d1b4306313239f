"""The requests service's settings per legislative area, kept by Commission administrators:
whether a responder may forward or split a request after accepting it (DOMAIN.md section 4:
announced for later versions, so off by default), after how many days a request not accepted
is urgent, how many months after closure the subject's personal data is blocked (6 by
default, up to 18: section 8), and whether the area is a pilot (left out of the pending
figures: section 7). An area without a row has the defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.requests.models import AreaSettings

DEFAULTS = {"acceptance_days": 7, "blocking_months": 6, "pilot": False}


def all_settings(session: Session) -> list[AreaSettings]:
    return list(session.scalars(select(AreaSettings).order_by(AreaSettings.area)))


def change(unit: UnitOfWork, actor: Actor, area: str, data: dict) -> AreaSettings:
    """Set an area's settings; an existing row is changed only at the version read."""
    actor.require(Right.COMMISSION_ADMINISTRATOR)
    now = unit.now()
    settings = unit.session.get(AreaSettings, area)
    if settings is None:
        settings = AreaSettings(area=area, updated_at=now, updated_by=actor.user_id)
        unit.session.add(settings)
    else:
        settings.require_version(data.get("version") or 0)
        settings.touch(actor.user_id, now)
    settings.forwarding_after_acceptance = data["forwarding_after_acceptance"]
    for name, default in DEFAULTS.items():
        setattr(settings, name, data.get(name, getattr(settings, name, None) or default))
    unit.session.flush()
    unit.record_event(
        "area_settings_changed",
        area,
        {"area": area, "forwarding_after_acceptance": settings.forwarding_after_acceptance,
         **{name: getattr(settings, name) for name in DEFAULTS}},
    )  # fmt: skip
    return settings


def of_area(session: Session, area: str) -> AreaSettings:
    """The area's settings, or the defaults (not stored) for an area without a row."""
    return session.get(AreaSettings, area) or AreaSettings(
        area=area, forwarding_after_acceptance=False, **DEFAULTS
    )
