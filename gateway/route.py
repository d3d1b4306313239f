"""One row of the route table: how an operation is reached, what it takes, what it answers.

The table itself is gateway/routes.py, assembled from the core rows and each service's module
in gateway/<service>/. This module imports nothing of the gateway, so those modules can
declare their rows beside their entry points without an import going round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import Schema

API = "/api/v1"
JSON = "application/json"
PATH_PARAMETER_MAX_LENGTH = 64
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    """One operation: how it is reached, what it takes, what it answers."""

    name: str
    method: str
    path: str
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | Schema | None = None
    statuses: tuple[int, ...] = (200,)
    authenticated: bool = False
    rate_limited: bool = False
    remote: bool = True
    errors: tuple[int, ...] = ()
    location: str | None = None
    content_type: str = JSON
    # bytes a body may have when the route takes more than GATEWAY.MAX_BODY_BYTES (a file)
    max_body_bytes: int | None = None

    @property
    def status(self) -> int:
        """The status of a successful answer."""
        return self.statuses[0]

    def body_limit(self, default: int) -> int:
        return max(default, self.max_body_bytes or 0)

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    @property
    def rule(self) -> str:
        """The werkzeug rule: an over-long path parameter matches no route, hence a 404."""
        converter = f"<string(maxlength={PATH_PARAMETER_MAX_LENGTH}):\\1>"
        return _PARAMETER.sub(converter, self.path)

    @property
    def state_changing(self) -> bool:
        return self.method in STATE_CHANGING_METHODS
