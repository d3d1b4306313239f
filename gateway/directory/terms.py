"""/api/v1/reference/terms and legislative areas' workflows: the directory's reference lists,
read by any logged-in user and maintained by Commission administrators."""

from __future__ import annotations

from types import MappingProxyType

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.parameters import EDITABLE_KIND
from gateway.route import API, Route
from services.directory.schemas.terms import (
    AreaWorkflowBodySchema,
    NewTermSchema,
    TermDetailSchema,
    TermListSchema,
    TermQuerySchema,
    TermUpdateSchema,
)

_LIST = f"{API}/reference/terms/{{kind}}"
_TAG = "reference"
_CHANGE_ERRORS = (403, 404, 409)
# The member states are listed here, but they are not the Commission's to edit.
_EDITABLE = MappingProxyType({"kind": EDITABLE_KIND})

ROUTES = (
    Route(
        "list_terms", "GET", _LIST,
        "One reference list (legislative_area, workflow, role, profession_sector, profession, "
        "economic_activity, policy_area, keyword, member_state), named in the reader's language",
        _TAG, query=TermQuerySchema, response=TermListSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "add_term", "POST", _LIST,
        "Add an entry to a reference list; a new legislative area comes with its workflows "
        "(Commission administrators)", _TAG,
        body=NewTermSchema, response=TermDetailSchema, statuses=(201,), authenticated=True,
        errors=(403, 409), location=f"{API}/reference/terms/{{kind}}/{{code}}",
        path_fields=_EDITABLE,
    ),
    Route(
        "update_term", "PATCH", f"{_LIST}/{{code}}",
        "Change an entry's names (the languages given), activity or position (Commission "
        "administrators)", _TAG,
        body=TermUpdateSchema, response=TermDetailSchema, authenticated=True,
        errors=_CHANGE_ERRORS, path_fields=_EDITABLE,
    ),
    Route(
        "set_area_workflow", "PUT", f"{API}/reference/legislative-areas/{{area}}/workflows/"
        "{workflow}",
        "Activate or deactivate a workflow of a legislative area (Commission administrators)",
        _TAG, body=AreaWorkflowBodySchema, response=TermDetailSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
)  # fmt: skip


class TermsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def list_terms(self, request: Request, kind: str) -> dict:
        call = self.gate.admit(request)
        return self.directory.list_terms(call.actor, {**call.query, "kind": kind})

    @api
    def add_term(self, request: Request, kind: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).add_term(call.actor, kind, call.body)

    @api
    def update_term(self, request: Request, kind: str, code: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).update_term(call.actor, kind, code, call.body)

    @api
    def set_area_workflow(self, request: Request, area: str, workflow: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).set_area_workflow(
            call.actor, area, workflow, call.body["active"]
        )
