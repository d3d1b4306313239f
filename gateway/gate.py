"""The gate every API request passes before a service sees it, in this order: the login rate
limit, the access token, the query, the body, and the idempotency key of a state change.
The access token, once verified, goes with every call the request makes: it proves the actor
to the services (services/common/credentials.py).

A nameko dependency: the token verifier and the rate limiter live as long as the process (one
per replica); each worker gets a Gate bound to its own request's route.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from werkzeug.wrappers import Request

from gateway.auth import TokenVerifier, revocation_from_event
from gateway.inputs import (
    FORM,
    client_address,
    idempotency_key,
    read_form_object,
    read_json_object,
    read_query,
)
from gateway.ratelimit import TokenBucketLimiter
from gateway.settings import settings_from_config
from services.common.credentials import USER_CREDENTIAL
from services.common.errors import RateLimited, Unavailable, ValidationFailed
from services.common.rpc import RpcClient, ServiceClient
from services.common.schemas import instance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Admission:
    """A request let in: who calls (the actor's wire form), with what, under which key."""

    actor: dict | None
    body: dict | None
    query: dict | None
    idempotency_key: str | None

    def rpc(self, client: ServiceClient) -> ServiceClient:
        """The client to call with: a state change carries the request's idempotency key."""
        return (
            client.using(idempotency_key=self.idempotency_key) if self.idempotency_key else client
        )


class Gatekeeper(RpcClient):
    """An RPC client of identity (for token keys and revocations) that also keeps the gate."""

    def __init__(self):
        super().__init__("identity")

    def setup(self) -> None:
        super().setup()
        self.settings = settings_from_config(self.container.config)
        self.limiter = TokenBucketLimiter(self.settings.login_rate_per_minute)
        self.verifier = TokenVerifier()

    def get_dependency(self, worker_ctx) -> Gate:
        return Gate(self, worker_ctx)


class Gate:
    def __init__(self, keeper: Gatekeeper, worker_ctx):
        self._keeper = keeper
        self._worker_ctx = worker_ctx

    def admit(self, request: Request) -> Admission:
        """Check the request against its route; raise the error to answer otherwise. A route
        with ``form_body`` takes a form-encoded body too (an outside system's callback)."""
        route = self._worker_ctx.entrypoint.route
        settings = self._keeper.settings
        if route.rate_limited:
            self._limit(client_address(request, settings.trusted_proxy_hops))
        actor = None
        if route.authenticated:
            verified = self._keeper.verifier.verify(
                request.headers.get("Authorization"), self._identity()
            )
            actor = verified.wire
            self._worker_ctx.data[USER_CREDENTIAL] = verified.token
        query = read_query(request, instance(route.query)) if route.query else None
        body, raw = None, b""
        limit = route.body_limit(settings.max_body_bytes)
        if route.body and route.form_body and request.mimetype == FORM:
            body, raw = read_form_object(request, instance(route.body), limit)
        elif route.body:
            body, raw = read_json_object(request, instance(route.body), limit)
        key = None
        if route.state_changing:
            key = idempotency_key(request, actor["user_id"] if actor else "", raw)
        return Admission(actor, body, query, key)

    def authenticate(self, access_token: str) -> dict:
        """The actor a web session's access token proves (the wire form); as with a Bearer
        token, the token then goes with every call this request makes."""
        verified = self._keeper.verifier.verify(f"Bearer {access_token}", self._identity())
        self._worker_ctx.data[USER_CREDENTIAL] = verified.token
        return verified.wire

    def limit_logins(self, request: Request) -> None:
        """The login rate limit of the API, for the login forms of the web pages."""
        self._limit(client_address(request, self._keeper.settings.trusted_proxy_hops))

    def revoke(self, payload: dict) -> None:
        """Refuse at once the tokens a ``tokens_revoked`` event names."""
        try:
            revocation = revocation_from_event(payload)
        except ValidationFailed as exc:
            log.error("dropped a malformed tokens_revoked event: %s", exc.extra)
            return
        self._keeper.verifier.revocations.add(revocation)

    def resync(self) -> None:
        """Reload identity's revocations: catches events this replica missed while its
        broadcast queue was down, and forgets revocations too old to matter."""
        try:
            self._keeper.verifier.load_revocations(self._identity())
        except Unavailable as exc:
            log.warning("could not reload the token revocations: %s", exc.detail)

    def _limit(self, client: str) -> None:
        wait = self._keeper.limiter.take(client)
        if wait is not None:
            raise RateLimited(
                "Too many login requests from this address; try again later.",
                "error.rate_limited",
                {"retry_after": wait},
            )

    def _identity(self) -> ServiceClient:
        return ServiceClient(self._keeper, self._worker_ctx, self._keeper.target_service)
