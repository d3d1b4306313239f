"""The notification routes' contract is exact: each test is a defect ./deploy/conformance found
on /api/v1/alerts…, /notifications…, /notification-types… and /webhook-subscriptions…
(docs/api-conformance.md), refused now with a 400 naming the field where it was a 500 or
accepted against the document. Pure: the schemas the gateway and the service validate with,
and the OpenAPI document built from them."""

from __future__ import annotations

import pytest

from gateway.openapi import openapi_document
from services.common.errors import ValidationFailed
from services.common.schemas import MAX_VERSION, load
from services.notifications.alert_schemas import AlertActionSchema, AlertSettingInputSchema
from services.notifications.domain import webhook_url_problem
from services.notifications.generic_schemas import (
    NotificationActionSchema,
    NotificationNewSchema,
    NotificationTypeEditSchema,
)
from services.notifications.schemas import (
    VersionSchema,
    WebhookSubscriptionChangeSchema,
    WebhookSubscriptionNewSchema,
)


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def component(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def refused(schema, data: dict) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        load(schema, data)
    return caught.value.extra["errors"]


TYPE_EDIT = {
    "version": 1, "area": "services", "title": "Cooperation note", "senders": ["alert_handler"],
    "receivers": "all_states", "fields": [{"name": "due", "label": "Due", "kind": "date"}],
}  # fmt: skip
SERVICES_ALERT = {
    "title": "Unsafe treatments", "description": "A banned filler.", "member_states": ["DE"],
    "criteria": {"cause_is_service_activity": True, "risk_exists_now": True,
                 "cross_border": True},
}  # fmt: skip


# --- a notification's content: POST /notifications with a 71-bit integer was a 500 ------------


@pytest.mark.parametrize("value", [2**70, -(10**15) - 1, 1e300, {"a": 1}, [1], "x" * 4001])
def test_a_content_value_is_a_text_number_boolean_or_null_within_the_fields_bounds(value):
    for schema, data in ((NotificationNewSchema, {"type_key": "note"}),
                         (NotificationActionSchema, {"version": 1})):  # fmt: skip
        assert "content" in refused(schema, {**data, "content": {"due": value}})


def test_a_content_value_of_every_kind_a_field_has_is_taken_and_the_document_says_which(
    document,
):
    content = {"text": "Fees", "date": "2026-12-01", "number": -(10**15), "fraction": 2.5,
               "boolean": False, "empty": None}  # fmt: skip

    taken = load(NotificationNewSchema, {"type_key": "note", "content": content})["content"]

    assert taken == content
    values = component(document, "NotificationNew")["properties"]["content"]
    assert values["additionalProperties"] == {
        "type": ["string", "number", "boolean", "null"], "maxLength": 4000,
        "minimum": -(10**15), "maximum": 10**15,
    }  # fmt: skip


# --- a body's boolean: PUT /notification-types/{key} with "active": 0 was taken -----------------


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_a_body_boolean_is_true_or_false_as_json_has_them(value):
    assert "active" in refused(NotificationTypeEditSchema, {**TYPE_EDIT, "active": value})
    assert "approval_required" in refused(AlertSettingInputSchema, {"approval_required": value})
    assert "further_information" in refused(
        AlertActionSchema, {"version": 1, "further_information": value}
    )
    webhook = {"name": "SOLVIT", "url": "https://solvit.example.eu/in", "events": ["all"]}
    assert "personal_data" in refused(
        WebhookSubscriptionNewSchema, {**webhook, "personal_data": value}
    )
    assert "active" in refused(WebhookSubscriptionChangeSchema, {"version": 1, "active": value})


# --- a version: POST /webhook-subscriptions/{id}/secret with a 65-bit version was a 500 --------


@pytest.mark.parametrize(
    ("schema", "method", "path"),
    [(VersionSchema, "post", "/api/v1/webhook-subscriptions/{subscription_id}/secret"),
     (WebhookSubscriptionChangeSchema, "patch",
      "/api/v1/webhook-subscriptions/{subscription_id}")],
)  # fmt: skip
def test_a_webhook_version_has_the_maximum_the_database_holds(document, schema, method, path):
    body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[-1]

    assert "version" in refused(schema, {"version": 33471833028161114112})
    assert "version" in refused(schema, {"version": "3"})
    assert load(schema, {"version": MAX_VERSION})["version"] == MAX_VERSION
    assert component(document, name)["properties"]["version"]["maximum"] == MAX_VERSION


# --- a webhook endpoint: "url": "0" was valid in the document and refused by the service --------


@pytest.mark.parametrize(
    "url",
    ["0", "solvit.example.eu/in", "ftp://solvit.example.eu/in", "https://user:pw@x.example.eu/",
     "https://x.example.eu/a b", "https://é.example.eu/", "https://"],
)  # fmt: skip
def test_a_webhook_endpoint_the_document_refuses_is_refused(document, url):
    pattern = component(document, "WebhookSubscriptionNew")["properties"]["url"]["pattern"]
    body = {"name": "SOLVIT", "url": url, "events": ["all"]}

    assert "url" in refused(WebhookSubscriptionNewSchema, body)
    assert "url" in refused(WebhookSubscriptionChangeSchema, {"version": 1, "url": url})
    assert (
        pattern == component(document, "WebhookSubscriptionChange")["properties"]["url"]["pattern"]
    )


@pytest.mark.parametrize("url", ["https://[::1", "https://[x]/in", "https://a]b/"])
def test_an_endpoint_with_broken_brackets_is_a_clear_refusal_not_an_error(url):
    assert webhook_url_problem(url, allow_loopback_http=True) == (
        "an absolute https:// URL is expected"
    )


# --- an alert's new draft: any object was taken, a 71-bit integer in it a 500 --------------------


def test_a_draft_is_the_content_of_one_kind_of_alert_in_the_document_and_the_schema(document):
    draft = component(document, "AlertAction")["properties"]["draft"]

    assert [item["$ref"].rsplit("/", 1)[-1] for item in draft["anyOf"]] == [
        "ServicesAlertInput", "PqAlertInput", "DerogationInput"]  # fmt: skip
    for name in ("ServicesAlertInput", "PqAlertInput", "DerogationInput"):
        assert component(document, name)["additionalProperties"] is False
    assert load(AlertActionSchema, {"version": 1, "draft": SERVICES_ALERT})["draft"] == (
        SERVICES_ALERT
    )
    errors = refused(AlertActionSchema, {"version": 1, "draft": {**SERVICES_ALERT,
                                                                 "size": 2**70}})  # fmt: skip
    assert errors == {"draft": {"size": ["Unknown field."]}}
    assert set(refused(AlertActionSchema, {"version": 1, "draft": {"title": "x"}})["draft"]) == {
        "description", "criteria", "member_states"}  # fmt: skip
