"""/api/v1/authorities: registration, reading, editing, roles, links, settings, validation,
and the coordinators' lists."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.directory.schemas.authorities import (
    AuthorityListQuerySchema,
    AuthorityPageSchema,
    AuthoritySchema,
    AuthorityUpdateSchema,
    LinksUpdateSchema,
    NewAuthoritySchema,
    RolesUpdateSchema,
    SettingsUpdateSchema,
    VersionSchema,
)

_ONE = f"{API}/authorities/{{authority_id}}"
_TAG = "authorities"
_CHANGE_ERRORS = (403, 404, 409)

ROUTES = (
    Route(
        "register_authority", "POST", f"{API}/authorities",
        "Register an authority and its first user (coordinators and the Commission)", _TAG,
        body=NewAuthoritySchema, response=AuthoritySchema, statuses=(201,), authenticated=True,
        errors=(403, 409), location=f"{API}/authorities/{{id}}",
    ),
    Route(
        "list_authorities", "GET", f"{API}/authorities",
        "A coordinator's authorities: all, without active users, with fewer than two local "
        "data administrators, or pending validation", _TAG,
        query=AuthorityListQuerySchema, response=AuthorityPageSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "get_authority", "GET", _ONE, "One authority, in the reader's language", _TAG,
        response=AuthoritySchema, authenticated=True, errors=(404,),
    ),
    Route(
        "update_authority", "PATCH", _ONE,
        "Change an authority's details (the official name: its validating coordinator only)",
        _TAG, body=AuthorityUpdateSchema, response=AuthoritySchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "set_authority_roles", "PUT", f"{_ONE}/roles",
        "Replace the roles per legislative area and workflow (coordinators)", _TAG,
        body=RolesUpdateSchema, response=AuthoritySchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "set_authority_links", "PUT", f"{_ONE}/links",
        "Replace the linked coordinators per area and workflow", _TAG,
        body=LinksUpdateSchema, response=AuthoritySchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "set_authority_settings", "PUT", f"{_ONE}/settings",
        "Replace the authority's settings for information requests: whether it works with "
        "allocation, whether its coordinators see full details without personal data of the "
        "requests that need them (its local data administrators and coordinators)", _TAG,
        body=SettingsUpdateSchema, response=AuthoritySchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "confirm_authority_data", "POST", f"{_ONE}/data-confirmation",
        "Confirm the authority's details are right (its own local data administrators; the "
        "first login asks for it)", _TAG,
        body=VersionSchema, response=AuthoritySchema, authenticated=True, errors=_CHANGE_ERRORS,
    ),
    Route(
        "validate_authority", "POST", f"{_ONE}/validation",
        "Validate a self-registered authority; its first user then gets a temporary password",
        _TAG, response=AuthoritySchema, authenticated=True, errors=_CHANGE_ERRORS,
    ),
)  # fmt: skip


class AuthoritiesApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def register_authority(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).register_authority(call.actor, call.body)

    @api
    def list_authorities(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.list_authorities(call.actor, call.query)

    @api
    def get_authority(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return self.directory.get_authority(call.actor, authority_id)

    @api
    def update_authority(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).update_authority(call.actor, authority_id, call.body)

    @api
    def set_authority_roles(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).set_roles(call.actor, authority_id, call.body)

    @api
    def set_authority_links(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).set_links(call.actor, authority_id, call.body)

    @api
    def set_authority_settings(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).set_settings(call.actor, authority_id, call.body)

    @api
    def confirm_authority_data(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).confirm_authority_data(call.actor, authority_id, call.body)

    @api
    def validate_authority(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).validate_authority(call.actor, authority_id)
