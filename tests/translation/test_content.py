"""The shipped content: every text in the 26 languages (or reported missing), placeholders
kept, lengths respected, and the coverage report in docs/ up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.bootstrap import content_entries, directory_entries
from services.translation.coverage import report
from services.translation.domain import check_key, text_problems

CONTENT = list(content_entries())
REPORT = Path(__file__).resolve().parents[2] / "docs" / "translation-coverage.md"
REQUIRED = [
    "error.validation", "error.unauthenticated", "error.forbidden", "error.not_found",
    "error.conflict", "error.rate_limited", "error.service_unavailable", "login.failed",
    "login.account_blocked", "status.authority.validated", "status.invitation.expired",
    "status.user.blocked", *(
        f"email.{name}.{part}"
        for name in ("temporary_password", "password_reset", "invitation",
                     "invitation_reminder", "authority_validated")
        for part in ("subject", "body")
    ),
]  # fmt: skip


def test_the_texts_the_services_need_are_shipped():
    assert set(REQUIRED) <= {entry["key"] for entry in CONTENT}


@pytest.mark.parametrize("entry", CONTENT, ids=lambda entry: entry["key"])
def test_every_shipped_text_is_in_all_26_languages_and_fits_its_source(entry):
    check_key(entry["key"], entry["namespace"])
    assert set(entry["texts"]) == set(SUPPORTED_LANGUAGES)
    for language, text in entry["texts"].items():
        assert text_problems(text, entry["source_text"], entry["max_length"]) == [], language


def test_emails_never_carry_more_than_their_placeholders():
    bodies = [entry for entry in CONTENT if entry["key"].endswith(".body")]

    assert all("{request" not in entry["source_text"] for entry in bodies)


def test_directory_names_are_entries_with_english_sources_and_missing_languages_left_out():
    entries = list(directory_entries())

    for entry in entries:
        check_key(entry["key"], entry["namespace"])
        assert entry["texts"]["en"] == entry["source_text"]


def test_the_coverage_report_in_docs_has_the_shipped_groups_in_every_language():
    written = REPORT.read_text(encoding="utf-8")
    printed = report(CONTENT)

    for group in ("error", "login", "status", "email"):
        row = next(line for line in printed.splitlines() if line.startswith(f"| {group} |"))
        assert (
            row.split("|")[1:3]
            == next(line for line in written.splitlines() if line.startswith(f"| {group} |")).split(
                "|"
            )[1:3]
        )
    assert all(f"| {language} |" in written for language in SUPPORTED_LANGUAGES)
