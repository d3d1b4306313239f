"""A reviewer rejects a submitted translation through RPC: the reason is required, the text
goes back to the translators as missing with the reason, the same rights as approving, and
of two reviewers deciding on the same version one wins and the other gets a 409."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.translation.exchange import XLIFF_NS

from .harness import administrator, entry, translator, user

SUBMITTED = "Žádost o {count} dokumentů"
REASON = "The plural of 'dokument' after a number needs the genitive here."


@pytest.fixture
def submitted(rpc) -> tuple[dict, dict, dict]:
    """A new entry with a Czech text submitted by one translator: (entry, writer, answer)."""
    new = entry(namespace="test.rejection")
    rpc.register_entries(administrator(), {"entries": [new]})
    writer = translator()
    answer = rpc.submit_translation(writer, "cs", new["key"], {"text": SUBMITTED, "version": 0})
    return new, writer, answer


def listed(rpc, state: str) -> list[dict]:
    query = {"state": state, "namespace": "test.rejection"}
    return rpc.list_entries(translator(), "cs", query)["items"]


def test_a_rejected_text_goes_back_to_the_translators_with_the_reason(rpc, submitted, events):
    new, writer, answer = submitted
    reviewer = translator()

    rejected = rpc.reject_translation(
        reviewer, "cs", new["key"], {"version": answer["version"], "reason": REASON}
    )

    assert (rejected["status"], rejected["version"]) == ("missing", answer["version"] + 1)
    assert (rejected["rejection_reason"], rejected["rejected_by"]) == (REASON, reviewer["user_id"])
    assert rejected["text"] == SUBMITTED  # kept for the next attempt to start from
    assert rejected["reviewed_by"] is None
    [seen] = [item for item in listed(rpc, "missing") if item["key"] == new["key"]]
    assert (seen["rejection_reason"], seen["version"]) == (REASON, rejected["version"])
    assert listed(rpc, "translated") == []
    read = rpc.text(user(), {"key": new["key"], "language": "cs"})
    assert (read["text"], read["fallback"]) == (new["source_text"], True)
    [event] = events.wait_for("translation_rejected", new["key"])
    assert event["data"] == {
        "key": new["key"], "language": "cs", "status": "missing",
        "source_version": 1, "version": rejected["version"],
    }  # fmt: skip

    again = rpc.submit_translation(
        writer, "cs", new["key"], {"text": "Žádost o {count} dokumenty", "version": 2}
    )
    assert (again["status"], again["rejection_reason"], again["rejected_by"]) == (
        "translated", None, None
    )  # fmt: skip


def test_only_another_translator_rejects_a_current_submitted_text(rpc, submitted):
    new, writer, answer = submitted
    data = {"version": answer["version"], "reason": REASON}

    with pytest.raises(Forbidden) as plain:
        rpc.reject_translation(user(), "cs", new["key"], data)
    with pytest.raises(Forbidden) as own:
        rpc.reject_translation(writer, "cs", new["key"], data)
    with pytest.raises(NotFound):
        rpc.reject_translation(translator(), "sk", new["key"], {"version": 1, "reason": REASON})
    reviewed = rpc.review_translation(translator(), "cs", new["key"], {"version": 1})
    with pytest.raises(Conflict) as approved:
        rpc.reject_translation(translator(), "cs", new["key"], {**data, "version": 2})

    assert plain.value.code != "translation.own_review"
    assert own.value.code == "translation.own_review"
    assert approved.value.code == "translation.not_reviewable"
    assert (
        rpc.list_entries(translator(), "cs", {"namespace": "test.rejection"})["items"][0]["status"]
        == reviewed["status"]
        == "reviewed"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1},
        {"version": 1, "reason": ""},
        {"version": 1, "reason": "   \n "},
        {"version": 1, "reason": "x" * 1001},
        {"reason": REASON},
    ],
    ids=["no reason", "empty", "only spaces", "too long", "no version"],
)
def test_a_rejection_without_a_fitting_reason_changes_nothing(rpc, submitted, data):
    new, _, _ = submitted

    with pytest.raises(ValidationFailed) as refused:
        rpc.reject_translation(translator(), "cs", new["key"], data)

    [field] = refused.value.extra["errors"]
    assert field == ("version" if "version" not in data else "reason")
    [item] = listed(rpc, "all")
    assert (item["status"], item["version"], item["rejection_reason"]) == ("translated", 1, None)


def test_of_two_reviewers_deciding_on_one_version_the_second_gets_a_409(rpc, submitted):
    new, _, answer = submitted
    first, second = translator(), translator()
    read = {"version": answer["version"]}

    rpc.reject_translation(first, "cs", new["key"], {**read, "reason": REASON})
    with pytest.raises(Conflict) as approving:
        rpc.review_translation(second, "cs", new["key"], read)
    with pytest.raises(Conflict) as rejecting:
        rpc.reject_translation(second, "cs", new["key"], {**read, "reason": "Too formal."})

    for caught in (approving, rejecting):
        assert caught.value.code == "error.stale_version"
        assert caught.value.extra["current_version"] == 2
        assert caught.value.extra["changed_by"] == first["user_id"]
    [item] = listed(rpc, "missing")
    assert (item["rejection_reason"], item["rejected_by"]) == (REASON, first["user_id"])


def test_the_export_carries_the_reason_as_a_note_on_the_target_and_the_file_imports(rpc, submitted):
    new, writer, answer = submitted
    rpc.reject_translation(
        translator(), "cs", new["key"], {"version": answer["version"], "reason": REASON}
    )

    exported = rpc.export_translations(writer, "cs", {"namespace": "test.rejection"})
    imported = rpc.import_translations(writer, "cs", {"content": exported["content"]})

    [unit] = fromstring(exported["content"]).iter(f"{{{XLIFF_NS}}}unit")
    notes = {note.get("category"): note for note in unit.iter(f"{{{XLIFF_NS}}}note")}
    assert (notes["rejection_reason"].text, notes["rejection_reason"].get("appliesTo")) == (
        REASON, "target"
    )  # fmt: skip
    assert notes["status"].text == "missing"
    assert (imported["imported"], imported["unchanged"]) == (0, 0)  # an initial unit is skipped
    [still] = listed(rpc, "missing")
    assert still["rejection_reason"] == REASON
