"""Access tokens as identity signs them, for tests: the gateway's unit tests sign with a key
of the run's own, and tests/signed_rpc.py mints tokens for the actors a test passes."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.credentials import USER_AUDIENCE, USER_ISSUER
from services.common.keyfiles import key_id

ISSUER = USER_ISSUER
AUDIENCE = USER_AUDIENCE


@dataclass
class TokenMint:
    """Signs access tokens the way identity does, with a key of its own."""

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    kid: str = ""

    def __post_init__(self):
        self.kid = self.kid or key_id(self.public_pem.encode("ascii"))

    @property
    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def keys_document(self) -> dict:
        """What identity.token_keys() answers."""
        return {
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "keys": [{"kid": self.kid, "alg": "EdDSA", "public_key_pem": self.public_pem}],
        }

    def claims(self, **overrides) -> dict:
        now = time.time()
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"user-{uuid.uuid4().hex[:8]}",
            "sid": f"session-{uuid.uuid4().hex[:8]}",
            "iat": round(now - 5, 3),
            "exp": int(now + 600),
            "usr": "de7kq2mzx4",
            "aut": "authority-1",
            "ms": "DE",
            "lng": "de",
            "grt": [{"right": "local_data_administrator", "area": None}],
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, key: Ed25519PrivateKey | None = None, kid: str | None = None, **overrides):
        """A signed access token; a claim given as None is left out."""
        return jwt.encode(
            self.claims(**overrides),
            key or self.key,
            algorithm="EdDSA",
            headers={"kid": kid or self.kid},
        )
