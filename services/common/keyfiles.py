"""Key files, kept outside the databases.

A private key or a secret is a file readable by its owner only, created on first use; when
several processes create it at once, the first file written wins and all of them read it.
Public keys go to the keyring (services/common/credentials.py), a folder every service reads.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.config import REPO_ROOT


def folder_of(path: str | Path) -> Path:
    """``path`` as a folder that exists, relative paths taken from the repository root."""
    folder = Path(path)
    if not folder.is_absolute():
        folder = REPO_ROOT / folder
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_secret(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path.name} is not an Ed25519 private key")
    return key


def load_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        write_secret(path, secrets.token_bytes(32))
    return path.read_bytes()


def public_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(pem: bytes) -> str:
    """The id a signature's ``kid`` names its key by: the start of the key's SHA-256."""
    return hashlib.sha256(pem).hexdigest()[:16]


def write_secret(path: Path, content: bytes) -> None:
    """Create the file readable by its owner only; a concurrent creator's file wins."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)


def publish(path: Path, content: bytes) -> None:
    """Write a public file unless it already holds ``content``; readers never see half of it."""
    if path.exists() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    partial.write_bytes(content)
    partial.chmod(0o644)
    partial.replace(path)
