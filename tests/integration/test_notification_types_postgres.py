"""Notification types on PostgreSQL with truly concurrent Commission administrators: two who
create one type, or edit the version they both read, leave one new version and a clear 409,
never a 500 (the rule is the primary key: a type's key and version)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from services.common.actor import Right
from services.common.clock import FrozenClock
from services.common.errors import Conflict
from services.notifications.models import NotificationType
from services.notifications.service import NotificationsService
from tests.databases import prepare
from tests.integration.held_writes import inserts_held, outcomes
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy
from tests.translation.harness import actor

pytestmark = pytest.mark.integration

TYPE = {
    "key": "raced_note", "area": "services", "title": "Raced note",
    "fields": [{"name": "subject", "label": "Subject", "kind": "text", "required": True}],
    "senders": ["request_handler"], "receivers": "chosen_states", "repository": None,
}  # fmt: skip


@pytest.fixture
def notifications_pg(pg_uri, service_config, container_factory):
    prepare("notifications", pg_uri)
    config = {**service_config, "DB_URIS": {"notifications": pg_uri}}
    container = started_on_clock(
        container_factory, NotificationsService, config, FrozenClock(), fresh_event_queues=True
    )
    with SignedRpcProxy(config, timeout=30) as proxy:
        yield proxy.notifications
    container.kill()  # before pg_uri drops the database


def versions(uri: str) -> list[tuple[int, str]]:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(NotificationType.version, NotificationType.document)
                .where(NotificationType.key == TYPE["key"])
                .order_by(NotificationType.version)
            )
            return [(version, document["title"]) for version, document in rows]
    finally:
        engine.dispose()


def test_two_administrators_creating_one_type_at_once_leave_one_and_a_409(notifications_pg, pg_uri):
    admin = actor(Right.COMMISSION_ADMINISTRATOR)
    with inserts_held(pg_uri, "notification_types") as wait_for:
        calls = [
            notifications_pg.create_notification_type.call_async(admin, {**TYPE, "title": title})
            for title in ("First", "Second")
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert (type(lost), lost.code) == (Conflict, "error.concurrent_change")
    assert versions(pg_uri) == [(1, won["title"])]


def test_two_administrators_editing_the_version_they_read_at_once_add_one_version(
    notifications_pg, pg_uri
):
    admin = actor(Right.COMMISSION_ADMINISTRATOR)
    created = notifications_pg.create_notification_type(admin, TYPE)
    edit = {name: value for name, value in TYPE.items() if name != "key"}
    with inserts_held(pg_uri, "notification_types") as wait_for:
        calls = [
            notifications_pg.change_notification_type.call_async(
                admin, TYPE["key"], {**edit, "title": title, "version": created["version"]}
            )
            for title in ("First edit", "Second edit")
        ]
        wait_for(2)

    [won], [lost] = outcomes(calls)
    assert (type(lost), lost.code) == (Conflict, "error.concurrent_change")
    assert versions(pg_uri) == [(1, "Raced note"), (2, won["title"])]
