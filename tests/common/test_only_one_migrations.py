"""The migrations that made "only one" rules of the database (identity i0006, directory d0008)
upgrade a database holding data and keep it, filling what the rules need: each authority's
first user, every username given, and no live invitation left at an authority's address. On
SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, create_engine, insert, select
from sqlalchemy.pool import NullPool

from services.common.migrations import upgrade

T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("pg_uri")


def tables(uri: str):
    engine = create_engine(uri, poolclass=NullPool)
    metadata = MetaData()
    metadata.reflect(engine)
    return engine, metadata.tables


def user(user_id: str, authority_id: str, minutes: int, deleted: bool = False) -> dict:
    at = T0 + timedelta(minutes=minutes)
    return {
        "id": user_id, "username": f"pl{user_id}", "authority_id": authority_id,
        "member_state": "PL", "full_name": "", "email": "", "language": "pl",
        "password_hash": "!", "must_change_password": True, "failed_attempts": 0,
        "blocked": False, "tokens_valid_after": T0, "created_at": at, "updated_at": at,
        "version": 1, "deleted_at": at if deleted else None,
    }  # fmt: skip


def test_identity_keeps_its_users_and_reservations_and_names_each_authoritys_first_user(
    database,
):
    upgrade("identity", database, "i0005")
    engine, old = tables(database)
    with engine.begin() as connection:
        connection.execute(insert(old["users"]), [
            user("a1", "A", 1), user("a2", "A", 2), user("b1", "B", 1, deleted=True),
            user("b2", "B", 2), user("b3", "B", 3),
        ])  # fmt: skip
        connection.execute(insert(old["reserved_usernames"]), [
            {"username": "plfree", "member_state": "PL", "reserved_at": T0},
            {"username": "pla2", "member_state": "PL", "reserved_at": T0},
        ])  # fmt: skip
    engine.dispose()

    upgrade("identity", database)

    engine, new = tables(database)
    with engine.connect() as connection:
        users = new["users"].c
        firsts = dict(connection.execute(select(users.id, users.first_user_of)).all())
        taken = connection.execute(
            select(new["taken_usernames"].c.username, new["taken_usernames"].c.user_id)
        ).all()
    engine.dispose()
    assert firsts == {"a1": "A", "a2": None, "b1": None, "b2": "B", "b3": None}
    assert sorted(taken) == [
        ("pla1", "a1"), ("pla2", "a2"), ("plb1", "b1"), ("plb2", "b2"), ("plb3", "b3"),
        ("plfree", None),
    ]  # fmt: skip
    assert "reserved_usernames" not in new


def invitation(invitation_id: str, email: str, status: str) -> dict:
    return {
        "id": invitation_id, "batch_id": "batch", "coordinator_id": "nimic", "invited_by": "u",
        "email": email, "language": "fr", "member_state": "LU", "areas": [], "status": status,
        "created_at": T0, "updated_at": T0, "version": 1,
    }  # fmt: skip


def test_the_directory_ends_the_live_invitations_at_an_authoritys_address(database):
    upgrade("directory", database, "d0007")
    engine, old = tables(database)
    authority = {
        "id": "auth", "official_name": "Guichet", "official_language": "fr",
        "member_state": "LU", "email": "Guichet@example.lu", "languages": [],
        "other_professions": [], "status": "validated", "coordinated_areas": [],
        "created_at": T0, "updated_at": T0, "version": 1,
    }  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(old["authorities"]), [authority])
        connection.execute(insert(old["invitations"]), [
            invitation("sent", "guichet@example.lu", "sent"),
            invitation("expired", "guichet@example.lu", "expired"),
            invitation("other", "autre@example.lu", "sent"),
        ])  # fmt: skip
    engine.dispose()

    upgrade("directory", database)

    engine, new = tables(database)
    with engine.connect() as connection:
        rows = new["invitations"].c
        found = connection.execute(
            select(rows.id, rows.status, rows.authority_id, rows.version).order_by(rows.id)
        ).all()
    engine.dispose()
    assert [tuple(row) for row in found] == [
        ("expired", "expired", None, 1),
        ("other", "sent", None, 1),
        ("sent", "used", "auth", 2),
    ]
