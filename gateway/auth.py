"""Access tokens, verified locally: no call to identity per request.

identity signs short-lived JWTs (EdDSA) carrying the actor. The gateway fetches the public keys
once (and again when a token names a key it does not know, at most every few seconds), checks
signature, expiry, issuer and audience, and refuses revoked tokens: identity's list at start,
then its ``tokens_revoked`` events, broadcast to every gateway replica.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from eventlet.semaphore import Semaphore
from marshmallow import EXCLUDE

from services.common.actor import Actor, actor_from_claims, dump_actor
from services.common.envelope import CloudEventSchema
from services.common.errors import Unauthenticated, Unavailable
from services.common.schemas import load
from services.identity.schemas import RevocationSchema, TokenKeysSchema

ALGORITHM = "EdDSA"
LEEWAY_SECONDS = 10
VERIFIED_TOKENS_KEPT = 10_000
KEY_RELOAD_SECONDS = 5.0
MAX_TOKEN_LENGTH = 8192
REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "iat", "exp"]


class TokenSource(Protocol):
    """What the verifier asks identity for (an RPC client of identity in the service)."""

    def token_keys(self) -> dict: ...

    def revocations(self) -> list: ...


@dataclass(frozen=True)
class Revocation:
    """Tokens of ``user_id`` issued before ``not_before``, or all of one session, are void."""

    user_id: str
    session_id: str | None
    not_before: float


def revocation_from(data: dict) -> Revocation:
    fields = load(RevocationSchema(unknown=EXCLUDE), data)
    return Revocation(fields["user_id"], fields.get("session_id"), fields["not_before"].timestamp())


def revocation_from_event(payload: dict) -> Revocation:
    """The revocation a ``tokens_revoked`` CloudEvents envelope carries."""
    return revocation_from(load(CloudEventSchema, payload)["data"])


class RevocationStore:
    """identity's list of recent revocations, plus the events heard since it was fetched."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._users: dict[str, float] = {}
        self._sessions: set[str] = set()
        self._heard: list[tuple[float, Revocation]] = []
        self.loaded = False

    def add(self, revocation: Revocation) -> None:
        self._heard.append((self._clock(), revocation))
        self._apply(revocation)

    def replace(self, snapshot: Iterable[Revocation], fetch_started: float) -> None:
        """Start again from identity's list; events heard before it was asked for are in it
        (or too old to matter), so only the later ones are kept. This bounds the memory."""
        self._heard = [(at, r) for at, r in self._heard if at >= fetch_started]
        self._users, self._sessions = {}, set()
        for revocation in [*snapshot, *(r for _, r in self._heard)]:
            self._apply(revocation)
        self.loaded = True

    def refuses(self, user_id: str, session_id: str, issued_at: float) -> bool:
        return session_id in self._sessions or issued_at < self._users.get(user_id, -math.inf)

    def _apply(self, revocation: Revocation) -> None:
        if revocation.session_id is not None:
            self._sessions.add(revocation.session_id)
        else:
            previous = self._users.get(revocation.user_id, -math.inf)
            self._users[revocation.user_id] = max(previous, revocation.not_before)


@dataclass(frozen=True)
class VerifiedToken:
    """What a token proved, kept so the next request with it needs no signature check."""

    actor: Actor
    wire: dict  # the actor as it travels with every RPC
    token: str  # passed on with every RPC, which proves the actor (services/common/credentials)
    session_id: str
    issued_at: float
    expires_at: float


class TokenVerifier:
    """Turns an Authorization header into the actor, or raises Unauthenticated (401).

    A client sends the same token with every request of its lifetime; verifying it from
    scratch (signature, claims, the actor built and dumped) was 40 % of the gateway's CPU per
    request (docs/performance.md). So a token that passed every check is remembered (the last
    ``VERIFIED_TOKENS_KEPT``); a remembered token is still checked for expiry and for
    revocation on every request, and the memory is emptied whenever the keys are reloaded.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ):
        self._clock = clock
        self._wall_clock = wall_clock
        self.revocations = RevocationStore(clock)
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._issuer = self._audience = ""
        self._keys_tried_at: float | None = None
        self._key_loading = Semaphore()
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()

    def actor(self, authorization: str | None, source: TokenSource) -> Actor:
        return self.verify(authorization, source).actor

    def verify(self, authorization: str | None, source: TokenSource) -> VerifiedToken:
        token = _bearer_token(authorization)
        verified = self._verified.get(token)
        if verified is None:
            verified = self._check(token, source)
        else:
            self._refuse_if_expired(verified.expires_at)
            self._verified.move_to_end(token)
        if not self.revocations.loaded:
            self.load_revocations(source)
        if self.revocations.refuses(
            verified.actor.user_id, verified.session_id, verified.issued_at
        ):
            raise Unauthenticated("The access token has been revoked.", "auth.token_revoked")
        return verified

    def _check(self, token: str, source: TokenSource) -> VerifiedToken:
        claims = self._claims(token, source)
        actor = _actor_from(claims)
        verified = VerifiedToken(
            actor, dump_actor(actor), token, claims["sid"], claims["iat"], claims["exp"]
        )
        self._verified[token] = verified
        if len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return verified

    def load_revocations(self, source: TokenSource) -> None:
        started = self._clock()
        snapshot = [revocation_from(item) for item in source.revocations()]
        self.revocations.replace(snapshot, started)

    def _claims(self, token: str, source: TokenSource) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _invalid() from None
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise _invalid()
        key = self._key(kid, source)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise _invalid() from None
        if not isinstance(claims["iat"], int | float) or not isinstance(claims["exp"], int | float):
            raise _invalid()
        self._refuse_if_expired(claims["exp"])
        return claims

    def _refuse_if_expired(self, expires_at: float) -> None:
        """Expiry against this verifier's wall clock, for fresh and remembered tokens alike."""
        if expires_at + LEEWAY_SECONDS <= self._wall_clock():
            raise Unauthenticated("The access token has expired.", "auth.token_expired")

    def _key(self, kid: str, source: TokenSource) -> Ed25519PublicKey:
        if kid not in self._keys:
            # a reload under way (the first request's, at start) is waited for, not taken
            # for keys that could not be loaded
            with self._key_loading:
                if kid not in self._keys and self._may_reload_keys():
                    self._reload_keys(source)
        key = self._keys.get(kid)
        if key is not None:
            return key
        if not self._keys:
            raise Unavailable(
                "The token keys could not be loaded from identity.",
                "error.service_unavailable",
                {"service": "identity"},
            )
        raise _invalid()

    def _may_reload_keys(self) -> bool:
        tried = self._keys_tried_at
        return tried is None or self._clock() - tried >= KEY_RELOAD_SECONDS

    def _reload_keys(self, source: TokenSource) -> None:
        self._keys_tried_at = self._clock()
        document = load(TokenKeysSchema, source.token_keys())
        keys = {}
        for entry in document["keys"]:
            key = load_pem_public_key(entry["public_key_pem"].encode("ascii"))
            if entry["alg"] == ALGORITHM and isinstance(key, Ed25519PublicKey):
                keys[entry["kid"]] = key
        self._issuer, self._audience, self._keys = document["issuer"], document["audience"], keys
        self._verified.clear()


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(
            "An access token is needed: send Authorization: Bearer <token>.",
            "auth.token_missing",
        )
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    return token


def _actor_from(claims: dict) -> Actor:
    actor = actor_from_claims(claims)
    if actor is None:
        raise Unauthenticated("The access token lacks claims.", "auth.token_invalid")
    return actor


def _invalid() -> Unauthenticated:
    return Unauthenticated("The access token is not valid.", "auth.token_invalid")
