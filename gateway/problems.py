"""Every error becomes an RFC 9457 problem: the one mapping from exceptions to HTTP answers.

Services raise the shared error types (each carries its HTTP status); werkzeug's own errors
(unknown route, wrong method, body too large, not JSON) keep their status. Anything else is a
bug: a 500 whose body reveals nothing, while the log keeps the traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from services.common.errors import ImiError

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:imi:problem:"
INTERNAL_CODE = "error.internal"
INTERNAL_DETAIL = "An unexpected error occurred. Quote the call id when reporting it."
REALM = 'Bearer realm="imi"'
# A refused token (unlike a missing one) tells the client to refresh or log in again.
REFUSED_TOKEN_CODES = frozenset({"auth.token_invalid", "auth.token_expired", "auth.token_revoked"})
DEFAULT_RETRY_AFTER = 60
# A dependency that failed (a service, the broker, a database) is often back within seconds: a
# client told to wait a minute would wait for nothing, one told nothing would hammer it.
DEFAULT_UNAVAILABLE_RETRY_AFTER = 5
_HTTP_CODES = {
    400: "error.bad_request",
    404: "error.not_found",
    405: "error.method_not_allowed",
    413: "error.payload_too_large",
    415: "error.unsupported_media_type",
}


@dataclass(frozen=True)
class Problem:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)


def problem_for(exc: BaseException, instance: str, call_id: str | None) -> Problem:
    """The problem to answer for ``exc``, raised while serving the path ``instance``."""
    if isinstance(exc, ImiError):
        return _service_problem(exc, instance, call_id)
    if isinstance(exc, HTTPException) and exc.code is not None and exc.code >= 400:
        headers = {
            name: value for name, value in exc.get_headers() if name.lower() != "content-type"
        }
        code = _HTTP_CODES.get(exc.code, f"error.http_{exc.code}")
        body = _body(exc.code, code, exc.description or "", instance, call_id)
        return Problem(exc.code, body, headers)
    return Problem(500, _body(500, INTERNAL_CODE, INTERNAL_DETAIL, instance, call_id))


def _service_problem(exc: ImiError, instance: str, call_id: str | None) -> Problem:
    params = dict(exc.extra)
    errors = params.pop("errors", None)
    members = {}
    if exc.status == 400 and errors:
        members["errors"] = errors
    if params:
        members["params"] = params
    body = _body(exc.status, exc.code, exc.detail, instance, call_id, members)
    headers = {}
    if exc.status == 401:
        refused = exc.code in REFUSED_TOKEN_CODES
        headers["WWW-Authenticate"] = f'{REALM}, error="invalid_token"' if refused else REALM
    if exc.status == 429:
        headers["Retry-After"] = str(_retry_after(params.get("retry_after"), DEFAULT_RETRY_AFTER))
    if exc.status == 503:
        headers["Retry-After"] = str(
            _retry_after(params.get("retry_after"), DEFAULT_UNAVAILABLE_RETRY_AFTER)
        )
    return Problem(exc.status, body, headers)


def _retry_after(seconds: object, default: int) -> int:
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return max(1, math.ceil(seconds))
    return default


def _body(
    status: int,
    code: str,
    detail: str,
    instance: str,
    call_id: str | None,
    members: dict | None = None,
) -> dict:
    return {
        "type": TYPE_PREFIX + code,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **(members or {}),
        "instance": instance,
        "call_id": call_id,
    }
