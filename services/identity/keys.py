"""The identity service's secrets, kept outside its database (KEY_DIR).

- ``signing-key.pem``: the Ed25519 key that signs access tokens. The gateway verifies tokens
  with the public half, fetched once by RPC, so no call is needed per request.
- ``security-code-pepper``: the HMAC key of the security-code digests. With the database alone
  the three-digit digests cannot be brute-forced; the pepper lives elsewhere.

Both are created on first use. Replicas of the service share the folder (a mounted secret).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.config import REPO_ROOT

SIGNING_KEY_FILE = "signing-key.pem"
PEPPER_FILE = "security-code-pepper"


@dataclass(frozen=True)
class IdentityKeys:
    kid: str
    private_key: Ed25519PrivateKey
    public_key_pem: str
    pepper: bytes


def load_or_create_keys(key_dir: str | Path) -> IdentityKeys:
    folder = Path(key_dir)
    if not folder.is_absolute():
        folder = REPO_ROOT / folder
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_key = _load_or_create_signing_key(folder / SIGNING_KEY_FILE)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return IdentityKeys(
        kid=hashlib.sha256(public_pem).hexdigest()[:16],
        private_key=private_key,
        public_key_pem=public_pem.decode("ascii"),
        pepper=_load_or_create_secret(folder / PEPPER_FILE),
    )


def _load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_secret(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path.name} is not an Ed25519 private key")
    return key


def _load_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        _write_secret(path, secrets.token_bytes(32))
    return path.read_bytes()


def _write_secret(path: Path, content: bytes) -> None:
    """Create the file readable by its owner only; a concurrent creator's file wins."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
