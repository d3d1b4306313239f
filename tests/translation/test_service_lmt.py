"""The language management tool through RPC: counts, lists, submit, review, import/export."""

from __future__ import annotations

import pytest

from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.translation.bootstrap import content_entries

from .harness import administrator, entry, translator, user, xliff


@pytest.fixture
def fresh(rpc) -> dict:
    new = entry(namespace="test.lmt")
    rpc.register_entries(administrator(), {"entries": [new]})
    return new


def test_the_status_counts_every_language_and_sees_a_new_entry_as_missing(rpc, fresh):
    report = rpc.translation_status(user())
    by_language = {row["language"]: row for row in report["languages"]}

    assert len(by_language) == 26
    german = by_language["de"]
    assert (
        german["total"]
        == german["missing"] + german["machine"] + german["translated"] + (german["reviewed"])
    )
    assert german["missing"] >= 1
    assert by_language["en"]["total"] < german["total"]


def test_a_translator_submits_and_another_reviews(rpc, fresh, events):
    writer, reviewer = translator(), translator()
    text = {"text": "Pedido de {count} documentos", "version": 0}

    submitted = rpc.submit_translation(writer, "pt", fresh["key"], text)
    with pytest.raises(Forbidden):
        rpc.review_translation(writer, "pt", fresh["key"], {"version": submitted["version"]})
    reviewed = rpc.review_translation(reviewer, "pt", fresh["key"], {"version": 1})

    assert (submitted["status"], submitted["version"]) == ("translated", 1)
    assert submitted["translated_by"] == writer["user_id"]
    assert (reviewed["status"], reviewed["reviewed_by"]) == ("reviewed", reviewer["user_id"])
    assert events.wait_for("translation_submitted", fresh["key"])[0]["data"]["language"] == "pt"
    assert events.wait_for("translation_reviewed", fresh["key"])[0]["data"]["version"] == 2


def test_a_stale_version_a_broken_placeholder_and_a_plain_user_are_refused(rpc, fresh):
    first = {"text": "Anmodning om {count} dokumenter", "version": 0}
    writer = translator()
    saved = rpc.submit_translation(writer, "da", fresh["key"], first)

    with pytest.raises(Conflict) as caught:
        rpc.submit_translation(translator(), "da", fresh["key"], first)
    assert caught.value.code == "error.stale_version"
    assert caught.value.extra == {
        "current_version": 1,
        "changed_by": writer["user_id"],
        "changed_at": saved["updated_at"],
    }
    with pytest.raises(ValidationFailed):
        rpc.submit_translation(
            translator(), "da", fresh["key"], {"text": "Anmodning om dokumenter", "version": 1}
        )
    with pytest.raises(Forbidden):
        rpc.submit_translation(user(), "sv", fresh["key"], {"text": "{count}", "version": 0})


def test_lists_filter_by_state_and_namespace_a_page_at_a_time(rpc, fresh):
    missing = rpc.list_entries(translator(), "ga", {"state": "missing", "namespace": "test.lmt"})
    shipped = rpc.list_entries(
        translator(), "ga", {"state": "translated", "namespace": "error", "page_size": 3}
    )

    assert [item["key"] for item in missing["items"]] == [fresh["key"]]
    assert missing["items"][0]["version"] == 0
    assert shipped["total"] == len(
        [item for item in content_entries() if item["namespace"].split(".")[0] == "error"]
    )  # the shipped messages of error.* and the namespaces below it
    assert len(shipped["items"]) == 3


def test_an_exported_file_translated_elsewhere_imports_back(rpc, fresh):
    exported = rpc.export_translations(translator(), "lv", {"namespace": "test.lmt"})
    content = (
        exported["content"]
        .replace(
            "<source>Request for {count} documents</source>",
            "<source>Request for {count} documents</source><target>Pieprasījums pēc {count} "
            "dokumentiem</target>",
        )
        .replace('state="initial"', 'state="translated"')
    )

    result = rpc.import_translations(translator(), "lv", {"content": content})
    again = rpc.import_translations(translator(), "lv", {"content": content})
    found = rpc.text(user(), {"key": fresh["key"], "language": "lv"})

    assert exported["content_type"] == "application/xliff+xml"
    assert (result["imported"], result["unchanged"]) == (1, 0)
    assert (again["imported"], again["unchanged"]) == (0, 1)
    assert found["text"] == "Pieprasījums pēc {count} dokumentiem"


def test_a_file_with_one_bad_unit_imports_nothing_and_says_why(rpc, fresh):
    other = entry(namespace="test.lmt")
    rpc.register_entries(administrator(), {"entries": [other]})
    content = xliff(
        "sk",
        (fresh["key"], "Request for {count} documents", "Žiadosť o {count} dokumentov"),
        (other["key"], "Request for {count} documents", "Žiadosť o dokumenty"),
    )

    with pytest.raises(ValidationFailed) as refused:
        rpc.import_translations(translator(), "sk", {"content": content})

    assert refused.value.code == "translation.import_refused"
    assert [unit["key"] for unit in refused.value.extra["refused"]] == [other["key"]]
    assert "placeholders" in refused.value.extra["refused"][0]["reason"]
    assert rpc.text(user(), {"key": fresh["key"], "language": "sk"})["fallback"] is True
