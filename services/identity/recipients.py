"""Who receives an email meant for the people of some authorities (for the notifications
service): their addresses and languages, never their usernames (DOMAIN.md section 3)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.identity.models import ALL_AREAS, User, UserGrant


def mail_recipients(session: Session, query: dict) -> list[dict]:
    """Users of the authorities who hold the right (in the area, when one is given, or in
    every area), neither deleted nor blocked; one row per user, in a stable order."""
    grant = [UserGrant.user_id == User.id, UserGrant.right == query["right"]]
    if query.get("area"):
        grant.append(or_(UserGrant.area == query["area"], UserGrant.area == ALL_AREAS))
    rows = session.execute(
        select(User.id, User.authority_id, User.email, User.language)
        .where(
            User.authority_id.in_(query["authority_ids"]),
            User.deleted_at.is_(None),
            User.blocked.is_(False),
            User.email != "",
            select(UserGrant.id).where(*grant).exists(),
        )
        .order_by(User.authority_id, User.id)
    )
    return [
        {"user_id": row.id, "authority_id": row.authority_id, "email": row.email,
         "language": row.language}
        for row in rows
    ]  # fmt: skip
