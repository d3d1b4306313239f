"""The identity service's secrets, kept outside its database (KEY_DIR).

- ``signing-key.pem``: the Ed25519 key that signs access tokens. The gateway verifies tokens
  with the public half, fetched once by RPC, so no call is needed per request; every service
  verifies the token a call carries with the copy in the keyring (services/common/credentials.py).
- ``security-code-pepper``: the HMAC key of the security-code digests. With the database alone
  the three-digit digests cannot be brute-forced; the pepper lives elsewhere.

Both are created on first use. Replicas of the service share the folder (a mounted secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.keyfiles import (
    folder_of,
    key_id,
    load_or_create_private_key,
    load_or_create_secret,
    public_pem,
)

SIGNING_KEY_FILE = "signing-key.pem"
PEPPER_FILE = "security-code-pepper"


@dataclass(frozen=True)
class IdentityKeys:
    kid: str
    private_key: Ed25519PrivateKey
    public_key_pem: str
    pepper: bytes


def load_or_create_keys(key_dir: str | Path) -> IdentityKeys:
    folder = folder_of(key_dir)
    private_key = load_or_create_private_key(folder / SIGNING_KEY_FILE)
    pem = public_pem(private_key)
    return IdentityKeys(
        kid=key_id(pem),
        private_key=private_key,
        public_key_pem=pem.decode("ascii"),
        pepper=load_or_create_secret(folder / PEPPER_FILE),
    )
