"""The CloudEvents 1.0 envelope: what make_envelope builds, and what CloudEventSchema refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.envelope import CloudEventSchema, event_type_name, make_envelope
from services.common.errors import ValidationFailed
from services.common.schemas import load

WHEN = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def an_envelope(**changes) -> dict:
    envelope = make_envelope(
        "directory", "authority_registered", "authority/a-17", {"name": "Agency"}, WHEN
    )
    envelope.update(changes)
    return envelope


def test_an_event_type_is_a_reverse_dns_name_with_a_version():
    assert event_type_name("identity", "user_created") == "eu.imi.identity.user_created.v1"
    assert event_type_name("requests", "request_sent", 3) == "eu.imi.requests.request_sent.v3"


def test_make_envelope_builds_every_cloudevents_attribute():
    envelope = make_envelope(
        "directory", "authority_registered", "authority/a-17", {"name": "Agency"}, WHEN, 2, "e-1"
    )

    assert envelope == {
        "specversion": "1.0",
        "id": "e-1",
        "source": "/imi/directory",
        "type": "eu.imi.directory.authority_registered.v2",
        "subject": "authority/a-17",
        "time": "2026-03-02T10:30:00+00:00",
        "datacontenttype": "application/json",
        "data": {"name": "Agency"},
    }


def test_the_envelope_make_envelope_builds_is_loaded_by_the_schema():
    loaded = load(CloudEventSchema(), an_envelope())

    assert loaded["specversion"] == "1.0"
    assert loaded["type"] == "eu.imi.directory.authority_registered.v1"
    assert loaded["time"] == WHEN
    assert loaded["data"] == {"name": "Agency"}


def test_each_envelope_gets_its_own_id():
    ids = {an_envelope()["id"] for _ in range(50)}

    assert len(ids) == 50


def test_an_envelope_without_a_content_type_defaults_to_json():
    envelope = an_envelope()
    del envelope["datacontenttype"]

    assert load(CloudEventSchema(), envelope)["datacontenttype"] == "application/json"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("specversion", "0.3"),
        ("id", ""),
        ("id", "x" * 65),
        ("source", ""),
        ("time", "2026-03-02T10:30:00"),
        ("time", "yesterday"),
        ("data", "not an object"),
        ("data", None),
    ],
)
def test_a_malformed_envelope_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationFailed) as caught:
        load(CloudEventSchema(), an_envelope(**{field: value}))

    assert field in caught.value.extra["errors"]


@pytest.mark.parametrize(
    "field", ["specversion", "id", "source", "type", "subject", "time", "data"]
)
def test_an_envelope_missing_a_required_attribute_is_refused(field):
    envelope = an_envelope()
    del envelope[field]

    with pytest.raises(ValidationFailed) as caught:
        load(CloudEventSchema(), envelope)

    assert caught.value.extra["errors"][field] == ["Missing data for required field."]


def test_a_payload_that_is_no_object_at_all_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        load(CloudEventSchema(), ["specversion", "1.0"])

    assert caught.value.extra["errors"] == {"_schema": ["An object was expected."]}


def test_the_call_id_extension_attribute_is_accepted():
    envelope = an_envelope(imicallid="requests.send_request.5f0c7c1e")

    assert load(CloudEventSchema(), envelope)["imicallid"] == "requests.send_request.5f0c7c1e"


def test_an_unknown_attribute_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        load(CloudEventSchema(), an_envelope(traceparent="00-abc-def-01"))

    assert caught.value.extra["errors"] == {"traceparent": ["Unknown field."]}
