"""The one error contract of the system.

Services raise these; nameko carries them over RPC and, because each class is registered with
``deserialize_to_instance``, the caller gets the same type back (not a ``RemoteError``). The
gateway maps each type once to an HTTP status and a problem+json body.

Every error carries a catalogue key (``code``) so that the text a user reads comes from the
translation catalogue in their language, plus an English ``detail`` for logs and developers.
"""

from __future__ import annotations

import json
from typing import Any

from nameko.exceptions import deserialize_to_instance


class ImiError(Exception):
    """Base of every error a caller may receive; never raised itself."""

    status = 500
    default_code = "error.internal"

    def __init__(self, detail: str, code: str | None = None, extra: dict | str | None = None):
        if isinstance(extra, str):
            extra = json.loads(extra)  # as it arrives over RPC, see below
        self.detail = detail
        self.code = code or self.default_code
        self.extra = extra or {}
        # nameko turns every arg that is not text, a dict or a list into text when it carries
        # an error over RPC ({"retry_after": 30} arrived as {"retry_after": "30"}), so
        # ``extra`` travels as JSON text and numbers, booleans and nulls keep their type.
        super().__init__(detail, self.code, json.dumps(self.extra, default=str))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


@deserialize_to_instance
class ValidationFailed(ImiError):
    """Input broke a schema or a rule; ``extra["errors"]`` maps each field to its messages."""

    status = 400
    default_code = "error.validation"

    @classmethod
    def from_fields(cls, errors: dict, detail: str = "The input is not valid.") -> ValidationFailed:
        return cls(detail, None, {"errors": errors})


@deserialize_to_instance
class Unauthenticated(ImiError):
    """The caller did not prove who it is (bad credentials, expired or revoked token)."""

    status = 401
    default_code = "error.unauthenticated"


@deserialize_to_instance
class Forbidden(ImiError):
    """The caller is known but the owner of the data does not allow this action."""

    status = 403
    default_code = "error.forbidden"


@deserialize_to_instance
class NotFound(ImiError):
    """The object does not exist, or the caller may not learn that it exists."""

    status = 404
    default_code = "error.not_found"


@deserialize_to_instance
class Conflict(ImiError):
    """A stale version, a duplicate or an illegal state transition."""

    status = 409
    default_code = "error.conflict"


@deserialize_to_instance
class StaleVersion(Conflict):
    """Someone saved the object after the caller read it (optimistic concurrency).

    One shape in every service: ``extra`` = ``current_version`` (None when the object is gone),
    ``changed_by`` (the user id of who saved it, None for the system) and ``changed_at`` (ISO
    8601), read from the database once the caller's save lost. See services.common.models.Versioned.
    """

    default_code = "error.stale_version"


@deserialize_to_instance
class RateLimited(ImiError):
    """Too many attempts; ``extra["retry_after"]`` says in how many seconds to try again."""

    status = 429
    default_code = "error.rate_limited"


@deserialize_to_instance
class Unavailable(ImiError):
    """A dependency (service, broker, database, engine) did not answer in time."""

    status = 503
    default_code = "error.service_unavailable"


EXPECTED_ERRORS = (
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    Unavailable,
)  # a StaleVersion is a Conflict: expected wherever a Conflict is
