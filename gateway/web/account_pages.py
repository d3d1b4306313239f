"""Logging in and out, the first login, the language switch and the pages' assets.

The login takes two steps, as the API's does: the username, for which the identity service
names three positions of the security code, then the password and the digits at those
positions. A first login (a temporary password) goes on to choose a password and a security
code. Every failure reads as the identity service words it, in the reader's language; a
blocked account is told who can unblock it.
"""

from __future__ import annotations

import contextlib

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from gateway.web.assets import asset_response
from gateway.web.forms import FirstLoginForm, LoginStartForm, LoginVerifyForm, read_form
from gateway.web.language import remember_language
from gateway.web.page import PageRoute, page
from gateway.web.visit import LoginNeeded, local_path
from services.common.errors import Forbidden, Unauthenticated, Unavailable, ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES

PAGES = (
    PageRoute("login_form", "GET", "/login", public=True),
    PageRoute("login_start", "POST", "/login", public=True),
    PageRoute("login_verify", "POST", "/login/verify", public=True),
    PageRoute("first_login_form", "GET", "/first-login", public=True),
    PageRoute("first_login_submit", "POST", "/first-login", public=True),
    PageRoute("logout_page", "POST", "/logout", public=True),
    PageRoute("switch_language", "GET", "/language/<code>", public=True),
    PageRoute("asset", "GET", "/assets/<digest>/<name>", public=True),
)


class AccountPages:
    """Entry points of GatewayService (which provides ``web``, ``gate``, ``identity`` and
    ``requests``)."""

    @page
    def login_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        next_page = local_path(request.args.get("next"))
        return visit.page("login.html", next=next_page, username="", errors={}, problem=None)

    @page
    def login_start(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        values, errors = read_form(LoginStartForm, visit.form())
        next_page = local_path(request.form.get("next"))
        if errors:
            username = request.form.get("username", "")[:64]
            return visit.page("login.html", 400, next=next_page, username=username,
                              errors=_texts(visit, errors), problem=None)  # fmt: skip
        self.gate.limit_logins(request)
        challenge = self.identity.challenge({"username": values["username"]})
        return visit.page(
            "login_code.html", next=next_page, username=values["username"],
            challenge_id=challenge["challenge_id"], positions=challenge["positions"], errors={},
        )  # fmt: skip

    @page
    def login_verify(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        values, errors = read_form(LoginVerifyForm, visit.form())
        next_page = local_path(request.form.get("next"))
        username = request.form.get("username", "")[:64]
        if errors:
            return visit.page("login.html", 400, next=next_page, username=username, errors={},
                              problem="web.login.check_input")  # fmt: skip
        self.gate.limit_logins(request)
        try:
            result = self.identity.login(
                {
                    "username": values["username"],
                    "password": values["password"],
                    "challenge_id": values["challenge_id"],
                    "digits": values["digit1"] + values["digit2"] + values["digit3"],
                }
            )
        except (Unauthenticated, ValidationFailed) as exc:
            problem = exc.code if visit.t.has(exc.code) else "web.login.check_input"
            return visit.page("login.html", 401, next=next_page, username=username, errors={},
                              problem=problem)  # fmt: skip
        if result["status"] == "password_change_required":
            visit.session = visit.session.for_first_login(result["setup_token"])
            return visit.redirect("/first-login")
        self._logged_in(visit, result)
        return visit.redirect(next_page)

    @page
    def first_login_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        if not visit.session.setup_token:
            return visit.redirect("/login")
        return visit.page("first_login.html", errors={}, problem=None)

    @page
    def first_login_submit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        if not visit.session.setup_token:
            return visit.redirect("/login")
        values, errors = read_form(FirstLoginForm, visit.form())
        if not errors and values["new_password"] != values["confirm_password"]:
            errors = {"confirm_password": "web.first_login.passwords_differ"}
        if errors:
            return visit.page("first_login.html", 400, errors=_texts(visit, errors), problem=None)
        self.gate.limit_logins(request)
        try:
            result = self.identity.complete_first_login(
                {
                    "setup_token": visit.session.setup_token,
                    "new_password": values["new_password"],
                    "security_code": values["security_code"],
                }
            )
        except ValidationFailed as exc:
            refused = {
                name: _first_code(codes) for name, codes in exc.extra.get("errors", {}).items()
            }
            return visit.page("first_login.html", 400, errors=_texts(visit, refused), problem=None)
        except Unauthenticated as exc:
            visit.session = visit.session.logged_out()
            return visit.page("login.html", 401, next="/", username="", errors={}, problem=exc.code)
        self._logged_in(visit, result)
        return visit.redirect("/")

    def _logged_in(self, visit, result: dict) -> None:
        """The session of a user who has just logged in, with the scope of their statistics
        (for the menu; a requests service that does not answer leaves it out)."""
        visit.session = visit.session.with_tokens(result["access_token"], result["refresh_token"])
        try:
            scope = self.requests.statistics_scope(visit.authenticate())["kind"]
        except (Forbidden, Unavailable):
            scope = None
        visit.session = visit.session.with_statistics_scope(scope)

    @page
    def logout_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        if visit.session.logged_in:
            with contextlib.suppress(Unauthenticated, LoginNeeded):  # it had ended already
                self.identity.logout(visit.authenticate())
        visit.session = visit.session.logged_out()
        return visit.redirect("/login")

    @page
    def switch_language(self, request: Request, code: str) -> Response:
        if code not in SUPPORTED_LANGUAGES:
            raise NotFound()
        response = redirect(local_path(request.args.get("next")), 303)
        return remember_language(response, code, self.web.is_secure(request))

    @page
    def asset(self, request: Request, digest: str, name: str) -> Response:
        response = asset_response(request, digest, name)
        if response is None:
            raise NotFound()
        return response


def _texts(visit, errors: dict[str, str]) -> dict[str, str]:
    """Each field's message in the reader's language."""
    return {name: visit.t(key) for name, key in errors.items()}


def _first_code(codes: object) -> str:
    if isinstance(codes, list) and codes:
        first = codes[0]
        return first.get("code", "web.form.invalid") if isinstance(first, dict) else str(first)
    return "web.form.invalid"
