"""The published contract is exact: what the OpenAPI document says a request may hold is what
the schemas behind the gateway take, one class of defect per test (each found by
./deploy/conformance, docs/api-conformance.md). Pure: no broker, no service."""

from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError

from gateway.openapi import openapi_document
from gateway.routes import ROUTES
from services.common.errors import ValidationFailed
from services.common.reference import EEA_COUNTRIES
from services.common.schemas import URL_PATTERN, load
from services.directory.schemas.authorities import AuthorityUpdateSchema
from services.directory.schemas.fields import CODE
from services.directory.schemas.fields import PHONE as DIRECTORY_PHONE
from services.directory.schemas.invitations import REGISTRATION_CODE
from services.directory.schemas.search import SearchQuerySchema
from services.directory.schemas.terms import NewTermSchema, TermUpdateSchema
from services.identity.schemas import AREA_CODE, NewUserSchema, UserUpdateSchema
from services.identity.schemas import PHONE as IDENTITY_PHONE
from services.requests.schemas import KEY as QUESTION_SET_KEY
from services.translation.domain import LETTER
from services.translation.schemas import (
    NAMESPACE,
    CallbackBodySchema,
    DetectionRequestSchema,
    RejectionSchema,
    SubmissionSchema,
)


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def component(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def parameter(document: dict, method: str, path: str, name: str) -> dict:
    operation = document["paths"][path][method]
    return next(p for p in operation["parameters"] if p.get("name") == name)


def refused(schema, data: dict) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        load(schema, data)
    return caught.value.extra["errors"]


# --- closed lists -------------------------------------------------------------------------------


def test_a_member_state_is_a_closed_list_of_codes_in_the_document(document):
    member_state = component(document, "NewAuthority")["properties"]["member_state"]

    # EU: the Commission's own services, which only a Commission administrator registers
    assert set(member_state["enum"]) == {*EEA_COUNTRIES, "GR", "EU"}


@pytest.mark.parametrize("code", ["", " de ", "de", "EU", "XX"])
def test_a_member_state_outside_the_list_is_refused_even_when_it_looks_like_one(code):
    assert "member_state" in refused(SearchQuerySchema, {"member_state": code})


def test_greece_is_taken_as_gr_and_stored_as_el():
    assert load(SearchQuerySchema, {"member_state": "GR"})["member_state"] == "EL"


def test_path_parameters_are_uuids_closed_lists_and_patterns(document):
    users = "/api/v1/users/{user_id}"
    entry = "/api/v1/translations/{language}/entries/{key}"
    terms = "/api/v1/reference/terms/{kind}"

    assert parameter(document, "get", users, "user_id")["schema"]["format"] == "uuid"
    assert "en" in parameter(document, "put", entry, "language")["schema"]["enum"]
    listed = parameter(document, "get", terms, "kind")["schema"]["enum"]
    editable = parameter(document, "post", terms, "kind")["schema"]["enum"]
    assert "member_state" in listed
    assert "member_state" not in editable


def test_a_translation_key_as_long_as_the_catalogue_takes_reaches_its_route(document):
    key = parameter(document, "put", "/api/v1/translations/{language}/entries/{key}", "key")

    assert key["schema"]["maxLength"] == 160
    assert "maxlength=160):key>" in ROUTES["submit_translation"].rule


@pytest.mark.parametrize("reason", ["", " \n ", "x" * 1001])
def test_a_rejection_s_reason_the_document_refuses_is_refused(document, reason):
    route = "/api/v1/translations/{language}/entries/{key}/reject"
    operation = document["paths"][route]["post"]
    schema = component(document, "Rejection")
    bounds = schema["properties"]["reason"]

    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Rejection"
    )
    assert {"400", "403", "404", "409"} <= set(operation["responses"])
    assert set(schema["required"]) == {"reason", "version"}
    assert (bounds["minLength"], bounds["maxLength"]) == (1, 1000)
    assert not (1 <= len(reason) <= 1000 and re.search(bounds["pattern"], reason))
    assert "reason" in refused(RejectionSchema, {"version": 1, "reason": reason})


# --- shapes the schemas check -------------------------------------------------------------------


def test_a_dictionary_s_size_and_keys_are_in_the_document(document):
    names = component(document, "NewTerm")["properties"]["names"]

    assert names["minProperties"] == 1
    assert "minLength" not in names
    assert "de" in names["propertyNames"]["enum"]
    assert "names" in refused(NewTermSchema, {"code": "x1", "names": {"xx": "Name"}})


@pytest.mark.parametrize("address", ["", "http://", "ftp://example.eu", "example.eu", "http://x"])
def test_an_address_the_document_refuses_is_refused(document, address):
    website = component(document, "AuthorityUpdate")["properties"]["website"]

    assert website["pattern"] == URL_PATTERN
    assert not re.search(URL_PATTERN, address)
    assert "website" in refused(AuthorityUpdateSchema, {"version": 1, "website": address})


@pytest.mark.parametrize(
    "address", ["http://example.eu", "https://www.example.co.uk/a/b?c=d", "https://x-1.example.de/"]
)
def test_an_address_the_document_takes_is_taken(address):
    loaded = load(AuthorityUpdateSchema, {"version": 1, "website": address})

    assert loaded["website"] == address


def test_what_no_single_field_says_is_said_by_the_schema_in_the_document(document):
    assert component(document, "UserUpdate")["minProperties"] == 2
    assert {"required": ["batch_id"]} in component(document, "InvitationRelease")["oneOf"]
    assert {"required": ["active"]} in component(document, "TermUpdate")["anyOf"]
    assert "_schema" in refused(UserUpdateSchema, {"version": 1})
    assert "_schema" in refused(TermUpdateSchema, {"version": 1})


def test_query_lists_are_one_comma_separated_parameter(document):
    namespaces = parameter(document, "get", "/api/v1/translations/{language}/bundle", "namespaces")

    assert namespaces["explode"] is False


def test_the_idempotency_key_header_is_printable_ascii_in_the_document(document):
    pattern = document["components"]["parameters"]["IdempotencyKey"]["schema"]["pattern"]

    assert re.fullmatch(pattern, "a b~1")
    assert not re.fullmatch(pattern, "é")
    assert not re.fullmatch(pattern, "")


# --- numbers ------------------------------------------------------------------------------------


def test_a_version_has_a_maximum_the_database_holds(document):
    version = component(document, "UserUpdate")["properties"]["version"]

    assert version["maximum"] == 2**31 - 1
    assert "version" in refused(SubmissionSchema, {"text": "Hallo", "version": 2**64})


@pytest.mark.parametrize("number", ["3", True, 3.5])
def test_a_body_integer_is_a_json_integer_not_text_a_boolean_or_a_fraction(number):
    assert "version" in refused(UserUpdateSchema, {"version": number, "full_name": "Ada"})


def test_a_body_integer_may_be_written_with_a_zero_fraction_as_json_schema_allows():
    assert load(UserUpdateSchema, {"version": 3.0, "full_name": "Ada"})["version"] == 3


# --- text a language is recognised by -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "letters"),
    [("0", False), ("12 b", True), ("Жук", True), ("²", False), ("日本", False), ("Ωμέγα", True)],
)
def test_the_document_s_letter_pattern_and_the_service_agree(document, text, letters):
    pattern = component(document, "DetectionRequest")["properties"]["text"]["pattern"]

    assert pattern == LETTER
    assert bool(re.search(pattern, text)) is letters
    if not letters:
        assert "text" in refused(DetectionRequestSchema, {"text": text})


# --- engines' callbacks and rights --------------------------------------------------------------


def test_an_engine_callback_takes_text_or_whole_numbers_of_64_bits_only(document):
    body = component(document, "CallbackBody")
    bounds = {"minimum": -(2**63), "maximum": 2**63 - 1}

    assert body["properties"]["request-id"]["type"] == ["string", "integer"]
    assert body["additionalProperties"] == {"type": ["string", "integer"], **bounds}
    assert {key: body["properties"]["request-id"][key] for key in bounds} == bounds
    assert "request-id" in refused(CallbackBodySchema, {"request-id": None})
    assert "request-id" in refused(CallbackBodySchema, {"request-id": 2**70})
    assert "extra" in refused(CallbackBodySchema, {"extra": ["a"]})
    assert "extra" in refused(CallbackBodySchema, {"extra": -(2**64)})
    assert load(CallbackBodySchema, {"request-id": 7, "extra": "x"})["extra"] == "x"


def test_a_grant_s_area_is_a_code_and_only_for_rights_held_per_area(document):
    grant = component(document, "GrantRequest")
    per_area = grant["anyOf"][0]["properties"]["right"]["enum"]

    assert "allocator" in per_area
    assert "local_data_administrator" not in per_area
    data = {"full_name": "Ada", "email": "ada@example.eu", "language": "de"}
    errors = refused(NewUserSchema, {**data, "grants": [{"right": "allocator", "area": "a\x00"}]})
    assert "grants" in errors


# --- patterns match the whole value ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "valid"),
    [
        (CODE, "professional_qualifications"),
        (DIRECTORY_PHONE, "+49 30 1234567"),
        (IDENTITY_PHONE, "+49 30 1234567"),
        (AREA_CODE, "services"),
        (REGISTRATION_CODE, "A" * 24),
        (NAMESPACE, "requests.list"),
        (QUESTION_SET_KEY, "posting_of_workers"),
    ],
)
def test_a_pattern_takes_no_final_newline_as_the_document_says(validator, valid):
    """JSON Schema's ``$`` ends the value; Python's ``re.match`` let ``$`` match before a final
    newline, so these took "code\\n", which the OpenAPI document refuses."""
    assert validator(valid) == valid
    with pytest.raises(ValidationError):
        validator(valid + "\n")
