"""Access, refresh and first-login tokens.

Access tokens are short-lived JWTs signed with Ed25519 and carry the actor (user, authority,
member state, language, rights), so the gateway authenticates a request without a call.
Refresh tokens are opaque strings; only their SHA-256 is stored. A session's first one is
random, each later one is derived from the one it replaces with a secret key, so a repeated
refresh can be answered again without storing any token. A first-login token is a JWT for one
purpose: setting the password and security code that replace a temporary one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import jwt

from services.common.actor import Grant
from services.common.credentials import USER_AUDIENCE, USER_ISSUER
from services.common.errors import Unauthenticated
from services.identity.keys import IdentityKeys

ISSUER = USER_ISSUER
AUDIENCE = USER_AUDIENCE
SETUP_AUDIENCE = "imi-first-login"
ALGORITHM = "EdDSA"
SETUP_TOKEN_SECONDS = 900
# Keeps the rotation's HMAC apart from the security-code digests made with the same pepper.
_ROTATION_LABEL = b"refresh-token-rotation\x00"


def issue_access_token(
    keys: IdentityKeys, user, session_id: str, grants: list[Grant], now: datetime, ttl: int
) -> str:
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user.id,
        "sid": session_id,
        "iat": round(now.timestamp(), 3),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "usr": user.username,
        "aut": user.authority_id,
        "ms": user.member_state,
        "lng": user.language,
        "grt": [{"right": g.right.value, "area": g.area} for g in grants],
    }
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM, headers={"kid": keys.kid})


def issue_setup_token(keys: IdentityKeys, user_id: str, password_hash: str, now: datetime) -> str:
    """Bound to the current password hash, so it dies once the temporary password changes."""
    claims = {
        "iss": ISSUER,
        "aud": SETUP_AUDIENCE,
        "sub": user_id,
        "pwh": _fingerprint(password_hash),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=SETUP_TOKEN_SECONDS)).timestamp()),
    }
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM, headers={"kid": keys.kid})


def read_setup_token(keys: IdentityKeys, token: str, now: datetime) -> tuple[str, str]:
    """The user id and password fingerprint of a valid first-login token."""
    try:
        claims = jwt.decode(
            token,
            keys.private_key.public_key(),
            algorithms=[ALGORITHM],
            audience=SETUP_AUDIENCE,
            issuer=ISSUER,
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        raise Unauthenticated(
            "The first-login token is not valid.", "login.setup_invalid"
        ) from None
    if claims["exp"] < now.timestamp():
        raise Unauthenticated("The first-login token has expired.", "login.setup_expired")
    return claims["sub"], claims["pwh"]


def setup_token_matches(fingerprint: str, password_hash: str) -> bool:
    return secrets.compare_digest(fingerprint, _fingerprint(password_hash))


def new_refresh_token() -> tuple[str, str]:
    """The token for the client and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def next_refresh_token(keys: IdentityKeys, token: str) -> str:
    """The token that replaces ``token`` on a refresh: unpredictable without the service's
    secret, and the same every time, so a repeat of one refresh gets the same answer."""
    digest = hmac.new(keys.pepper, _ROTATION_LABEL + token.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]
