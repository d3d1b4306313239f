"""/api/v1/public: what outside portals read without logging in: authorities' public contact
details and the public registers (never users or anything internal)."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.directory.schemas.public import (
    PublicAuthorityPageSchema,
    PublicAuthoritySchema,
    PublicLanguageQuerySchema,
    PublicQuerySchema,
    PublicRegisterPageSchema,
)

_TAG = "public"

ROUTES = (
    Route(
        "public_authorities", "GET", f"{API}/public/authorities",
        "Validated authorities' public contact details, a page at a time (no login)", _TAG,
        query=PublicQuerySchema, response=PublicAuthorityPageSchema, authenticated=False,
    ),
    Route(
        "public_authority", "GET", f"{API}/public/authorities/{{authority_id}}",
        "One authority's public contact details (no login)", _TAG,
        query=PublicLanguageQuerySchema, response=PublicAuthoritySchema, authenticated=False,
        errors=(404,),
    ),
    Route(
        "public_registers", "GET", f"{API}/public/registers",
        "Registers open to the public, in every language (no login)", _TAG,
        query=PublicQuerySchema, response=PublicRegisterPageSchema, authenticated=False,
    ),
)  # fmt: skip


class PublicApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def public_authorities(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.public_authorities(call.query)

    @api
    def public_authority(self, request: Request, authority_id: str) -> dict:
        call = self.gate.admit(request)
        return self.directory.public_authority(authority_id, call.query)

    @api
    def public_registers(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.public_registers(call.query)
