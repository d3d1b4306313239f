"""Event contracts (services/common/contracts.py) and their catalogue, docs/events.md.

The catalogue is parsed: each service's table rows (``| `event` | …``) are the events it
publishes, and each ``json service/event …`` block is an example payload of those events.
The source is parsed too: every ``record_event("name", …)`` and ``@event_handler("source",
"name")`` of services/ must name a catalogued event.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.common.config import deployed_services
from services.common.contracts import (
    BrokenEventContract,
    UnknownEvent,
    contract,
    produce,
    published_events,
    read,
)
from services.common.envelope import make_envelope
from services.common.errors import ValidationFailed
from services.notifications import alerts, generic
from services.requests import workflow
from tests.events import CATALOGUE, catalogued_examples

ROOT = Path(__file__).resolve().parents[2]
SERVICES = tuple(deployed_services())
ROW = re.compile(r"^\| `(?P<event>[a-z_]+(?:\.v\d+)?)` \|", re.M)


def catalogued_events() -> dict[str, set[str]]:
    """Each service's events, from the table of its ``## <service>`` section."""
    text = CATALOGUE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    found: dict[str, set[str]] = {}
    for section in sections:
        title, _, body = section.partition("\n")
        if title.strip() in SERVICES:
            found[title.strip()] = set(ROW.findall(body))
    return found


# the functions that record an event, and the position of the event's name among their arguments
RECORDERS = {"record_event": 0, "record_authority_event": 1}
# Event names a recorder takes from a table rather than a literal: the table's events.
FROM_TABLES = {
    "outcome.event_name": workflow.EVENTS,
    "event_name": alerts.EVENTS,
    "step_event": generic.EVENTS - {"generic_notification_created"},
    "repository_event": generic.REPOSITORY_EVENTS,
}


def calls_in_source(function: str) -> list[tuple[str, ast.Call, str]]:
    """(where, call, enclosing function) for every call of ``function`` in services/."""
    calls = []
    for path in sorted((ROOT / "services").glob("*/**/*.py")):
        service = path.relative_to(ROOT / "services").parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        enclosing = {}
        for scope in ast.walk(tree):
            if isinstance(scope, ast.FunctionDef):
                for node in ast.walk(scope):  # inner functions come later and win
                    enclosing[node] = scope.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called_name(node) == function:
                where = f"{service}:{path.name}:{node.lineno}"
                calls.append((where, node, enclosing.get(node, "")))
    return calls


def called_name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def literal(node: ast.expr) -> str:
    assert isinstance(node, ast.Constant), ast.unparse(node)
    assert isinstance(node.value, str), ast.unparse(node)
    return node.value


def test_every_catalogued_event_has_a_contract_and_every_contract_is_catalogued():
    catalogue = catalogued_events()

    assert set(catalogue) == set(SERVICES)
    for service in SERVICES:
        assert catalogue[service] == set(published_events(service)), service


def test_every_catalogued_event_has_an_example_that_its_contract_loads_strictly():
    examples = catalogued_examples()

    for service, events in catalogued_events().items():
        for event in events:
            assert (service, event) in examples, f"no example of {service}/{event}"
    for (service, event), payload in examples.items():
        assert contract(service, event).validate(payload) == {}, f"{service}/{event}"


def test_every_event_a_service_records_is_catalogued_for_that_service():
    catalogue = catalogued_events()
    recorded = 0

    for function, position in RECORDERS.items():
        for where, call, enclosing in calls_in_source(function):
            if enclosing in RECORDERS:  # passes its own caller's name on
                continue
            service = where.split(":")[0]
            named = ast.unparse(call.args[position])
            if named in FROM_TABLES:
                assert FROM_TABLES[named] <= catalogue[service], where
            else:
                assert literal(call.args[position]) in catalogue[service], where
            recorded += 1

    assert recorded > 30


def test_every_event_a_service_handles_is_catalogued_for_its_producer():
    catalogue = catalogued_events()
    handlers = [(where, call) for where, call, _ in calls_in_source("event_handler") if call.args]

    assert len(handlers) >= 10
    for where, call in handlers:
        source, event = literal(call.args[0]), literal(call.args[1])
        assert event in catalogue[source], where


def test_an_event_without_a_contract_is_a_programming_error():
    with pytest.raises(UnknownEvent):
        produce("identity", "user_teleported", {"user_id": "u-1"})


def test_a_payload_with_a_field_outside_its_contract_is_refused_by_its_producer():
    data = {"user_id": "u-1", "authority_id": "a-1", "member_state": "DE", "grants": []}

    with pytest.raises(BrokenEventContract, match="username"):
        produce("identity", "user_created", {**data, "username": "erika"})


def test_a_payload_missing_a_required_field_is_refused_by_its_producer():
    with pytest.raises(BrokenEventContract, match="grants"):
        produce(
            "identity",
            "user_created",
            {"user_id": "u-1", "authority_id": "a", "member_state": "DE"},
        )


def test_a_produced_payload_is_the_dump_of_its_contract():
    at = datetime(2026, 11, 25, 10, 15, tzinfo=UTC)

    payload = produce(
        "identity", "tokens_revoked", {"user_id": "u-1", "session_id": None, "not_before": at}
    )

    assert payload == {"user_id": "u-1", "session_id": None, "not_before": at.isoformat()}


def envelope_of(service: str, event: str, data: dict) -> dict:
    return make_envelope(service, event, "s-1", data, datetime.now(UTC))


def test_a_consumer_reads_the_producers_contract_and_ignores_fields_added_within_a_version():
    data = {"authority_id": "a-1", "titles": {"fr": "Titre"}, "status": "machine",
            "engine": "memory", "added_later": 1}  # fmt: skip

    loaded = read(envelope_of("translation", "informal_titles_translated", data))

    assert loaded == {"authority_id": "a-1", "titles": {"fr": "Titre"}, "status": "machine",
                      "engine": "memory"}  # fmt: skip


def test_data_failing_the_producers_contract_cannot_be_read():
    data = {"authority_id": "a-1", "titles": {"xx": "Titre"}, "status": "human", "engine": "m"}

    with pytest.raises(ValidationFailed) as refused:
        read(envelope_of("translation", "informal_titles_translated", data))

    assert set(refused.value.extra["errors"]["data"]) == {"titles", "status"}


@pytest.mark.parametrize(
    "event_type",
    ["eu.imi.translation.no_such_event.v1", "eu.imi.translation.texts_changed.v7", "user_created"],
)
def test_an_event_type_without_a_contract_cannot_be_read(event_type):
    envelope = {**envelope_of("translation", "texts_changed", {}), "type": event_type}

    with pytest.raises(ValidationFailed):
        read(envelope)
