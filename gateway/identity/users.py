"""/api/v1/users and /api/v1/audit: accounts, rights and the audit trail, answered by the
identity service, which decides who may see and change what."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.identity.schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    ColleagueListSchema,
    ColleagueQuerySchema,
    NewUserSchema,
    ReplacementSchema,
    RightsUpdateSchema,
    UserPageSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)

_USER = f"{API}/users/{{user_id}}"
_USERS_ERRORS = (403, 404)

ROUTES = (
    Route(
        "me", "GET", f"{API}/users/me", "The caller's own account", "users",
        response=UserSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "list_users", "GET", f"{API}/users", "Users of an authority, a page at a time", "users",
        query=UserQuerySchema, response=UserPageSchema, authenticated=True, errors=(403, 404),
    ),
    Route(
        "colleagues", "GET", f"{API}/users/colleagues",
        "For an allocator: its authority's request handlers in an area (names only)", "users",
        query=ColleagueQuerySchema, response=ColleagueListSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "create_user", "POST", f"{API}/users",
        "Register a user; the username is generated, the temporary password emailed", "users",
        body=NewUserSchema, response=UserSchema, statuses=(201,), authenticated=True,
        errors=(403, 404, 409), location=f"{API}/users/{{id}}",
    ),
    Route(
        "get_user", "GET", _USER, "One user", "users",
        response=UserSchema, authenticated=True, errors=_USERS_ERRORS,
    ),
    Route(
        "update_user", "PATCH", _USER, "Change a user's details", "users",
        body=UserUpdateSchema, response=UserSchema, authenticated=True, errors=(403, 404, 409),
    ),
    Route(
        "set_rights", "PUT", f"{_USER}/rights", "Replace a user's rights", "users",
        body=RightsUpdateSchema, response=UserSchema, authenticated=True,
        errors=(403, 404, 409),
    ),
    Route(
        "reset_password", "POST", f"{_USER}/password-reset",
        "Unblock and email a new temporary password", "users",
        response=UserSchema, authenticated=True, errors=(403, 404, 409),
    ),
    Route(
        "unblock_user", "POST", f"{_USER}/unblock", "Unblock a user's account", "users",
        response=UserSchema, authenticated=True, errors=(403, 404, 409),
    ),
    Route(
        "replace_user", "POST", f"{_USER}/replace",
        "Hand an account over to a newcomer (new username, new email)", "users",
        body=ReplacementSchema, response=UserSchema, authenticated=True,
        errors=(403, 404, 409),
    ),
    Route(
        "delete_user", "DELETE", _USER, "Delete a user; their tokens stop working at once",
        "users", statuses=(204,), authenticated=True, errors=(403, 404, 409),
    ),
    Route(
        "audit", "GET", f"{API}/audit", "The audit trail of the users one administers", "audit",
        query=AuditQuerySchema, response=AuditPageSchema, authenticated=True,
        errors=(403, 404),
    ),
)  # fmt: skip


class UsersApi:
    """The entry points of the rows above (a mixin of GatewayService)."""

    @api
    def me(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.identity.me(call.actor)

    @api
    def list_users(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.identity.list_users(call.actor, call.query)

    @api
    def colleagues(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.identity.colleagues(call.actor, call.query)

    @api
    def create_user(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).create_user(call.actor, call.body)

    @api
    def get_user(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return self.identity.get_user(call.actor, user_id)

    @api
    def update_user(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).update_user(call.actor, user_id, call.body)

    @api
    def set_rights(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).set_rights(call.actor, user_id, call.body)

    @api
    def reset_password(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).reset_password(call.actor, user_id)

    @api
    def unblock_user(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).unblock_user(call.actor, user_id)

    @api
    def replace_user(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).replace_user(call.actor, user_id, call.body)

    @api
    def delete_user(self, request: Request, user_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).delete_user(call.actor, user_id)

    @api
    def audit(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.identity.audit(call.actor, call.query)
