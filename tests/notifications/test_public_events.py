"""The public event catalogue (services/notifications/public_events.py) against the contracts,
the sensitive events in the code and docs/events.md: every published event is classified, no
secret is public, and the "Public events" table of the catalogue says what the data says."""

from __future__ import annotations

import ast
import re

import pytest

from services.common.config import deployed_services
from services.common.contracts import published_events
from services.notifications.public_events import (
    CATALOGUE_VERSION,
    INTERNAL,
    PUBLIC,
    REPLAY_STREAM,
    REPLAY_STREAM_PERSONAL,
    EntitlementError,
    entitlement,
    events_of_regex,
    replay_streams,
    routing_key_regex,
)
from tests.common.test_event_contracts import RECORDERS, calls_in_source, catalogued_events
from tests.events import CATALOGUE

# The secrets issue 13 names, whatever the code says.
SECRETS = {
    "identity.temporary_password_issued",
    "identity.password_reset_requested",
    "directory.invitation_created",
    "directory.invitation_expiring",
    "directory.first_user_requested",
}
PUBLIC_ROW = re.compile(
    r"^\| (?P<service>[a-z_]+) \| `(?P<event>[a-z_]+)` \| (?P<personal>yes|no) \|", re.M
)


def contract_events() -> set[str]:
    return {
        f"{service}.{event.split('.v')[0]}"
        for service in deployed_services()
        for event in published_events(service)
    }


def sensitive_events() -> set[str]:
    """Every event a service records with ``sensitive=True`` (a literal name, so readable)."""
    found = set()
    for function, position in RECORDERS.items():
        for where, call, _ in calls_in_source(function):
            sensitive = any(
                k.arg == "sensitive"
                and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in call.keywords
            )
            if sensitive:
                name = call.args[position]
                assert isinstance(name, ast.Constant), f"{where}: a sensitive event's name"
                found.add(f"{where.split(':')[0]}.{name.value}")
    return found


def test_every_published_event_is_classified_once():
    public = {event.key for event in PUBLIC}
    assert len(public) == len(PUBLIC)
    assert not public & INTERNAL.keys()
    assert public | INTERNAL.keys() == contract_events(), "classify new events in public_events.py"


def test_no_secret_and_no_sensitive_event_is_public():
    sensitive = sensitive_events()
    assert sensitive >= {"identity.temporary_password_issued", "directory.invitation_created"}
    public = {event.key for event in PUBLIC}
    assert not public & (SECRETS | sensitive)


def test_public_names_are_unique_routing_keys():
    names = [event.event for event in PUBLIC]
    assert len(names) == len(set(names))


def section(title: str) -> str:
    text = CATALOGUE.read_text(encoding="utf-8")
    return re.split(r"^## ", text.split(f"\n## {title}\n", 1)[1], flags=re.M)[0]


def test_the_catalogue_documents_the_public_events_and_its_version():
    text = CATALOGUE.read_text(encoding="utf-8")
    assert f"Catalogue version: {CATALOGUE_VERSION} (" in text
    assert re.search(rf"^### {re.escape(CATALOGUE_VERSION)} ", section("Changelog"), re.M)
    rows = [m.groupdict() for m in PUBLIC_ROW.finditer(section("Public events"))]
    assert [(r["service"], r["event"], r["personal"] == "yes") for r in rows] == [
        (e.service, e.event, e.personal_data) for e in PUBLIC
    ]
    tables = catalogued_events()
    for event in PUBLIC:
        assert event.event in tables[event.service], event.key


def test_an_entitlement_names_public_events_only():
    assert {e.key for e in entitlement(["directory.*"])} == {
        e.key for e in PUBLIC if e.service == "directory"
    }
    assert not any(e.personal_data for e in entitlement(["all"]))
    assert len(entitlement(["all"], personal_data=True)) == len(PUBLIC)
    assert [e.key for e in entitlement(["request_sent,directory.terms_changed"])] == [
        "directory.terms_changed",
        "requests.request_sent",
    ]
    for refused in (["identity.temporary_password_issued"], ["user_created"], ["nothing.*"], []):
        with pytest.raises(EntitlementError):
            entitlement(refused)
    events = entitlement(["identity.*", "requests.request_sent"], personal_data=True)
    assert events_of_regex(routing_key_regex(events)) == events
    assert replay_streams(events) == []
    assert replay_streams(entitlement(["all"])) == [REPLAY_STREAM]
    assert replay_streams(entitlement(["all"], personal_data=True)) == [
        REPLAY_STREAM,
        REPLAY_STREAM_PERSONAL,
    ]
