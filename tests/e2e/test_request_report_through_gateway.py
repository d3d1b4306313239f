"""A request's printable report through the gateway: the requesting handler downloads the PDF
of its draft (a file with its type and name, never kept by a cache) and reads the subject's
name in it; a part that does not exist is a 400, another authority's request a 404."""

from __future__ import annotations

import io

import pypdf

from tests.e2e.stack import API, Stack
from tests.e2e.test_request_journey import SUBJECT, authority

REQUESTS = f"{API}/requests"


def test_the_report_downloads_as_a_pdf_that_holds_the_request(stack: Stack):
    web = stack.web
    admin = stack.activate(stack.admin)
    _, italian = authority(stack, admin, "IT", "it", "Camera di Commercio di Bologna")
    hungary, hungarian = authority(stack, admin, "HU", "hu", "Budapesti Kereskedelmi Kamara")

    def created() -> dict:
        response = web.post(REQUESTS, headers=italian.auth_json, json={
            "set_key": "services", "questions": ["1.1", "1.4"], "responder_id": hungary,
            "subject": SUBJECT, "description": "Verifica di un prestatore.", "language": "it",
        })  # fmt: skip
        assert response.status_code == 201, response.text  # once requests knows both
        return response.json()

    draft = stack.eventually(created, timeout=10)
    report = f"{REQUESTS}/{draft['id']}/report"
    download = web.get(report, headers=italian.auth, params={"language": "el"})
    unknown_part = web.get(report, headers=italian.auth, params={"parts": "subject,salary"})
    not_theirs = web.get(report, headers=hungarian.auth)  # a draft: not sent to them yet

    assert download.status_code == 200, download.text
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert (
        f'attachment; filename="request-{draft["id"]}-report-el.pdf"'
        in download.headers["Content-Disposition"]
    )
    reader = pypdf.PdfReader(io.BytesIO(download.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert draft["id"] in text
    assert SUBJECT["full_name"] in text
    assert "Camera di Commercio di Bologna" in text
    assert unknown_part.status_code == 400
    assert unknown_part.json()["code"] == "error.validation"
    assert not_theirs.status_code == 404
    assert not_theirs.json()["code"] == "request.unknown"
