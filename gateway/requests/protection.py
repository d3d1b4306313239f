"""Data protection of requests (docs/requests-data-protection.md): the audit trail of a
request's personal data and the mark that its blocked data is contested, the coordinators'
list of requests left open without activity, and a data subject's report."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.requests.schemas import (
    AuditTrailSchema,
    InactiveListSchema,
    InactiveQuerySchema,
    ProtectionStateSchema,
    SubjectQuerySchema,
    SubjectReportSchema,
)

_ONE = f"{API}/requests/{{request_id}}"
_TAG = "data protection"

ROUTES = (
    Route(
        "read_personal_data_audit", "GET", f"{_ONE}/personal-data-audit",
        "Who processed the request's personal data, when and how (Commission administrators, "
        "and the request handlers of the two authorities)", _TAG,
        response=AuditTrailSchema, authenticated=True, errors=(403, 404),
    ),
    Route(
        "contest_personal_data", "PUT", f"{_ONE}/contested",
        "Mark the request's blocked personal data as contested by the data subject "
        "(Commission administrators, and the request handlers of the two authorities)", _TAG,
        response=ProtectionStateSchema, authenticated=True, errors=(403, 404, 409),
    ),
    Route(
        "withdraw_contest", "DELETE", f"{_ONE}/contested",
        "Take the contested mark off the request's blocked personal data", _TAG,
        response=ProtectionStateSchema, authenticated=True, errors=(403, 404),
    ),
    Route(
        "list_inactive_requests", "GET", f"{API}/inactive-requests",
        "The open requests without an action for some days (90 unless days is given) that my "
        "authority coordinates, longest inactive first, a page at a time (next_cursor)", _TAG,
        query=InactiveQuerySchema, response=InactiveListSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "data_subject_report", "POST", f"{API}/data-subject-reports",
        "What the system holds about one person, found by full name and date of birth or by an "
        "identity number: requests, the personal data they hold and their audit trails "
        "(Commission administrators)", _TAG,
        body=SubjectQuerySchema, response=SubjectReportSchema, authenticated=True,
        errors=(403,),
    ),
)  # fmt: skip


class ProtectionApi:
    """Entry points of GatewayService (which provides ``gate`` and ``requests``)."""

    @api
    def read_personal_data_audit(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.personal_data_audit(call.actor, request_id)

    @api
    def contest_personal_data(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).contest_personal_data(call.actor, request_id)

    @api
    def withdraw_contest(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).withdraw_contest(call.actor, request_id)

    @api
    def list_inactive_requests(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.requests.inactive_requests(call.actor, call.query)

    @api
    def data_subject_report(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).data_subject_report(call.actor, call.body)
