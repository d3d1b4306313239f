"""A request's PDF report through the broker (DOMAIN.md section 4, "Report"; section 8): the
report of an answered request rendered in Greek and in Bulgarian reads back with pypdf in those
scripts, its labels, questions, structured answers and statuses in the language; a report
without the subject carries no personal data while the full one does, and only the full one is
written in the audit trail; a reader with the monitoring view gets the header only, whatever it
asks for; blocked personal data are never printed; an unknown part is a 400, an outsider's
report a 404.

The catalogue holds the shared lists from the start, as in test_service_history_labels.py (whose
loader this module reuses); the question sets' texts come from the versions' own translations.
"""

from __future__ import annotations

import base64
import io

import pypdf
import pytest
import yaml
from sqlalchemy import create_engine, select, update

from services.common.actor import Right
from services.requests.bootstrap import LISTS_FILE
from services.requests.models import PersonalDataAccess, Request
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    SUBJECT,
    act,
    load_network,
    new_request,
    refused,
)
from tests.requests.network import ROMA, SZEGED
from tests.requests.sample_files import pdf
from tests.requests.test_service_history_labels import with_the_shared_lists

LISTS = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
COMMENT = "Kérjük, vegye figyelembe a cégjegyzék legutóbbi változását."
WITHOUT_PERSONAL_DATA = "description,questions,answers,comments,attachments,history"


@pytest.fixture
def requests_config(service_config, service_database, frozen_clock, tmp_path) -> dict:
    """The network of tests/requests/network.py, a catalogue with the shared lists, and a
    folder for attachments."""
    translation = service_database(
        "translation",
        lambda uri: with_the_shared_lists(uri, frozen_clock()),
        template="translation-requests-lists",
    )
    requests = service_database("requests", load_network, template="requests-network")
    return {
        **service_config,
        "DB_URIS": {"requests": requests, "translation": translation},
        "ATTACHMENTS": {"DIR": str(tmp_path / "attachments")},
    }


@pytest.fixture
def answered(proxy) -> dict:
    """A request of Roma's answered in full by Budapest: yes/no (1.1), an option (1.4), a date
    that cannot be provided (1.5), a document (1.6) and an answer that is the subject's personal
    data (3.2), with a comment in Hungarian and an attachment."""
    draft = new_request(proxy, questions=["1.1", "1.4", "1.5", "1.6", "3.2"])
    accepted = act(proxy, BUDAPEST_HANDLER, act(proxy, ROMA_HANDLER, draft, "send"), "accept")
    attached = proxy.requests.add_attachment(
        BUDAPEST_HANDLER, draft["id"],
        {"name": "cégkivonat.pdf", "language": "hu", "media_type": "application/pdf",
         "content": base64.b64encode(pdf("Cegkivonat")).decode()},
    )  # fmt: skip
    proxy.requests.add_comment(
        BUDAPEST_HANDLER, draft["id"], {"text": COMMENT, "question": "1.1", "language": "hu"}
    )
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, draft["id"],
        {"version": accepted["version"], "answers": [
            {"question": "1.1", "value": True},
            {"question": "1.4", "value": "private_limited_company"},
            {"question": "1.5", "cannot_provide": "not_held"},
            {"question": "1.6", "value": [attached["id"]]},
            {"question": "3.2", "value": ["administrative_fine"]},
        ]},
    )  # fmt: skip
    return act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")


def report_text(proxy, actor: dict, request_id: str, **query) -> str:
    """The report's text as pypdf reads it, its white space as single spaces."""
    found = proxy.requests.request_report(actor, request_id, query)
    assert found["media_type"] == "application/pdf"
    assert found["name"] == f"request-{request_id}-report-{query.get('language', 'it')}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(base64.b64decode(found["content"])))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def item(name: str, key: str, language: str) -> str:
    """An item of a shipped list in ``language``, its white space as single spaces."""
    texts = next(entry["text"] for entry in LISTS[name] if entry["key"] == key)
    return " ".join(texts[language].split())


def question_texts(proxy, language: str) -> dict[str, dict]:
    """The Services set's questions in ``language``, by number."""
    version = proxy.requests.question_set(ROMA_HANDLER, "services", {"language": language})
    return {q["number"]: q for group in version["groups"] for q in group["questions"]}


def report_audit_rows(config: dict, request_id: str) -> list[tuple]:
    engine = create_engine(config["DB_URIS"]["requests"])
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(PersonalDataAccess.operation, PersonalDataAccess.username,
                       PersonalDataAccess.authority_id)
                .where(PersonalDataAccess.request_id == request_id,
                       PersonalDataAccess.operation == "reported")
            ).all()  # fmt: skip
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["el", "bg"])
def test_a_report_in_greek_and_in_bulgarian_reads_back_in_its_script(proxy, answered, language):
    text = report_text(proxy, ROMA_HANDLER, answered["id"], language=language)
    questions = question_texts(proxy, language)
    legal_form = {o["key"]: o["text"]["text"] for o in questions["1.4"]["options"]}

    labels = ("title", "request", "legislative_area", "status", "parties",
              "requesting_authority", "responding_authority", "member_state", "coordinator",
              "dates", "created", "sent", "subject", "full_name", "date_of_birth",
              "nationality", "description", "questions", "reply", "comments", "question",
              "attachments", "history", "printed", "page")  # fmt: skip
    missing = [key for key in labels if item("report_labels", key, language) not in text]
    assert missing == []
    for number in ("1.1", "1.4", "3.2"):
        assert " ".join(questions[number]["text"]["text"].split()) in text, number
    assert item("answer_values", "yes", language) in text
    assert legal_form["private_limited_company"] in text
    assert item("answer_values", "cannot_be_provided", language) in text
    assert item("cannot_provide_reasons", "not_held", language) in text
    assert item("request_statuses", "answered", language) in text
    assert item("history_actions", "send_full_reply", language) in text
    assert f"{item('report_labels', 'page', language)} 1 / " in text
    assert answered["id"] in text
    assert "Mario Rossi" in text
    assert "cégkivonat.pdf" in text  # the attachment, and the document question's answer
    assert f"{COMMENT} [hu]" in text


def test_a_report_without_the_subject_has_no_personal_data_and_only_the_full_one_is_audited(
    proxy, answered, requests_config
):
    without = report_text(proxy, ROMA_HANDLER, answered["id"], parts=WITHOUT_PERSONAL_DATA)
    assert report_audit_rows(requests_config, answered["id"]) == []
    full = report_text(proxy, ROMA_HANDLER, answered["id"])
    measures = question_texts(proxy, "it")["3.2"]["options"]  # personal data: 3.2's answer
    administrative_fine = next(
        o["text"]["text"] for o in measures if o["key"] == "administrative_fine"
    )

    assert "Mario Rossi" in full
    assert "1980-05-03" in full
    assert administrative_fine in full
    assert "Mario Rossi" not in without
    assert "1980-05-03" not in without
    assert administrative_fine not in without
    assert item("report_labels", "withheld", "it") in without
    assert item("report_labels", "without_personal_data", "it") in without
    assert item("answer_values", "yes", "it") in without  # the rest of the reply is there
    assert report_audit_rows(requests_config, answered["id"]) == [
        ("reported", ROMA_HANDLER["username"], ROMA.id)
    ]


def test_a_reader_with_the_monitoring_view_gets_the_header_only_whatever_it_asks(
    proxy, answered, requests_config
):
    basic = network.user(ROMA, "basic", Right.BASIC_USER)
    text = report_text(proxy, basic, answered["id"], parts="subject,questions,answers,history")

    assert item("request_statuses", "answered", "it") in text
    assert item("report_labels", "requesting_authority", "it") in text
    assert answered["id"] in text
    assert item("report_labels", "questions", "it") not in text
    assert item("report_labels", "history", "it") not in text
    assert item("report_labels", "subject", "it") not in text
    assert " ".join(question_texts(proxy, "it")["1.1"]["text"]["text"].split()) not in text
    assert "Mario Rossi" not in text
    assert report_audit_rows(requests_config, answered["id"]) == []


def test_blocked_personal_data_are_never_printed(proxy, answered, requests_config, frozen_clock):
    engine = create_engine(requests_config["DB_URIS"]["requests"])
    with engine.begin() as connection:
        connection.execute(
            update(Request).where(Request.id == answered["id"]).values(blocked_at=frozen_clock())
        )
    engine.dispose()

    text = report_text(proxy, ROMA_HANDLER, answered["id"])

    assert item("report_labels", "personal_data_blocked", "it") in text
    assert "Mario Rossi" not in text
    assert SUBJECT["date_of_birth"] not in text
    assert item("report_labels", "withheld", "it") in text  # 3.2, personal data too
    assert report_audit_rows(requests_config, answered["id"]) == []


def test_an_unknown_part_is_refused_and_an_outsider_is_told_the_request_does_not_exist(
    proxy, answered
):
    unknown_part = refused(
        lambda: proxy.requests.request_report(ROMA_HANDLER, answered["id"], {"parts": "salary"})
    )
    outsider = refused(
        lambda: proxy.requests.request_report(network.handler(SZEGED), answered["id"], {})
    )

    assert unknown_part["type"] == "ValidationFailed"
    assert "parts" in unknown_part["text"]
    assert "request.unknown" in outsider["text"]
