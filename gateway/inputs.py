"""Reading what a request brings, before any of it reaches a service.

Bodies: JSON only, bounded in size (from Content-Length before reading, and while reading a
chunked body), decoded strictly, an object, then the route's schema. The validated body is
passed on as the client sent it (plain JSON types); the service validates it again.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from urllib.parse import parse_qsl

from marshmallow import Schema
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.wrappers import Request

from gateway.route import JSON
from services.common.errors import ValidationFailed
from services.common.schemas import load

IDEMPOTENCY_HEADER = "Idempotency-Key"
PREFER_HEADER = "Prefer"
PREFERENCE_APPLIED_HEADER = "Preference-Applied"
RETURN_MINIMAL = "return=minimal"
FORM = "application/x-www-form-urlencoded"
IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7e]{1,100}$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
_READ_CHUNK = 16384
_UTF8 = frozenset({"utf-8", "utf8"})


def read_json_object(request: Request, schema: Schema, limit: int) -> tuple[dict, bytes]:
    """The body as a JSON object valid for ``schema``, and its raw bytes."""
    if (
        request.mimetype != JSON
        or request.mimetype_params.get("charset", "utf-8").lower() not in _UTF8
    ):
        raise UnsupportedMediaType("The body must be JSON, sent as Content-Type: application/json.")
    raw = _read_limited(request, limit)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValidationFailed(
            f"The body is not valid JSON: {_reason(exc)}", "error.invalid_json"
        ) from None
    if not isinstance(data, dict):
        raise ValidationFailed.from_fields(
            {"_schema": ["An object was expected."]}, "The body must be a JSON object."
        )
    load(schema, data)
    return data, raw


def read_form_object(request: Request, schema: Schema, limit: int) -> tuple[dict, bytes]:
    """A form-encoded body (``application/x-www-form-urlencoded``, UTF-8) as an object valid
    for ``schema``, and its raw bytes; for the few routes that outside systems post forms to
    (an engine's callback). A field given twice is an error."""
    raw = _read_limited(request, limit)
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw),
            encoding="utf-8", errors="strict",
        )  # fmt: skip
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(
            f"The body is not a valid form: {_reason(exc)}", "error.invalid_form"
        ) from None
    data: dict[str, str] = {}
    for name, value in pairs:
        if name in data:
            raise ValidationFailed.from_fields(
                {name: ["Give this field once."]}, "A form field was given twice."
            )
        data[name] = value
    load(schema, data)
    return data, raw


def read_query(request: Request, schema: Schema) -> dict:
    """The query parameters, validated and converted (``"2"`` becomes 2), as JSON values."""
    repeated = {
        name: ["Give this parameter once."]
        for name, values in request.args.lists()
        if len(values) > 1
    }
    if repeated:
        raise ValidationFailed.from_fields(repeated, "A query parameter was given twice.")
    return schema.dump(load(schema, request.args.to_dict()))


def idempotency_key(request: Request, caller: str, body: bytes) -> str:
    """The key a state-changing call carries to the service: it acts once however often
    the same call arrives.

    A client's own key is scoped to the caller, the operation and the body, so one client can
    never receive the result of another's call by reusing its key; without one, a fresh key.
    """
    given = request.headers.get(IDEMPOTENCY_HEADER)
    if given is None:
        return str(uuid.uuid4())
    if not _IDEMPOTENCY_KEY.fullmatch(given):
        raise ValidationFailed.from_fields(
            {IDEMPOTENCY_HEADER: ["From 1 to 100 printable ASCII characters are expected."]},
            "The Idempotency-Key header is not valid.",
        )
    scope = "\n".join((caller, request.method, request.path, given)).encode("utf-8")
    return hashlib.sha256(scope + b"\n" + body).hexdigest()


def prefers_minimal(request: Request) -> bool:
    """Whether the client asked for no representation in the answer (RFC 7240's
    ``Prefer: return=minimal``); a preference it does not know is ignored, as the RFC says."""
    for preference in request.headers.get(PREFER_HEADER, "").split(","):
        name, _, value = preference.split(";")[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
            return True
    return False


def client_address(request: Request, trusted_proxy_hops: int) -> str:
    """The client's address: the peer, or the one the nearest trusted proxy saw."""
    if trusted_proxy_hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= trusted_proxy_hops and forwarded[-trusted_proxy_hops]:
            return forwarded[-trusted_proxy_hops]
    return request.remote_addr or "unknown"


def _read_limited(request: Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    chunked = request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    # werkzeug reads nothing without a Content-Length; eventlet's input stream de-chunks.
    stream = request.environ["wsgi.input"] if chunked else request.stream
    chunks, size = [], 0
    while chunk := stream.read(min(_READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"The body must not be larger than {limit} bytes.")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8."
    if isinstance(exc, RecursionError):
        return "it is nested too deeply."
    return f"{exc}."
