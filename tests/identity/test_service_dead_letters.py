"""Events the running identity service cannot read go to its dead letters, not away: the
operator lists them and re-drives them with ``python -m services.manage dead-letters``
(services/common/dead_letters.py), and a re-driven event is handled once."""

from __future__ import annotations

import io
import uuid

from marshmallow import fields
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common import contracts
from services.common.envelope import make_envelope
from services.common.metrics import DEAD_LETTERS_WAITING, EVENTS_DEAD_LETTERED
from services.directory.schemas.events import AuthorityEventSchema
from services.identity.models import DeadLetter, Inbox, KnownAuthority
from services.manage import dead_letter_command
from tests.events import WAIT_SECONDS, event_data

HANDLER = "identity.on_authority_changed"


class NameOptionalAuthorityEventSchema(AuthorityEventSchema):
    """The contract after a fix: the official name may be missing."""

    official_name = fields.String(load_default=None)


def an_event_without_its_official_name(identity) -> tuple[str, dict]:
    authority_id = str(uuid.uuid4())
    data = event_data("directory", "authority_registered", authority_id=authority_id)
    del data["official_name"]
    envelope = make_envelope(
        "directory", "authority_registered", authority_id, data, identity.clock()
    )
    return authority_id, envelope


def letters(store) -> list[DeadLetter]:
    with Session(store.engine) as session:
        return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def operator(identity, *args) -> str:
    out = io.StringIO()
    dead_letter_command(identity.config, args[0], "identity", list(args[1:]), out=out)
    return out.getvalue()


def handled_count(store, event_id: str) -> int:
    with Session(store.engine) as session:
        return session.scalar(
            select(func.count()).select_from(Inbox).where(Inbox.event_id == event_id)
        )


def test_an_event_failing_its_contract_is_kept_as_a_dead_letter_and_changes_nothing_else(
    identity, store
):
    authority_id, envelope = an_event_without_its_official_name(identity)
    counted = EVENTS_DEAD_LETTERED.labels("identity", HANDLER)
    counted_before = counted._value.get()
    before = store.snapshot()

    assert identity.deliver_directory_event("authority_registered", envelope).get() is None

    assert store.new_rows(before) == {"dead_letters": 1}
    [letter] = letters(store)
    assert letter.handler == HANDLER
    assert (letter.source_service, letter.event_type) == ("directory", "authority_registered")
    assert letter.reason["errors"]["data"] == {
        "official_name": ["Missing data for required field."]
    }
    assert "official_name" not in letter.payload
    assert envelope["id"] in letter.payload
    assert counted._value.get() == counted_before + 1
    assert DEAD_LETTERS_WAITING.labels("identity")._value.get() == 1
    with Session(store.engine) as session:
        assert session.get(KnownAuthority, authority_id) is None


def test_the_same_unreadable_event_delivered_twice_is_kept_once(identity, store):
    _, envelope = an_event_without_its_official_name(identity)

    identity.deliver_directory_event("authority_registered", envelope).get()
    identity.deliver_directory_event("authority_registered", envelope).get()

    assert len(letters(store)) == 1


def test_a_payload_that_is_no_envelope_is_kept_and_an_operator_can_discard_it(identity, store):
    identity.deliver_directory_event("authority_registered", {"authority_id": "a-1"}).get()
    [letter] = letters(store)
    assert set(letter.reason["errors"]) >= {"id", "type", "data"}

    listed = operator(identity, "list")
    discarded = operator(identity, "discard", letter.id)

    assert f"{letter.id}\t" in listed
    assert "1 dead letter(s) in identity" in listed
    assert "1 dead letter(s) of identity discarded" in discarded
    assert letters(store) == []


def test_a_dead_letter_is_listed_and_once_the_consumer_is_fixed_re_driven_and_handled_once(
    identity, store, monkeypatch
):
    authority_id, envelope = an_event_without_its_official_name(identity)
    identity.deliver_directory_event("authority_registered", envelope).get()
    [letter] = letters(store)

    listed = operator(identity, "list")
    assert f"{letter.id}\t" in listed
    assert HANDLER in listed
    assert "directory.authority_registered" in listed
    assert "official_name" in listed

    fixed = {**contracts.published_events("directory")}
    fixed["authority_registered"] = NameOptionalAuthorityEventSchema
    monkeypatch.setitem(contracts._CONTRACTS, "directory", fixed)
    with entrypoint_waiter(
        identity.container,
        "on_authority_changed",
        callback=lambda worker_ctx, result, exc_info: worker_ctx.args[0] == envelope,
        timeout=WAIT_SECONDS,
    ):
        redriven = operator(identity, "redrive", letter.id)
    again = operator(identity, "redrive")

    assert "1 dead letter(s) of identity re-driven" in redriven
    assert "0 dead letter(s) of identity re-driven" in again
    with Session(store.engine) as session:
        assert session.get(KnownAuthority, authority_id).member_state == "DE"
    assert letters(store) == []
    assert handled_count(store, envelope["id"]) == 1


def test_a_re_driven_event_the_consumer_still_cannot_read_comes_back(identity, store):
    _, envelope = an_event_without_its_official_name(identity)
    identity.deliver_directory_event("authority_registered", envelope).get()
    [first] = letters(store)
    counted = EVENTS_DEAD_LETTERED.labels("identity", HANDLER)
    counted_before = counted._value.get()

    with entrypoint_waiter(
        identity.container,
        "on_authority_changed",
        callback=lambda worker_ctx, result, exc_info: worker_ctx.args[0] == envelope,
        timeout=WAIT_SECONDS,
    ):
        operator(identity, "redrive")

    [back] = letters(store)
    assert back.payload == first.payload
    assert counted._value.get() == counted_before + 1
    assert handled_count(store, envelope["id"]) == 0
