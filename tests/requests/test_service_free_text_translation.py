"""A request's free text machine-translated on demand, beside the original: the subject's
personal data are masked before the external engine (here a LibreTranslate stand-in, a real
HTTP server speaking its protocol) and put back in the translation; a reader gets only texts
its view shows it."""

from __future__ import annotations

import pytest

from services.common.reference import SUPPORTED_LANGUAGES
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    new_request,
    refused,
)
from tests.requests.network import BUDAPEST, ROMA
from tests.translation.machine_harness import libretranslate

SUBJECT = {"full_name": "Kovács János", "date_of_birth": "1980-05-03", "nationality": "HU",
           "identity_numbers": [{"kind": "passport", "value": "BA1234567"}]}  # fmt: skip
TEXT = ("Kovács Jánosnak (született 1980. május 3-án, útlevélszám: BA 123 4567) 2019 óta "
        "érvényes engedélye van.")  # fmt: skip


@pytest.fixture
def engine():
    with libretranslate(SUPPORTED_LANGUAGES) as server:
        yield server


@pytest.fixture
def requests_config(network_requests_config, engine) -> dict:
    return {
        **network_requests_config,
        "TRANSLATION": {"ENGINE": "libretranslate", "LIBRETRANSLATE_URL": engine.url},
    }


def test_an_answer_is_translated_for_the_requester_with_the_subject_masked(proxy, engine):
    draft = new_request(proxy, subject=SUBJECT, questions=["2.4"])
    accepted = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "accept")
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, draft["id"],
        {"version": accepted["version"],
         "answers": [{"question": "2.4", "value": TEXT, "language": "hu"}]},
    )  # fmt: skip
    act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")
    shown = proxy.requests.request(ROMA_HANDLER, draft["id"], {})
    (answer,) = shown["questions"][0]["answers"]

    translated = proxy.requests.translate_request_text(
        ROMA_HANDLER, draft["id"], {"text": f"answer:{answer['id']}", "target": "it"}
    )

    assert translated["machine_translation"] is True
    assert translated["original"] == TEXT
    assert translated["original_language"] == "hu"
    assert translated["text"].startswith("[it] ")
    assert "Kovács János" in translated["text"]  # put back after the engine
    sent = engine.received_text()
    for leaked in ("Kovács", "János", "1980", "május", "BA 123 4567", "BA1234567"):
        assert leaked not in sent, leaked
    last = proxy.requests.personal_data_audit(ROMA_HANDLER, draft["id"])["items"][-1]
    assert (last["operation"], last["username"]) == ("translated", ROMA_HANDLER["username"])


def test_a_reader_gets_only_the_texts_its_view_shows(proxy):
    draft = new_request(proxy, subject=SUBJECT, questions=["2.4"])
    basic = network.user(ROMA, "basic", network.Right.BASIC_USER)
    outsider = network.handler(BUDAPEST)
    no_comment = "comment:00000000-0000-4000-8000-000000000000"
    for actor, reference in ((basic, "description"), (outsider, "description"),
                             (ROMA_HANDLER, no_comment)):  # fmt: skip
        found = refused(lambda actor=actor, reference=reference:
                        proxy.requests.translate_request_text(
                            actor, draft["id"], {"text": reference, "target": "en"}))  # fmt: skip
        assert "request.unknown" in found["text"], (actor["username"], found)
