"""The language a page is read in: the visitor's choice (a cookie), else their account's,
else the best of their browser's languages that the system speaks, else English.

The switch (``/language/<code>?next=<page>``) sets the cookie and sends the visitor back to the
page they were on, now in the language they chose.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common.reference import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES

COOKIE = "imi_language"
YEAR_SECONDS = 365 * 24 * 3600


def chosen_language(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value in SUPPORTED_LANGUAGES else None


def browser_language(request: Request) -> str:
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or FALLBACK_LANGUAGE


def reading_language(request: Request) -> str:
    """The language of a page shown before any login (an error page, the login form)."""
    return chosen_language(request) or browser_language(request)


def remember_language(response: Response, language: str, secure: bool) -> Response:
    response.set_cookie(
        COOKIE, language, max_age=YEAR_SECONDS, httponly=True, secure=secure, samesite="Lax",
        path="/",
    )  # fmt: skip
    return response
