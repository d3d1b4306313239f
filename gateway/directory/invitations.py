"""/api/v1/invitations and /api/v1/self-registration: coordinators invite authorities in
batches, the Commission releases what the daily limit held, and an invited authority
registers itself with its code (no login; rate limited like the login)."""

from __future__ import annotations

from types import MappingProxyType

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.parameters import REGISTRATION_CODE_FIELD
from gateway.route import API, Route
from services.directory.schemas.invitations import (
    InvitationBatchResultSchema,
    InvitationBatchSchema,
    InvitationCheckSchema,
    InvitationListQuerySchema,
    InvitationPageSchema,
    InvitationReleaseResultSchema,
    InvitationReleaseSchema,
    InvitationResubmissionSchema,
    InvitationSchema,
    SelfRegistrationSchema,
    SelfRegistrationSummarySchema,
)

_TAG = "invitations"

ROUTES = (
    Route(
        "invite", "POST", f"{API}/invitations",
        "Invite authorities to self-register, in a batch: each invitation is accepted or "
        "rejected with its reason; over the daily limit they are held for the Commission",
        _TAG, body=InvitationBatchSchema, response=InvitationBatchResultSchema,
        authenticated=True, errors=(403,),
    ),
    Route(
        "list_invitations", "GET", f"{API}/invitations",
        "A coordinator's invitations (the Commission's administrators: every one), by status",
        _TAG, query=InvitationListQuerySchema, response=InvitationPageSchema,
        authenticated=True, errors=(403,),
    ),
    Route(
        "resubmit_invitation", "POST", f"{API}/invitations/{{invitation_id}}/resubmission",
        "Send an expired invitation again, possibly edited: a new code, a new period", _TAG,
        body=InvitationResubmissionSchema, response=InvitationSchema, authenticated=True,
        errors=(403, 404, 409),
    ),
    Route(
        "release_invitations", "POST", f"{API}/invitations/release",
        "Confirm held invitations, by batch or one by one (Commission administrators)", _TAG,
        body=InvitationReleaseSchema, response=InvitationReleaseResultSchema,
        authenticated=True, errors=(403,),
    ),
    Route(
        "check_registration_code", "GET", f"{API}/self-registration/{{code}}",
        "What an invitation's registration code prefills (no login)", "self-registration",
        response=InvitationCheckSchema, rate_limited=True, errors=(404,),
        path_fields=MappingProxyType({"code": REGISTRATION_CODE_FIELD}),
    ),
    Route(
        "self_register", "POST", f"{API}/self-registration",
        "Register an invited authority and its first user (no login): the summary shows the "
        "first user's username; the password follows the coordinator's validation",
        "self-registration", body=SelfRegistrationSchema,
        response=SelfRegistrationSummarySchema, statuses=(201,), rate_limited=True,
        errors=(404,),
    ),
)  # fmt: skip


class InvitationsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def invite(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).invite(call.actor, call.body)

    @api
    def list_invitations(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.list_invitations(call.actor, call.query)

    @api
    def resubmit_invitation(self, request: Request, invitation_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).resubmit_invitation(call.actor, invitation_id, call.body)

    @api
    def release_invitations(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).release_invitations(call.actor, call.body)

    @api
    def check_registration_code(self, request: Request, code: str) -> dict:
        self.gate.admit(request)
        return self.directory.check_registration_code(code)

    @api
    def self_register(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).self_register(call.body)
