"""The web pages' entry points: HTML in, HTML out, served by the gateway's own HTTP server.

A page is an entry point of GatewayService like an API operation, on the same server and
origin, so the pages and the API share one connection handling, one rate limit and one token
verifier. Its row in the page table (gateway/web/site.py) says where it is reached; an error
a page does not handle itself is answered with an HTML error page in the reader's language.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from gateway.http import PATH_VARIABLE, ApiHandler
from gateway.web.errors import error_page
from services.common.errors import Unavailable

FORM_BYTES = 65536


@dataclass(frozen=True)
class PageRoute:
    """One page: how it is reached. ``public`` pages need no login."""

    name: str
    method: str
    path: str
    public: bool = False
    max_body_bytes: int = FORM_BYTES

    @property
    def rule(self) -> str:
        return self.path

    def body_limit(self, default: int) -> int:
        return self.max_body_bytes


class PageHandler(ApiHandler):
    """An entry point serving the row of the page table named like its method."""

    def setup(self) -> None:
        from gateway.web.site import PAGES  # the table imports the pages' modules

        route = PAGES.get(self.method_name)
        if route is None:
            raise LookupError(f"{self.method_name} is served but missing from the page table")
        self.route = route
        method = getattr(self.container.service_cls, self.method_name)
        inspect.signature(method).bind(
            None, None, **dict.fromkeys(PATH_VARIABLE.findall(route.rule), "")
        )
        HttpRequestHandler.setup(self)

    def get_url_rule(self) -> Rule:
        return Rule(self.route.rule, methods=[self.route.method])

    def response_from_result(self, result: object) -> Response:
        if not isinstance(result, Response):
            raise TypeError(f"page {self.method_name} returned {type(result).__name__}")
        return result

    def error_response(self, request: Request, exc: BaseException, call_id: str | None):
        if isinstance(exc, ContainerBeingKilled):
            exc = Unavailable("The gateway is shutting down.", "error.shutting_down")
        return error_page(request, exc, call_id)


page = PageHandler.decorator
