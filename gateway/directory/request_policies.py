"""/api/v1/request-policies: whether outgoing information requests need a coordinator's
approval and whether referral is enabled, per member state, region and legislative area; read
by any logged-in user, set by the member state's coordinators within their scope."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.directory.schemas.request_policies import (
    RequestPolicyDeleteQuerySchema,
    RequestPolicyListSchema,
    RequestPolicyPutSchema,
    RequestPolicyQuerySchema,
    RequestPolicySchema,
)

_ALL = f"{API}/request-policies"
_TAG = "request policies"

ROUTES = (
    Route(
        "list_request_policies", "GET", _ALL,
        "A member state's request policies in force: the whole state's, then each region's, "
        "per legislative area (the region's applies where there is one; no policy: no "
        "approval, no referral)", _TAG,
        query=RequestPolicyQuerySchema, response=RequestPolicyListSchema, authenticated=True,
    ),
    Route(
        "put_request_policy", "PUT", _ALL,
        "Set the policy of a member state or region for one legislative area: a new one without "
        "a version, an existing one with the version read (its national coordinator, or a "
        "regional or area coordinator within its scope)", _TAG,
        body=RequestPolicyPutSchema, response=RequestPolicySchema, authenticated=True,
        errors=(403, 409),
    ),
    Route(
        "delete_request_policy", "DELETE", f"{_ALL}/{{policy_id}}",
        "Remove a policy, with the version read: the member state's (or none) applies again",
        _TAG, query=RequestPolicyDeleteQuerySchema, statuses=(204,), authenticated=True,
        errors=(403, 404, 409),
    ),
)  # fmt: skip


class RequestPoliciesApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def list_request_policies(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.list_request_policies(call.actor, call.query)

    @api
    def put_request_policy(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).put_request_policy(call.actor, call.body)

    @api
    def delete_request_policy(self, request: Request, policy_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).delete_request_policy(call.actor, policy_id, call.query)
