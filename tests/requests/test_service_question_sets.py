"""The question set generator through the broker: Commission administrators draft, edit and
publish versions; a published version never changes, its texts reach the translation
catalogue, and every user reads it in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.actor import Right
from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, NotFound, StaleVersion, ValidationFailed
from services.requests.bootstrap import publish_shipped_lists
from tests.events import wait_until
from tests.translation.harness import actor, administrator, translator, user

from .documents import changed, document, question


@pytest.fixture
def admin() -> dict:
    return administrator()


@pytest.fixture
def requests(proxy):
    return proxy.requests


def publish(requests, admin, found: dict) -> dict:
    draft = requests.create_question_set_draft(admin, {"document": found})
    return requests.publish_question_set(admin, found["key"], {"version": draft["version"]})


def test_an_administrator_drafts_edits_and_publishes_a_version(requests, admin, events):
    found = document()
    key = found["key"]

    draft = requests.create_question_set_draft(admin, {"document": found})
    edited = changed(found)
    question(edited, "sanctions")["text"]["en"] = "Which sanctions, if any, were imposed?"
    draft = requests.update_question_set_draft(
        admin, key, {"document": edited, "version": draft["version"]}
    )
    published = requests.publish_question_set(admin, key, {"version": draft["version"]})

    assert (draft["status"], draft["number"], draft["version"]) == ("draft", None, 2)
    assert (published["status"], published["number"]) == ("published", 1)
    assert published["document"] == edited
    (event,) = events.wait_for("question_set_published", key)
    assert event["data"]["number"] == 1
    sanctions = f"requests.question_set.{key}.question.sanctions.text"
    entries = {entry["key"]: entry for entry in event["data"]["entries"]}
    assert entries[sanctions]["source_text"] == "Which sanctions, if any, were imposed?"
    assert requests.list_question_sets(user())["items"] == [
        {"key": key, "area": "services", "kind": "information", "published_number": 1,
         "draft_version": None},
    ]  # fmt: skip


def test_only_commission_administrators_use_the_generator(requests, admin):
    found = document()
    outcomes = {}
    others = {
        "a translator": translator(),
        "a handler": user(),
        "an authority's administrator": actor(Right.DATA_ADMINISTRATOR),
    }
    for name, who in others.items():
        with pytest.raises(Forbidden) as caught:
            requests.create_question_set_draft(who, {"document": found})
        outcomes[name] = caught.value.code

    assert set(outcomes.values()) == {"error.right_missing"}
    with pytest.raises(NotFound):
        requests.question_set(user(), found["key"], {})


def test_a_set_has_one_draft_and_a_stale_edit_names_who_saved_first(requests, admin):
    found = document()
    draft = requests.create_question_set_draft(admin, {"document": found})
    other = administrator()
    requests.update_question_set_draft(
        other, found["key"], {"document": found, "version": draft["version"]}
    )

    with pytest.raises(Conflict) as twice:
        requests.create_question_set_draft(admin, {"document": found})
    with pytest.raises(StaleVersion) as stale:
        requests.update_question_set_draft(
            admin, found["key"], {"document": found, "version": draft["version"]}
        )

    assert twice.value.code == "question_set.draft_exists"
    assert stale.value.extra["current_version"] == 2
    assert stale.value.extra["changed_by"] == other["user_id"]


def test_a_published_version_never_changes_and_requests_keep_reading_it(requests, admin):
    first = document()
    publish(requests, admin, first)
    rewritten = changed(first)
    question(rewritten, "sanctions")["text"]["en"] = "Which penalties were imposed?"
    extended = changed(first)
    extended["groups"][1]["questions"].append(
        {"key": "penalties", "answer": "date", "text": {"en": "Since when was it penalised?"}}
    )

    with pytest.raises(ValidationFailed) as refused:
        requests.create_question_set_draft(admin, {"document": rewritten})
    second = publish(requests, admin, extended)

    assert refused.value.extra["errors"]["texts"] == [
        f"requests.question_set.{first['key']}.question.sanctions.text: published with another "
        "text; a changed question needs a new key."
    ]
    assert second["number"] == 2
    old = requests.question_set(user(), first["key"], {"number": 1})
    new = requests.question_set(user(), first["key"], {})
    assert [q["key"] for q in old["groups"][1]["questions"]] == ["sanctions"]
    assert [q["number"] for q in new["groups"][1]["questions"]] == ["2.1", "2.2"]


def test_hostile_documents_are_refused_and_nothing_is_stored(requests, admin):
    found = document()
    wrong_answer = changed(found)
    question(wrong_answer, "sanctions")["answer"] = "essay"
    unknown_language = changed(found)
    unknown_language["title"]["xx"] = "?"
    too_long = changed(found)
    question(too_long, "sanctions")["text"]["en"] = "x" * 401
    one_option = changed(found)
    question(one_option, "legal_form")["options"].pop()

    outcomes = {}
    for name, bad in {"an answer type": wrong_answer, "a language": unknown_language,
                      "a long question": too_long, "one option": one_option}.items():  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            requests.create_question_set_draft(admin, {"document": bad})
        outcomes[name] = sorted(caught.value.extra["errors"])

    assert outcomes == {
        "an answer type": ["document"], "a language": ["document"],
        "a long question": ["document"], "one option": ["options"],
    }  # fmt: skip
    assert requests.list_question_sets(admin)["items"] == []


def test_the_texts_reach_the_catalogue_and_readers_get_them_in_their_language(
    proxy, requests, admin
):
    found = document()
    publish(requests, admin, found)
    key = f"requests.question_set.{found['key']}.question.legal_form.text"
    catalogue = proxy.translation
    before = wait_until(lambda: _entry(catalogue, key), f"the catalogue's entry {key}")
    catalogue.submit_translation(
        translator(), "it", key, {"text": "Qual è la forma giuridica del prestatore?",
                                  "version": 0},
    )  # fmt: skip

    view = requests.question_set({**user(), "language": "it"}, found["key"], {})

    assert (before["status"], before["fallback"]) == ("missing", True)
    legal_form = view["groups"][0]["questions"][1]
    assert legal_form["text"] == {"text": "Qual è la forma giuridica del prestatore?",
                                  "fallback": False}  # fmt: skip
    assert view["groups"][0]["questions"][0]["text"] == {
        "text": "Il prestatore è legalmente stabilito nel suo Stato?", "fallback": False
    }  # fmt: skip
    assert view["groups"][1]["questions"][0]["text"]["fallback"] is True


def test_a_translators_change_reaches_the_readers_of_texts_the_service_keeps(
    proxy, requests, admin
):
    """The service keeps the texts it read (services/requests/catalogue_texts.py) for minutes:
    the new text shows within seconds only because translation's event makes it read them
    again."""
    found = document()
    publish(requests, admin, found)
    key = f"requests.question_set.{found['key']}.question.legal_form.text"
    wait_until(lambda: _entry(proxy.translation, key), f"the catalogue's entry {key}")
    reader = {**user(), "language": "it"}

    def legal_form() -> dict:
        return requests.question_set(reader, found["key"], {})["groups"][0]["questions"][1]

    kept = legal_form()
    proxy.translation.submit_translation(
        translator(), "it", key, {"text": "Qual è la forma giuridica del prestatore?",
                                  "version": 0},
    )  # fmt: skip
    changed = wait_until(
        lambda: legal_form()["text"]["fallback"] is False and legal_form(), "the new text"
    )

    assert kept["text"]["fallback"] is True
    assert changed["text"]["text"] == "Qual è la forma giuridica del prestatore?"


def _entry(catalogue, key: str, language: str = "it"):
    try:
        return catalogue.text(translator(), {"key": key, "language": language})
    except NotFound:
        return None


def test_the_shared_lists_reach_the_catalogue_in_every_language(
    proxy, requests_config, frozen_clock
):
    publish_shipped_lists(requests_config["DB_URIS"]["requests"])  # as prepare does, now
    frozen_clock.now = utcnow() + timedelta(minutes=1)  # the service's relay: due
    key = "requests.list.cannot_provide_reasons.not_held"

    # every shipped list (report labels among them: over a thousand texts) is absorbed first
    found = wait_until(
        lambda: _entry(proxy.translation, key, "hu"), f"the catalogue's entry {key}", timeout=60
    )

    assert found == {
        "key": key, "language": "hu", "text": "Az információ nem áll e hatóság rendelkezésére",
        "status": "translated", "fallback": False, "outdated": False,
    }  # fmt: skip
