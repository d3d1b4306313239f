"""One visit to a page: who the visitor is, in which language they read, and their answer.

``self.web.visit(request, self.gate, self.identity)`` in a page's entry point opens the
session cookie, checks the CSRF token of a form, proves the visitor's actor with the gate
(refreshing an expired access token with the session's refresh token), and renders the answer
with the session cookie it ends with.

The pages never decide what a user may see: they call the same service methods as the API
with the same actor, and show what those answer (a 403 from a service is a 403 page).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from nameko.extensions import DependencyProvider
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from gateway.gate import Gate
from gateway.settings import settings_from_config
from gateway.web.language import browser_language, chosen_language
from gateway.web.menu import menu_for
from gateway.web.rendering import render
from gateway.web.session import COOKIE, SECURE_COOKIE, Session, SessionSeal
from gateway.web.texts import Texts, texts_for
from services.common.errors import Unauthenticated
from services.common.rpc import ServiceClient

CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD"})


class LoginNeeded(HTTPException):
    """The page needs a logged-in visitor: answered by a redirect to the login page."""

    code = 303

    def __init__(self, location: str):
        super().__init__()
        self.location = location

    def get_response(self, environ=None, scope=None) -> Response:
        return redirect(self.location, 303)


class FormRefused(HTTPException):
    """A form without this session's CSRF token (forged, or older than the session)."""

    code = 403


class Visit:
    def __init__(self, request: Request, session: Session | None, seal: SessionSeal, gate: Gate,
                 identity: ServiceClient, secure: bool):  # fmt: skip
        self.request = request
        self._seal = seal
        self._gate = gate
        self._identity = identity
        self._secure = secure
        self._opened = session
        self.session = session or Session()
        self.actor: dict | None = None

    # --- who and in which language ---------------------------------------------------------

    @property
    def language(self) -> str:
        """The language the visitor chose, else their account's, else their browser's."""
        chosen = chosen_language(self.request)
        if chosen:
            return chosen
        if self.actor is not None:
            return self.actor["language"]
        return browser_language(self.request)

    @property
    def t(self) -> Texts:
        return texts_for(self.language)

    def rights(self) -> frozenset[str]:
        if self.actor is None:
            return frozenset()
        return frozenset(grant["right"] for grant in self.actor.get("grants", ()))

    def authenticate(self) -> dict:
        """The visitor's actor, or LoginNeeded (back to this page after the login)."""
        if self.actor is not None:
            return self.actor
        if self.session.access_token:
            try:
                self.actor = self._gate.authenticate(self.session.access_token)
                return self.actor
            except Unauthenticated:
                self._refresh()
            if self.actor is not None:
                return self.actor
        raise LoginNeeded(f"/login?next={quote(self.here, safe='/')}")

    def _refresh(self) -> None:
        if not self.session.refresh_token:
            self.session = self.session.logged_out()
            return
        try:
            result = self._identity.refresh({"refresh_token": self.session.refresh_token})
        except Unauthenticated:
            self.session = self.session.logged_out()
            return
        self.session = self.session.with_tokens(result["access_token"], result["refresh_token"])
        self.actor = self._gate.authenticate(self.session.access_token)

    @property
    def here(self) -> str:
        """This page's path and query, as a ``next`` to come back to."""
        query = self.request.query_string.decode("latin-1")
        return self.request.path + (f"?{query}" if query else "")

    # --- forms ------------------------------------------------------------------------------

    def form(self) -> dict[str, str]:
        """The posted form's fields, once its CSRF token is this session's."""
        form = self.request.form
        if not self.session.accepts(form.get(CSRF_FIELD)):
            raise FormRefused()
        return {name: form.get(name, "") for name in form if name != CSRF_FIELD}

    # --- answers ----------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **context: object) -> Response:
        context.update(
            t=self.t,
            lang=self.language,
            csrf_token=self.session.csrf,
            actor=self.actor,
            rights=self.rights(),
            here=self.here,
            path=self.request.path,
            menu=menu_for(self.rights(), self.request.path, self.session.statistics_scope),
        )
        return self.answer(render(self.request, template, context, status))

    def redirect(self, location: str) -> Response:
        return self.answer(redirect(local_path(location), 303))

    def answer(self, response: Response) -> Response:
        """A response the page made itself (a download), with the session cookie the visit
        ends with (a refreshed token)."""
        if self.session != self._opened:
            response.set_cookie(
                SECURE_COOKIE if self._secure else COOKIE,
                self._seal.seal(self.session),
                httponly=True,
                secure=self._secure,
                samesite="Lax",
                path="/",
            )
        return response


def local_path(location: str | None, default: str = "/") -> str:
    """``location`` if it is a path on this site, else ``default``: a ``next`` parameter
    cannot send the visitor to another site (an open redirect)."""
    if not location or not location.startswith("/") or location.startswith("//"):
        return default
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or "\\" in location:
        return default
    return location


class WebSite(DependencyProvider):
    """The pages' part of the gateway process: the session seal, and a Visit per request."""

    def setup(self) -> None:
        config = self.container.config
        self.seal = SessionSeal.from_key_dir((config.get("KEYS") or {}).get("DIR", "var/keys"))
        self.trusted_proxy_hops = settings_from_config(config).trusted_proxy_hops

    def get_dependency(self, worker_ctx) -> WebSite:
        return self

    def visit(self, request: Request, gate: Gate, identity: ServiceClient) -> Visit:
        secure = self.is_secure(request)
        value = request.cookies.get(SECURE_COOKIE if secure else COOKIE)
        return Visit(request, self.seal.open(value), self.seal, gate, identity, secure)

    def is_secure(self, request: Request) -> bool:
        """Whether the browser reached us over TLS: the socket's scheme, or a trusted proxy's
        X-Forwarded-Proto."""
        if request.scheme == "https":
            return True
        if self.trusted_proxy_hops > 0:
            forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip()
            return forwarded == "https"
        return False
