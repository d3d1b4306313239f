"""Who sent an RPC call, proven: a signed service identity, and the user's own token.

Anything connected to the broker can publish a call, so a service does not take a caller's
word for who it is or for whom it acts. Every call carries, as message headers:

- ``nameko.service_token``: a short-lived JWT the calling service (or the gateway) signs with
  its own Ed25519 key, naming itself; the callee checks it with the caller's public key;
- ``nameko.access_token``, when the call acts for a user: the access token identity issued to
  that user, which the gateway received and passed on; the callee checks identity's
  signature and the expiry, and the ``actor`` argument must be the actor the token carries.

The public keys live in the keyring, a folder every service reads (``KEYS.DIR``, by default
var/keys): ``keyring/services/<service>.pem`` for each service identity and
``keyring/tokens/<kid>.pem`` for identity's token keys. Each service creates its own key pair
on first start (``<KEYS.DIR>/<service>/service-key.pem``) and publishes the public half;
``services.manage prepare`` creates all of them. Whoever may write the keyring is trusted, so
in production it is a read-only mount filled by the operator (docs/operations.md).

Verified tokens are remembered, so a call costs a dictionary lookup, not a signature check.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from nameko.extensions import SharedExtension

from services.common.actor import Actor, actor_from_claims, load_actor
from services.common.errors import Forbidden, Unauthenticated, ValidationFailed
from services.common.keyfiles import folder_of, load_or_create_private_key, public_pem, publish

KEYS = "KEYS"
DEFAULT_KEY_DIR = "var/keys"
CALLER_CREDENTIAL = "service_token"
USER_CREDENTIAL = "access_token"
ALGORITHM = "EdDSA"
SERVICE_AUDIENCE = "imi-rpc"
USER_ISSUER = "imi-identity"
USER_AUDIENCE = "imi"
CALLER_CREDENTIAL_SECONDS = 300
RENEW_SECONDS_BEFORE_EXPIRY = 60
LEEWAY_SECONDS = 10
VERIFIED_TOKENS_KEPT = 10_000
SERVICE_KEY_FILE = "service-key.pem"
USER_CLAIMS = ["iss", "aud", "sub", "sid", "iat", "exp"]
CALLER_CLAIMS = ["iss", "aud", "iat", "exp"]
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
KEY_ID = re.compile(r"[0-9a-f]{16}")


def key_dir(config: dict) -> Path:
    return folder_of((config.get(KEYS) or {}).get("DIR", DEFAULT_KEY_DIR))


def keyring_dir(config: dict) -> Path:
    return key_dir(config) / "keyring"


def publish_token_key(config: dict, kid: str, pem: str) -> None:
    """Put one of identity's token keys where every service looks for it."""
    publish(keyring_dir(config) / "tokens" / f"{kid}.pem", pem.encode("ascii"))


def prepare_service_keys(config: dict, services: list[str]) -> Path:
    """Every service's key pair and the gateway's, their public halves in the keyring: what
    ``services.manage prepare`` leaves for the processes it prepares. The keyring's folder."""
    for service in [*services, "gateway"]:
        ServiceSigner(service, config)
    return keyring_dir(config)


class ServiceSigner:
    """This process's identity: signs a service token, renewed a minute before it expires."""

    def __init__(self, service: str, config: dict, wall_clock: Callable[[], float] = time.time):
        folder = key_dir(config) / service
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.service = service
        self._key = load_or_create_private_key(folder / SERVICE_KEY_FILE)
        publish(keyring_dir(config) / "services" / f"{service}.pem", public_pem(self._key))
        self._wall_clock = wall_clock
        self._token = ""
        self._renew_at = 0.0

    def token(self) -> str:
        now = self._wall_clock()
        if now >= self._renew_at:
            claims = {
                "iss": self.service,
                "aud": SERVICE_AUDIENCE,
                "iat": int(now),
                "exp": int(now) + CALLER_CREDENTIAL_SECONDS,
            }
            self._token = jwt.encode(
                claims, self._key, algorithm=ALGORITHM, headers={"kid": self.service}
            )
            self._renew_at = now + CALLER_CREDENTIAL_SECONDS - RENEW_SECONDS_BEFORE_EXPIRY
        return self._token


class Keyring:
    """The public keys of the keyring folder, read when first needed and again when a
    signature fails with the key read before (the key was replaced)."""

    def __init__(self, folder: Path):
        self._folder = folder
        self._keys: dict[str, tuple[bytes, Ed25519PublicKey]] = {}

    def key(self, kind: str, name: str, fresh: bool = False) -> Ed25519PublicKey | None:
        """The key ``name`` of ``kind`` (services, tokens); ``fresh``: read the file again."""
        cached = self._keys.get(f"{kind}/{name}")
        if cached is not None and not fresh:
            return cached[1]
        try:
            pem = (self._folder / kind / f"{name}.pem").read_bytes()
        except OSError:
            return None
        if cached is not None and cached[0] == pem:
            return cached[1]
        key = load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            return None
        self._keys[f"{kind}/{name}"] = (pem, key)
        return key


class CallerVerifier:
    """Checks the credentials of incoming calls; raises Unauthenticated for anything else."""

    def __init__(self, keyring: Keyring, wall_clock: Callable[[], float] = time.time):
        self._keyring = keyring
        self._wall_clock = wall_clock
        self._services: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._actors: OrderedDict[str, tuple[Actor, float]] = OrderedDict()

    def service(self, token) -> str:
        """The name of the service that signed ``token``."""
        known = self._services.get(token) if type(token) is str else None
        if known is None:
            known = self._remember(self._services, token, self._check_service(token))
        self._refuse_if_expired(known[1], "auth.caller_unverified")
        return known[0]

    def actor(self, token) -> Actor:
        """The actor identity's access token ``token`` carries."""
        known = self._actors.get(token) if type(token) is str else None
        if known is None:
            known = self._remember(self._actors, token, self._check_user(token))
        self._refuse_if_expired(known[1], "auth.token_expired")
        return known[0]

    def _check_service(self, token) -> tuple[str, float]:
        kid = _key_name(token, SERVICE_NAME, "auth.caller_unverified")
        claims = self._decode(
            token, "services", kid, SERVICE_AUDIENCE, CALLER_CLAIMS, "auth.caller_unverified"
        )
        if claims["iss"] != kid:
            raise _refused("auth.caller_unverified")
        return kid, claims["exp"]

    def _check_user(self, token) -> tuple[Actor, float]:
        kid = _key_name(token, KEY_ID, "auth.actor_unverified")
        claims = self._decode(
            token, "tokens", kid, USER_AUDIENCE, USER_CLAIMS, "auth.actor_unverified"
        )
        if claims["iss"] != USER_ISSUER:
            raise _refused("auth.actor_unverified")
        actor = actor_from_claims(claims)
        if actor is None:
            raise _refused("auth.actor_unverified")
        return actor, claims["exp"]

    def _decode(
        self, token: str, kind: str, kid: str, audience: str, required: list[str], code: str
    ) -> dict:
        key = self._keyring.key(kind, kid)
        if key is None:
            raise _refused(code)
        try:
            claims = _decoded(token, key, audience, required, code)
        except jwt.InvalidSignatureError:
            renewed = self._keyring.key(kind, kid, fresh=True)
            if renewed is None or renewed is key:
                raise _refused(code) from None
            try:
                claims = _decoded(token, renewed, audience, required, code)
            except jwt.InvalidSignatureError:
                raise _refused(code) from None
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["iat"], int | float):
            raise _refused(code)
        return claims

    def _remember(self, memory: OrderedDict, token: str, verified: tuple) -> tuple:
        memory[token] = verified
        if len(memory) > VERIFIED_TOKENS_KEPT:
            memory.popitem(last=False)
        return verified

    def _refuse_if_expired(self, expires_at: float, code: str) -> None:
        if expires_at + LEEWAY_SECONDS <= self._wall_clock():
            raise Unauthenticated("The call's credential has expired.", code)


def _decoded(
    token: str, key: Ed25519PublicKey, audience: str, required: list[str], code: str
) -> dict:
    """The claims, or Unauthenticated; a bad signature is raised as is, to try a newer key."""
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": required, "verify_exp": False},
        )
    except jwt.InvalidSignatureError:
        raise
    except jwt.PyJWTError:
        raise _refused(code) from None


def _key_name(token, pattern: re.Pattern, code: str) -> str:
    """The ``kid`` of a token's header, when it is one a keyring file may be named by."""
    if type(token) is not str:
        raise _refused(code)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _refused(code) from None
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM or type(kid) is not str or not pattern.fullmatch(kid):
        raise _refused(code)
    return kid


def _refused(code: str) -> Unauthenticated:
    if code == "auth.actor_unverified":
        return Unauthenticated(
            "The call acts for a user without that user's valid access token.", code
        )
    return Unauthenticated("The call does not carry a valid service credential.", code)


class ServiceCredentials(SharedExtension):
    """One per container: the service's signer for its calls, the verifier for its callers."""

    def setup(self) -> None:
        config = self.container.config
        self.signer = ServiceSigner(self.container.service_name, config)
        self.verifier = CallerVerifier(Keyring(keyring_dir(config)))

    def admit(self, entrypoint, arguments: dict, context_data: dict) -> None:
        """Refuse a call to ``entrypoint`` unless a known service sent it, one the entry point
        admits, and unless any ``actor`` it acts for is the one its access token proves."""
        caller = self.verifier.service(context_data.get(CALLER_CREDENTIAL))
        callers = entrypoint.callers
        if callers is not None and caller not in callers:
            raise Forbidden(
                f"{entrypoint.method_name} is not offered to {caller}.",
                "auth.caller_not_allowed",
                {"caller": caller},
            )
        if not entrypoint.acts_for_actor:
            return
        proven = self.verifier.actor(context_data.get(USER_CREDENTIAL))
        claimed = arguments.get("actor")
        if claimed is None or _actor_or_none(claimed) != proven:
            raise _refused("auth.actor_unverified")


def _actor_or_none(data) -> Actor | None:
    try:
        return load_actor(data)
    except ValidationFailed:
        return None
