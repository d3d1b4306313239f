"""/api/v1/requests/{request_id}/report: a request's printable report, a PDF in the reader's
language with the parts it picks (services/requests/report_content.py)."""

from __future__ import annotations

import base64

from werkzeug.wrappers import Request, Response

from gateway.http import api
from gateway.requests.requests import content_disposition
from gateway.route import API, Route
from services.requests.schemas import ReportQuerySchema

ROUTES = (
    Route(
        "request_report", "GET", f"{API}/requests/{{request_id}}/report",
        "The request as a printable PDF in the reader's language (or ?language=), with the parts "
        "it picks among those its view shows (?parts=, all by default; without subject, no "
        "personal data)", "requests",
        query=ReportQuerySchema, authenticated=True, errors=(404,),
        content_type="application/pdf",
    ),
)  # fmt: skip


class ReportsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``requests``)."""

    @api
    def request_report(self, request: Request, request_id: str):
        call = self.gate.admit(request)
        found = self.requests.request_report(call.actor, request_id, call.query)
        response = Response(base64.b64decode(found["content"]), content_type=found["media_type"])
        response.headers["Content-Disposition"] = content_disposition(found["name"])
        response.headers["Cache-Control"] = "no-store"  # it may hold personal data
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
