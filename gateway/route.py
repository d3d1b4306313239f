"""One row of the route table: how an operation is reached, what it takes, what it answers.

The table itself is gateway/routes.py, assembled from the core rows and each service's module
in gateway/<service>/. This module imports nothing of the gateway but gateway/parameters.py,
so those modules can declare their rows beside their entry points without an import going
round.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from marshmallow import Schema, fields

from gateway.parameters import PATH_FIELDS, max_length

API = "/api/v1"
JSON = "application/json"
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
    # the body may also come form-encoded (an outside system's callback)
    form_body: bool = False
    # answers ``Prefer: return=minimal`` (RFC 7240) with less than ``response`` in full: with
    # ``minimal_response`` where given, else with ``response`` holding less
    prefer_minimal: bool = False
    minimal_response: type[Schema] | None = None
    # what a path parameter takes here, where it takes less than PATH_FIELDS says
    path_fields: Mapping[str, fields.Field] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def status(self) -> int:
        """The status of a successful answer."""
        return self.statuses[0]

    def body_limit(self, default: int) -> int:
        return max(default, self.max_body_bytes or 0)

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    def path_field(self, name: str) -> fields.Field:
        return self.path_fields.get(name) or PATH_FIELDS[name]

    @property
    def rule(self) -> str:
        """The werkzeug rule: an over-long path parameter matches no route, hence a 404."""
        return _PARAMETER.sub(
            lambda found: f"<string(maxlength={max_length(self.path_field(found[1]))}):{found[1]}>",
            self.path,
        )

    @property
    def state_changing(self) -> bool:
        return self.method in STATE_CHANGING_METHODS
