"""A visitor's session, kept in their browser: an encrypted, authenticated cookie.

The gateway stores nothing (DESIGN.md: stateless, scale freely), so the session travels in a
cookie sealed with Fernet (AES-CBC and HMAC-SHA256) under a key every gateway replica reads:
the visitor cannot read the tokens inside nor change anything, and a replica that did not
write the cookie opens it all the same. The cookie is HttpOnly (no script reads it),
SameSite=Lax (other sites' forms do not carry it) and, served over TLS, Secure with the
``__Host-`` prefix (no subdomain can set it). Every form also carries the session's CSRF token,
checked on every POST (gateway/web/visit.py).

What it holds: the access and refresh tokens once logged in, the setup token of a first
login, and the CSRF token. The language a visitor chose is no secret and has its own cookie
(gateway/web/language.py), which error pages read too. Logging out revokes the tokens at the
identity service, so a copied cookie stops working at once too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken

from services.common.keyfiles import folder_of, load_or_create_secret

COOKIE = "imi_session"
SECURE_COOKIE = "__Host-imi_session"
# a session cookie older than this is not opened, whatever its tokens say (the refresh
# token's own lifetime is shorter: IDENTITY.REFRESH_TOKEN_SECONDS)
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    access_token: str | None = None
    refresh_token: str | None = None
    setup_token: str | None = None
    # whose requests the user's statistics count, as the requests service said at login
    # (None: the user may not read them); only the menu reads it, the service decides again
    statistics_scope: str | None = None

    @property
    def logged_in(self) -> bool:
        return self.access_token is not None

    def with_tokens(self, access_token: str, refresh_token: str) -> Session:
        """Logged in: a new CSRF token too, so one learnt before the login is worth nothing."""
        return replace(
            self,
            access_token=access_token,
            refresh_token=refresh_token,
            setup_token=None,
            csrf=secrets.token_urlsafe(32),
        )

    def with_statistics_scope(self, scope: str | None) -> Session:
        return replace(self, statistics_scope=scope)

    def for_first_login(self, setup_token: str) -> Session:
        return replace(self, access_token=None, refresh_token=None, setup_token=setup_token)

    def logged_out(self) -> Session:
        return Session()

    def accepts(self, csrf: str | None) -> bool:
        return bool(csrf) and hmac.compare_digest(csrf.encode(), self.csrf.encode())


_FIELDS = {
    "c": "csrf",
    "a": "access_token",
    "r": "refresh_token",
    "s": "setup_token",
    "k": "statistics_scope",
}


class SessionSeal:
    """Seals sessions into cookie values and opens them again."""

    def __init__(self, secret: bytes):
        key = base64.urlsafe_b64encode(hashlib.sha256(b"imi-web-session:" + secret).digest())
        self._fernet = Fernet(key)

    @classmethod
    def from_key_dir(cls, key_dir: str | Path) -> SessionSeal:
        return cls(load_or_create_secret(folder_of(key_dir) / "web-session.key"))

    def seal(self, session: Session) -> str:
        data = {short: getattr(session, name) for short, name in _FIELDS.items()}
        compact = {short: value for short, value in data.items() if value is not None}
        return self._fernet.encrypt(orjson.dumps(compact)).decode("ascii")

    def open(self, value: str | None) -> Session | None:
        """The session a cookie holds, or None for no cookie, a forged or an expired one."""
        if not value:
            return None
        try:
            data = orjson.loads(self._fernet.decrypt(value.encode("ascii"), ttl=MAX_AGE_SECONDS))
        except (InvalidToken, UnicodeEncodeError, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        values = {name: data.get(short) for short, name in _FIELDS.items()}
        if not all(value is None or isinstance(value, str) for value in values.values()):
            return None
        return Session(**values)
