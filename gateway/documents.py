"""Public documents that never change while the process runs, serialised once per process:
the reference tables (services/common/reference.py) and the OpenAPI document."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from werkzeug.wrappers import Response

from gateway.openapi import openapi_document
from gateway.route import JSON

REFERENCE_MAX_AGE_SECONDS = 3600


def reference_response(table: Callable[[], list]) -> Response:
    response = Response(_text(table), content_type=JSON)
    response.cache_control.public = True
    response.cache_control.max_age = REFERENCE_MAX_AGE_SECONDS
    return response


def openapi_response() -> Response:
    return Response(_text(openapi_document), content_type=JSON)


@functools.cache
def _text(build: Callable[[], object]) -> str:
    return json.dumps(build(), ensure_ascii=False, separators=(",", ":"))
