"""A notification type's form read into the service's body, its messages tied to the rows, and
a service's refusal tied back to the rows it names; every kind and receiver the service knows
has its text; the menu leads to these pages only those who may use them."""

from __future__ import annotations

from gateway.web.menu import menu_for
from gateway.web.notification_type_forms import (
    KINDS,
    RECEIVERS,
    SENDERS,
    read_type_form,
    refused_fields,
    row_count,
    type_form,
)
from gateway.web.texts import Texts
from services.notifications import generic
from services.notifications.generic_schemas import NotificationTypeNewSchema

FORM = {
    "key": "cash_transport_incidents", "area": "cash_transport", "title": "Incident report",
    "senders": ["request_handler"], "receivers": "chosen_states", "repository": "",
    "active": "yes", "rows": "3",
    "field_0_name": "summary", "field_0_label": "Summary", "field_0_kind": "text",
    "field_0_required": "yes",
    "field_1_name": "severity", "field_1_label": "Severity", "field_1_kind": "choice",
    "field_1_options": "low: Low\nhigh: High risk\n",
    "field_2_name": "", "field_2_label": "", "field_2_kind": "text",
}  # fmt: skip


def test_a_filled_form_is_the_body_the_service_takes_and_an_empty_row_is_left_out():
    body, rows_of, errors = read_type_form(FORM, 3, new=True)

    assert errors == {}
    assert rows_of == [0, 1]
    assert body["fields"][1] == {
        "name": "severity", "label": "Severity", "kind": "choice", "required": False,
        "personal_data": False, "options": ["low", "high"],
        "option_labels": {"low": "Low", "high": "High risk"},
    }  # fmt: skip
    assert body["repository"] is None
    assert body["active"] is True
    loaded = NotificationTypeNewSchema().load(body)
    assert generic.type_document(body["key"], {**loaded, "fields": loaded["fields_"]})


def test_each_wrong_field_gets_its_message_beside_its_row():
    form = {**FORM, "key": "Bad Key", "senders": [], "field_1_options": "",
            "field_2_name": "summary", "field_2_label": "Again",
            "field_2_options": "x: y"}  # fmt: skip

    _body, _rows, errors = read_type_form(form, 3, new=True)

    assert errors == {
        "key": "web.notiftypes.code_invalid",
        "senders": "web.form.required",
        "field_1_options": "web.notiftypes.options_needed",
        "field_2_name": "web.notiftypes.duplicate_name",
        "field_2_options": "web.notiftypes.options_needed",
    }
    _body, _rows, errors = read_type_form({**FORM, "rows": "1", "field_0_name": ""}, 1, new=True)
    assert errors == {"field_0_name": "web.form.required"}
    _body, _rows, errors = read_type_form({"rows": "1"}, 1, new=False)
    assert errors["fields"] == "web.notiftypes.fields_needed"
    assert "key" not in errors  # a type's key is not changed


def test_a_refusal_of_the_service_is_tied_to_the_rows_it_names():
    body, rows_of, _errors = read_type_form({**FORM, "field_0_name": "", "field_0_label": ""}, 3,
                                            new=True)  # fmt: skip

    refused = refused_fields(
        {"fields": {"0": {"label": ["Too long."]}}, "fields.severity.options": ["Needs options."],
         "repository": ["Another area's."], "unknown": ["?"]},
        body, rows_of,
    )  # fmt: skip

    assert refused == {"field_1_label", "field_1_options", "repository"}


def test_a_stored_type_fills_the_form_it_was_written_with():
    body, _rows, _errors = read_type_form(FORM, 3, new=True)
    stored = {**generic.type_document(body.pop("key"), body), "version": 4}

    form = type_form(stored)

    again, _rows, errors = read_type_form(form, row_count(form, 1), new=False)
    assert errors == {}
    assert again["fields"] == body["fields"]
    assert form["version"] == "4"
    assert row_count({"rows": "999"}, 3) == 50
    assert row_count({"rows": "x"}, 3) == 3


def test_every_kind_receiver_and_sender_of_the_service_has_its_text():
    assert set(KINDS) == {kind.value for kind in generic.FieldKind}
    assert set(RECEIVERS) == {receivers.value for receivers in generic.Receivers}
    assert set(SENDERS) == {right.value for right in generic.SENDER_RIGHTS}
    keys = [*(f"web.notiftypes.kind.{kind}" for kind in KINDS),
            *(f"web.notiftypes.receiving.{code}" for code in RECEIVERS),
            *(f"web.users.right.{right}" for right in SENDERS)]  # fmt: skip
    assert [key for key in keys if not Texts("en").has(key)] == []


def test_the_menu_leads_to_the_notifications_and_the_types_only_those_who_may_use_them():
    def paths(*rights: str) -> list[str]:
        return [item.path for item in menu_for(frozenset(rights), "/notification-types/new")]

    assert "/notifications" in paths("request_handler")
    assert "/notifications" in paths("alert_handler")
    assert "/notification-types" not in paths("request_handler", "alert_handler")
    assert "/notifications" not in paths("basic_user", "allocator", "commission_translator")
    administrator = menu_for(frozenset({"commission_administrator"}), "/notification-types/new")
    assert [item.path for item in administrator if item.current] == ["/notification-types"]
    assert "/notifications" in [item.path for item in administrator]
