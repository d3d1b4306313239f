"""Attachments through the broker: a handler attaches a real PDF to a request, both sides read
it back byte for byte with its checksum, a document question is answered with it, and what
the rules refuse (a disguised executable, a reader without the content view, an outsider, a
closed request) is refused with its code and stores nothing."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from services.common.actor import Right
from tests.requests import network
from tests.requests.exchange_harness import (
    BUDAPEST_HANDLER,
    ROMA_HANDLER,
    act,
    new_request,
    refused,
)
from tests.requests.network import ROMA, SZEGED
from tests.requests.sample_files import pdf, windows_executable


@pytest.fixture
def requests_config(network_requests_config, tmp_path) -> dict:
    return {**network_requests_config, "ATTACHMENTS": {"DIR": str(tmp_path / "attachments")}}


def upload(content: bytes, name: str = "certificate.pdf", media_type: str = "application/pdf"):
    return {"name": name, "language": "it", "media_type": media_type,
            "content": base64.b64encode(content).decode()}  # fmt: skip


def stored_files(config: dict) -> list[Path]:
    return [path for path in Path(config["ATTACHMENTS"]["DIR"]).rglob("*") if path.is_file()]


def test_a_file_attached_by_one_side_is_read_by_the_other_and_answers_a_document_question(
    proxy, requests_config
):
    document = pdf("Estratto del registro delle imprese")
    sent = act(proxy, ROMA_HANDLER, new_request(proxy, questions=["1.6"]), "send")
    accepted = act(proxy, BUDAPEST_HANDLER, sent, "accept")

    attached = proxy.requests.add_attachment(BUDAPEST_HANDLER, sent["id"], upload(document))
    saved = proxy.requests.save_reply_draft(
        BUDAPEST_HANDLER, sent["id"],
        {"version": accepted["version"],
         "answers": [{"question": "1.6", "value": [attached["id"]]}]},
    )  # fmt: skip
    act(proxy, BUDAPEST_HANDLER, saved, "send_full_reply")
    read = proxy.requests.attachment_content(ROMA_HANDLER, sent["id"], attached["id"])
    shown = proxy.requests.request(ROMA_HANDLER, sent["id"], {})

    assert attached["side"] == "responder"
    assert attached["media_type"] == "application/pdf"
    assert attached["sha256"] == hashlib.sha256(document).hexdigest()
    assert base64.b64decode(read["content"]) == document
    assert [item["id"] for item in shown["attachments"]] == [attached["id"]]
    assert shown["questions"][0]["answers"][0]["value"] == [attached["id"]]
    assert len(stored_files(requests_config)) == 1


def test_refused_uploads_and_readers_store_and_show_nothing(proxy, requests_config):
    draft = new_request(proxy)
    disguised = refused(lambda: proxy.requests.add_attachment(
        ROMA_HANDLER, draft["id"], upload(windows_executable())))  # fmt: skip
    basic = network.user(ROMA, "basic", Right.BASIC_USER)
    by_basic_user = refused(lambda: proxy.requests.add_attachment(
        basic, draft["id"], upload(pdf())))  # fmt: skip
    by_outsider = refused(lambda: proxy.requests.add_attachment(
        network.handler(SZEGED), draft["id"], upload(pdf())))  # fmt: skip
    attached = proxy.requests.add_attachment(ROMA_HANDLER, draft["id"], upload(pdf()))
    unseen = proxy.requests.list_attachments(basic, draft["id"])
    not_read = refused(lambda: proxy.requests.attachment_content(
        basic, draft["id"], attached["id"]))  # fmt: skip

    assert "attachment.type_" in disguised["text"]
    assert "request.attachment_not_allowed" in by_basic_user["text"]
    assert "request.unknown" in by_outsider["text"]
    assert unseen == {"items": []}
    assert "request.unknown_attachment" in not_read["text"]
    assert len(stored_files(requests_config)) == 1
