"""The one route table: the HTTP server routes by it and the OpenAPI document is built from it.

An entry point is bound to its row by its method name (``@api`` in gateway/http.py), so a
route cannot be served without being documented, nor documented without being served.
"""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import Schema

from gateway.directory import authorities, invitations, public, registers, search, terms
from gateway.route import API, Route
from gateway.schemas import HealthReportSchema, LanguageSchema, MemberStateSchema
from gateway.translation import catalogue as translation_catalogue
from gateway.translation import machine as machine_translation
from services.identity.schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    ChallengeRequestSchema,
    ChallengeSchema,
    FirstLoginRequestSchema,
    LoginRequestSchema,
    LoginResultSchema,
    NewUserSchema,
    RefreshRequestSchema,
    ReplacementSchema,
    ResetCompletionSchema,
    ResetRequestSchema,
    RightsUpdateSchema,
    UserPageSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)


def _auth(name: str, path: str, body: type[Schema], summary: str) -> Route:
    return Route(
        name, "POST", f"{API}/auth/{path}", summary, "authentication",
        body=body, response=LoginResultSchema, rate_limited=True, errors=(401,),
    )  # fmt: skip


_USER = f"{API}/users/{{user_id}}"
_USERS_ERRORS = (403, 404)
_TABLE = (
    Route(
        "challenge", "POST", f"{API}/auth/challenge",
        "Start a login: which three digits of the security code to give", "authentication",
        body=ChallengeRequestSchema, response=ChallengeSchema, rate_limited=True,
    ),
    _auth("login", "login", LoginRequestSchema, "Log in with the password and three digits"),
    _auth(
        "first_login", "first-login", FirstLoginRequestSchema,
        "Replace the temporary password and choose the security code",
    ),
    _auth("refresh", "refresh", RefreshRequestSchema, "New tokens for a live session"),
    Route(
        "request_password_reset", "POST", f"{API}/auth/password-reset-request",
        "Ask for a reset link at the registered email, where self-service reset is offered; "
        "the answer is the same whether or not the account exists", "authentication",
        body=ResetRequestSchema, statuses=(202,), rate_limited=True, errors=(403,),
    ),
    Route(
        "complete_password_reset", "POST", f"{API}/auth/password-reset",
        "Set a new password with the token of the emailed link", "authentication",
        body=ResetCompletionSchema, statuses=(204,), rate_limited=True, errors=(401, 403),
    ),
    Route(
        "logout", "POST", f"{API}/auth/logout", "End the session of this access token",
        "authentication", statuses=(204,), authenticated=True, rate_limited=True, errors=(404,),
    ),
    Route(
        "member_states", "GET", f"{API}/reference/member-states",
        "EEA countries and the Commission, named in every language", "reference",
        response=MemberStateSchema(many=True), remote=False,
    ),
    Route(
        "languages", "GET", f"{API}/reference/languages",
        "The supported languages, named in every language", "reference",
        response=LanguageSchema(many=True), remote=False,
    ),
    Route(
        "openapi", "GET", f"{API}/openapi.json", "This document", "reference", remote=False,
    ),
    Route(
        "me", "GET", f"{API}/users/me", "The caller's own account", "users",
        response=UserSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "list_users", "GET", f"{API}/users", "Users of an authority, a page at a time", "users",
        query=UserQuerySchema, response=UserPageSchema, authenticated=True, errors=(403, 404),
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
        query=AuditQuerySchema, response=AuditPageSchema, authenticated=True, errors=(403,),
    ),
    Route(
        "metrics", "GET", "/metrics", "Prometheus metrics of this gateway process",
        "operations", remote=False, content_type="text/plain",
    ),
    Route(
        "health", "GET", "/health", "Whether the broker and every service answer",
        "operations", response=HealthReportSchema, statuses=(200, 503), remote=False,
    ),
)  # fmt: skip

_TABLE += authorities.ROUTES
_TABLE += registers.ROUTES + public.ROUTES
_TABLE += search.ROUTES
_TABLE += invitations.ROUTES
_TABLE += terms.ROUTES
_TABLE += translation_catalogue.ROUTES
_TABLE += machine_translation.ROUTES

ROUTES: MappingProxyType[str, Route] = MappingProxyType({route.name: route for route in _TABLE})
