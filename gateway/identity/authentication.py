"""/api/v1/auth: logging in with the three digits, the first login, refreshing, self-service
reset and logging out, answered by the identity service."""

from __future__ import annotations

from marshmallow import Schema
from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.identity.schemas import (
    ChallengeRequestSchema,
    ChallengeSchema,
    FirstLoginRequestSchema,
    LoginRequestSchema,
    LoginResultSchema,
    RefreshRequestSchema,
    ResetCompletionSchema,
    ResetRequestSchema,
)


def _auth(name: str, path: str, body: type[Schema], summary: str) -> Route:
    return Route(
        name, "POST", f"{API}/auth/{path}", summary, "authentication",
        body=body, response=LoginResultSchema, rate_limited=True, errors=(401,),
    )  # fmt: skip


ROUTES = (
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
)  # fmt: skip


class AuthenticationApi:
    """The entry points of the rows above (a mixin of GatewayService)."""

    @api
    def challenge(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).challenge(call.body)

    @api
    def login(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).login(call.body)

    @api
    def first_login(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).complete_first_login(call.body)

    @api
    def refresh(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).refresh(call.body)

    @api
    def request_password_reset(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).request_password_reset(call.body)

    @api
    def complete_password_reset(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).complete_password_reset(call.body)

    @api
    def logout(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.identity).logout(call.actor)
