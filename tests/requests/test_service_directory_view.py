"""The requests service's read model of the directory, fed by its events through the broker:
authorities with their areas and roles, coordinators linked for requests; events that come
late or twice change nothing (services/requests/directory_view.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common.envelope import make_envelope
from services.requests.directory_view import handles_requests, request_coordinators
from services.requests.models import KnownAuthority
from tests.events import WAIT_SECONDS, event_data


@pytest.fixture
def deliver(requests_container, requests_config):
    """Publish a directory event and wait until the requests service handled this one."""

    def publish(event: str, handler: str, subject: str, at, **fields) -> None:
        envelope = make_envelope(
            "directory", event, subject, event_data("directory", event, **fields), at
        )
        with entrypoint_waiter(
            requests_container, handler, timeout=WAIT_SECONDS,
            callback=lambda worker_ctx, result, exc_info: worker_ctx.args[0] == envelope,
        ):  # fmt: skip
            event_dispatcher(requests_config)("directory", event, envelope)

    return publish


@pytest.fixture
def read(requests_config):
    engine = create_engine(requests_config["DB_URIS"]["requests"])
    yield lambda: Session(engine)
    engine.dispose()


def test_an_authority_is_known_as_its_latest_version_says(deliver, read, frozen_clock):
    authority = str(uuid.uuid4())
    now = frozen_clock()
    areas = [{"area": "services", "workflow": "information_requests", "roles": ["authority"],
              "direction": "both"}]  # fmt: skip

    deliver("authority_registered", "on_authority_changed", authority, now,
            authority_id=authority, member_state="IT", version=1, areas=[])  # fmt: skip
    deliver("authority_updated", "on_authority_changed", authority, now + timedelta(seconds=1),
            authority_id=authority, member_state="IT", version=3, areas=areas)  # fmt: skip
    deliver("authority_validated", "on_authority_changed", authority, now + timedelta(seconds=2),
            authority_id=authority, member_state="IT", version=2, areas=[])  # fmt: skip

    with read() as session:
        known = session.get(KnownAuthority, authority)
        assert (known.member_state, known.version) == ("IT", 3)
        assert handles_requests(known, "services")
        assert not handles_requests(known, "professional_qualifications")


def test_a_coordinator_link_keeps_the_latest_word(deliver, read, frozen_clock):
    authority, coordinator = str(uuid.uuid4()), str(uuid.uuid4())
    now = frozen_clock()
    link = {"authority_id": authority, "area": "services", "workflow": "information_requests",
            "coordinator_id": coordinator}  # fmt: skip

    deliver("coordinator_linked", "on_coordinator_linked", authority, now, **link, linked=True)
    with read() as session:
        linked = request_coordinators(session, authority, "services")
    deliver("coordinator_linked", "on_coordinator_linked", authority,
            now + timedelta(seconds=2), **link, linked=False)  # fmt: skip
    deliver(
        "coordinator_linked",
        "on_coordinator_linked",
        authority,
        now + timedelta(seconds=1),
        **link,
        linked=True,
    )  # late: the unlinking stands

    with read() as session:
        assert linked == [coordinator]
        assert request_coordinators(session, authority, "services") == []
