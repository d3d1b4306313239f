"""The audit trail's filter form: what it takes, what it refuses beside which field, the names
of the kinds it offers, and what the paging links keep."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

from gateway.web.audit_pages import KINDS, AuditFilter, filter_query, kept_query
from gateway.web.forms import read_form
from gateway.web.texts import shipped_texts
from services.common.reference import SUPPORTED_LANGUAGES
from services.identity.domain import AuditAction
from services.identity.schemas import AuditQuerySchema


def test_the_form_takes_a_period_of_days_and_a_kind_as_identity_s_query_does():
    values, errors = read_form(
        AuditFilter, {"since": "2026-03-01", "until": "2026-03-01", "kind": "login_failed"}
    )

    assert errors == {}
    assert values == {"since": date(2026, 3, 1), "until": date(2026, 3, 1), "kind": "login_failed"}
    query = filter_query(values)
    assert query == {"since": "2026-03-01", "until": "2026-03-01", "kind": ["login_failed"]}
    assert AuditQuerySchema().validate(query) == {}
    assert read_form(AuditFilter, {"since": "", "until": "", "kind": ""}) == (
        {"since": None, "until": None, "kind": None}, {},
    )  # fmt: skip


def test_what_does_not_fit_is_refused_beside_its_field():
    refused = {
        name: read_form(AuditFilter, data)[1]
        for name, data in {
            "no such day": {"since": "2026-02-30"},
            "not a day": {"until": "last week"},
            "no such kind": {"kind": "coffee_break"},
            "an end before the start": {"since": "2026-03-02", "until": "2026-03-01"},
        }.items()
    }

    assert refused == {
        "no such day": {"since": "web.form.invalid"},
        "not a day": {"until": "web.form.invalid"},
        "no such kind": {"kind": "web.form.invalid"},
        "an end before the start": {"until": "web.auditfilters.ends_before_start"},
    }


def test_every_kind_identity_records_is_offered_by_its_name_in_every_language():
    assert set(KINDS) == {action.value for action in AuditAction}
    shipped = shipped_texts()
    missing = [
        (kind, language)
        for kind in KINDS
        for language in SUPPORTED_LANGUAGES
        if not shipped.get(f"web.audit.action.{kind}", {}).get(language)
    ]
    assert missing == []


def test_the_paging_links_keep_the_filters_that_fit():
    link = {"authority_id": None, "user_id": "u-1", "page": 3}
    values = {"since": date(2026, 3, 1), "until": None, "kind": "user_created"}

    assert parse_qs(kept_query(link, values)) == {
        "user_id": ["u-1"], "since": ["2026-03-01"], "kind": ["user_created"],
    }  # fmt: skip
    assert kept_query(link, {}) == "user_id=u-1"
