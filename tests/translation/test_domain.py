"""Unit tests of the catalogue's pure rules: no broker, no database."""

from __future__ import annotations

import pytest

from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.translation.domain import (
    State,
    Status,
    check_key,
    check_language,
    check_review,
    check_text,
    is_outdated,
    matches,
    placeholders,
    resolve,
)


def test_a_translation_of_an_older_source_version_is_outdated_and_a_missing_one_is_not():
    assert is_outdated(Status.TRANSLATED, 1, 2)
    assert is_outdated(Status.REVIEWED, 1, 3)
    assert not is_outdated(Status.TRANSLATED, 2, 2)
    assert not is_outdated(Status.MISSING, 0, 5)


def test_reading_a_missing_translation_falls_back_to_the_source_with_the_flag():
    found = resolve("de", "en", "Services", 1, None)

    assert (found.text, found.status, found.fallback) == ("Services", "missing", True)


def test_the_source_language_reads_the_source_itself_without_fallback():
    found = resolve("en", "en", "Services", 1, ("Dienste", "translated", 1))

    assert (found.text, found.status, found.fallback) == ("Services", "source", False)


def test_an_outdated_translation_is_still_shown_but_flagged():
    found = resolve("de", "en", "New services", 2, ("Dienste", "reviewed", 1))

    assert (found.text, found.fallback, found.outdated) == ("Dienste", False, True)


def test_states_filter_by_status_or_by_being_outdated():
    assert matches(State.ALL, "missing", False)
    assert matches(State.OUTDATED, "translated", True)
    assert not matches(State.OUTDATED, "translated", False)
    assert matches(State.MACHINE, "machine", False)


def test_placeholders_are_the_named_fields_and_doubled_braces_are_literal():
    assert placeholders("Dear {name}, {{not}} a field: {count}") == {"name", "count"}
    assert placeholders("unbalanced { brace") == set()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("   ", "empty"),
        ("x" * 61 + " {count}", "longer than 60"),
        ("Anfrage nach Dokumenten", "placeholders"),
        ("Anfrage nach {anzahl} Dokumenten", "placeholders"),
    ],
)
def test_a_translation_must_be_short_enough_and_keep_the_placeholders(text, problem):
    with pytest.raises(ValidationFailed) as raised:
        check_text(text, "Request for {count} documents", 60)

    assert problem in " ".join(raised.value.extra["errors"]["text"])


def test_a_good_translation_is_accepted_as_given():
    assert check_text("Anfrage nach {count} Dokumenten", "Request for {count} documents", 60)


def test_only_supported_languages_other_than_the_source_are_translated():
    check_language("ga", "en")
    with pytest.raises(ValidationFailed):
        check_language("xx", "en")
    with pytest.raises(ValidationFailed):
        check_language("en", "en")


def test_keys_are_dotted_words_under_their_namespace():
    check_key("directory.profession.doctor_of_medicine", "directory.profession")
    check_key("directory.economic_activity.A-01", "directory.economic_activity")
    for key, namespace in [("Error.x", "error"), ("error", "error"), ("login.failed", "error")]:
        with pytest.raises(ValidationFailed):
            check_key(key, namespace)


def test_a_translator_reviews_someone_elses_current_translation_only():
    check_review(Status.TRANSLATED, False, "ana", "bo")
    check_review(Status.MACHINE, False, "machine", "bo")
    with pytest.raises(Forbidden):
        check_review(Status.TRANSLATED, False, "bo", "bo")
    with pytest.raises(Conflict):
        check_review(Status.TRANSLATED, True, "ana", "bo")
    with pytest.raises(Conflict):
        check_review(Status.REVIEWED, False, "ana", "bo")
