"""identity's ``me`` reads the caller's user and grants in one query, and no authority.

Stands for: in services/identity/service.py, ``me`` loading ``User`` with
``joinedload(User.grants)`` (one SELECT instead of the user's and then the grants'
``selectin``), and skipping ``visible_user``'s authority lookup: a user may always see their
own account (``may_view_user``), so the authority is not needed to decide.
"""

from __future__ import annotations

from sqlalchemy.orm import joinedload

import services.identity.service as identity_service
from services.common.errors import NotFound
from services.identity.models import User


def me(self, actor: dict) -> dict:
    who = identity_service.load_actor(actor)
    user = self.db.session.get(User, who.user_id, options=[joinedload(User.grants)])
    if user is None or user.deleted_at is not None:
        raise NotFound("No user is known by this id.", "user.unknown")
    return identity_service.dump_user(user)


def apply() -> None:
    original = identity_service.IdentityService.me
    me.__dict__.update(original.__dict__)  # nameko's entry point registration
    identity_service.IdentityService.me = me
