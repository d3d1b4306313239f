"""Errors as pages: what went wrong, in the reader's language, and where to go next.

The status comes from the same mapping as the API's problems (gateway/problems.py); the
message is the catalogue's text of the error's code where it has one. A bug is a 500 page
that shows the call id to quote and nothing else; the log keeps the traceback.
"""

from __future__ import annotations

import logging

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from gateway.problems import problem_for
from gateway.web.language import reading_language
from gateway.web.rendering import render
from gateway.web.texts import texts_for

log = logging.getLogger(__name__)

# the page's heading per status; any other status reads as the generic error
HEADINGS = {
    400: "web.error.bad_request",
    403: "web.error.forbidden",
    404: "web.error.not_found",
    409: "web.error.conflict",
    413: "web.error.too_large",
    429: "web.error.too_many",
    503: "web.error.unavailable",
}


def error_page(request: Request, exc: BaseException, call_id: str | None) -> Response:
    if isinstance(exc, HTTPException) and exc.code is not None and exc.code < 400:
        return exc.get_response()
    problem = problem_for(exc, request.path, call_id)
    if problem.status >= 500 and problem.status != 503:
        log.error("unexpected error serving page %s (call %s)", request.path, call_id, exc_info=exc)
    t = texts_for(reading_language(request))
    code = problem.body["code"]
    context = {
        "t": t,
        "lang": t.language,
        "status": problem.status,
        "heading": HEADINGS.get(problem.status, "web.error.generic"),
        "message": code if t.has(code) and problem.status < 500 else None,
        "call_id": call_id,
        "actor": None,
        "rights": frozenset(),
        "here": request.path,
        "path": request.path,
        "csrf_token": "",
    }
    response = render(request, "error.html", context, problem.status)
    for name, value in problem.headers.items():
        if name in ("Retry-After", "Allow"):
            response.headers[name] = value
    return response
