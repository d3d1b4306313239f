"""The gateway's @http entry point: JSON in and out, and problem+json for every error.

nameko's own handler answers errors in text/plain with status 400 or 500, and its WSGI app lets
werkzeug answer unknown routes and wrong methods in HTML; both are replaced here. The app also
times each request for Prometheus, labelled by route, not by raw path (bounded label values).
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from dataclasses import dataclass
from functools import partial

import orjson
from eventlet.event import Event
from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import MapAdapter, Rule
from werkzeug.wrappers import Request, Response

from gateway.inputs import PREFERENCE_APPLIED_HEADER, RETURN_MINIMAL
from gateway.problems import CONTENT_TYPE, problem_for
from gateway.route import JSON, Route
from gateway.server import HttpServer
from gateway.settings import settings_from_config
from gateway.web.errors import error_page
from services.common.errors import EXPECTED_ERRORS, Unavailable
from services.common.metrics import HTTP_LATENCY

log = logging.getLogger(__name__)

CALL_ID_HEADER = "X-Call-Id"
UNMATCHED_ROUTE = "unmatched"
MATCHES_KEPT = 4096
PATH_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class JsonResponse:
    """A JSON answer, already encoded: what werkzeug's Response sends for it, without building
    one (its header object and WSGI adapter cost a tenth of the gateway's time on a read)."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, body: bytes, status: int, content_type: str):
        self.body = body
        self.status_code = status
        self.headers = {"Content-Type": content_type, "Content-Length": str(len(body))}

    def __call__(self, environ, start_response):
        status = f"{self.status_code} {HTTP_STATUS_CODES.get(self.status_code, 'UNKNOWN')}"
        start_response(status, list(self.headers.items()))
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


@dataclass(frozen=True)
class Minimal:
    """A handler's answer to ``Prefer: return=minimal`` (RFC 7240): ``data`` without the
    representation, sent with ``Preference-Applied``."""

    data: dict


def json_response(data: object, status: int = 200, content_type: str = JSON) -> JsonResponse:
    """Compact UTF-8 JSON, encoded natively (orjson; the same text as ``json.dumps`` with
    ``ensure_ascii=False`` for what services return)."""
    return JsonResponse(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), status, content_type)


def problem_response(exc: BaseException, instance: str, call_id: str | None) -> JsonResponse:
    problem = problem_for(exc, instance, call_id)
    if problem.status >= 500:
        log.error("unexpected error serving %s (call %s)", instance, call_id, exc_info=exc)
    response = json_response(problem.body, problem.status, CONTENT_TYPE)
    response.headers.update(problem.headers)
    return response


def is_page_path(path: str) -> bool:
    """Whether a path is the web pages' rather than the API's or the operators'."""
    return not (path.startswith("/api/") or path in ("/metrics", "/health"))


def match_template(adapter: MapAdapter, path: str, method: str) -> tuple[Rule, dict]:
    """The rule for ``method`` of the path template the document gives ``path`` to.

    A path can fit several templates (``/users/me`` and ``/users/{user_id}``); as in OpenAPI,
    the one with fixed text where the others have a parameter is the path's, and only its
    methods are served there: ``PATCH /users/me`` is a 405 whose Allow header names the
    methods of ``/users/me``, not an update of a user called "me". werkzeug alone would match
    any template that has the method, and name the methods of all of them in Allow.
    """
    try:
        rule, values = adapter.match(path, method, return_rule=True)
    except MethodNotAllowed:
        rule, values = None, {}
    if rule is not None and not values:
        return rule, values  # a template without parameters is the most specific there is
    fitting: dict[str, Rule] = {}
    for other in {name for each in adapter.map.iter_rules() for name in each.methods or ()}:
        try:
            fitting[other] = adapter.match(path, other, return_rule=True)[0]
        except HTTPException:
            continue
    best = max(_specificity(found) for found in fitting.values())
    if rule is not None and _specificity(rule) == best:
        return rule, values
    allowed = sorted(name for name, found in fitting.items() if _specificity(found) == best)
    raise MethodNotAllowed(valid_methods=allowed)


def _specificity(rule: Rule) -> tuple[bool, ...]:
    return tuple(not part.startswith("<") for part in rule.rule.split("/"))


class ApiWsgiApp(WsgiApp):
    def __init__(self, server):
        super().__init__(server)
        self.matched: dict[tuple[str, str], tuple[Rule, dict]] = {}
        self.default_limit = settings_from_config(server.container.config).max_body_bytes

    def match(self, method: str, path_info: str, environ: dict | None = None) -> tuple[Rule, dict]:
        """werkzeug's match for a method and a WSGI ``PATH_INFO``, remembered: matching walks
        the whole table (8 % of an authenticated read), and clients ask for the same paths
        again and again. Only matches are kept (not 404s, 405s or redirects), at most
        MATCHES_KEPT of them. ``environ`` binds the map to the request, for the address of a
        redirect; without it (the connection asking for a body limit) the binding is bare."""
        key = (method, path_info)
        known = self.matched.get(key)
        if known is None:
            adapter = self.url_map.bind_to_environ(environ) if environ else self.url_map.bind("")
            path = path_info.encode("latin-1").decode("utf-8", "replace")  # as werkzeug reads it
            known = match_template(adapter, path, method)
            if len(self.matched) >= MATCHES_KEPT:
                self.matched.clear()
            self.matched[key] = known
        rule, values = known
        return rule, dict(values)

    def body_limit(self, method: str, path_info: str) -> int:
        """The most bytes a body to this route may have, for the connection to refuse more
        before it reads them (gateway/inputs.py checks again while reading): the gateway's
        ``MAX_BODY_BYTES``, or a route's own larger limit (a file's)."""
        try:
            rule, _ = self.match(method, path_info)
        except HTTPException:
            return self.default_limit
        return rule.endpoint.route.body_limit(self.default_limit)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request = Request(environ, shallow=True)
        label = UNMATCHED_ROUTE
        try:
            rule, request.path_values = self.match(
                environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), environ
            )
            handler = rule.endpoint
            label = handler.route.path
            response = handler.handle_request(request)
        except HTTPException as exc:
            # A redirect (e.g. a doubled slash) is not an error; anything else is a problem.
            if exc.code is not None and exc.code < 400:
                response = exc.get_response()
            elif is_page_path(request.path):
                response = error_page(request, exc, None)
            else:
                response = problem_response(exc, request.path, None)
        elapsed = time.perf_counter() - started
        HTTP_LATENCY.labels(label, request.method, str(response.status_code)).observe(elapsed)
        return response(environ, start_response)


class ApiServer(WebServer):
    """nameko's web server (on WEB_SERVER_ADDRESS) with the app above, its connections served
    by gateway/server.py instead of eventlet.wsgi."""

    def get_wsgi_app(self) -> ApiWsgiApp:
        return ApiWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=None, debug=False) -> HttpServer:
        return HttpServer(wsgi_app, sock.getsockname(), wsgi_app.body_limit)

    def process_request(self, sock, address) -> None:
        self._serv.serve(sock, address)


class ApiHandler(HttpRequestHandler):
    """An entry point serving the row of the route table named like its method."""

    server = ApiServer()

    def __init__(self, **kwargs):
        kwargs.setdefault("expected_exceptions", (*EXPECTED_ERRORS, HTTPException))
        super().__init__(method=None, url=None, **kwargs)

    def setup(self) -> None:
        from gateway.routes import ROUTES  # the table imports the entry points' modules

        route = ROUTES.get(self.method_name)
        if route is None:
            raise LookupError(f"{self.method_name} is served but missing from gateway/routes.py")
        self.route: Route = route
        self._check_signature_once()
        super().setup()

    def _check_signature_once(self) -> None:
        """The method must take the request and the route's path variables; checked here, at
        start, instead of nameko's ``check_signature`` on every request (3 % of its time)."""
        method = getattr(self.container.service_cls, self.method_name)
        variables = PATH_VARIABLE.findall(self.route.rule)
        try:
            inspect.signature(method).bind(None, None, **dict.fromkeys(variables, ""))
        except TypeError as exc:
            raise TypeError(f"{self.method_name} does not fit {self.route.rule}: {exc}") from None

    def get_url_rule(self) -> Rule:
        return Rule(self.route.rule, methods=[self.route.method])

    def handle_request(self, request: Request) -> Response | JsonResponse:
        """nameko's own, but the answer carries the worker's call id (header and problem)."""
        request.shallow = False
        call_id = None
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            event = Event()
            worker_ctx = self.container.spawn_worker(
                self, args, kwargs, handle_result=partial(self.handle_result, event)
            )
            call_id = worker_ctx.call_id
            response = self.response_from_result(event.wait())
        except Exception as exc:
            response = self.error_response(request, exc, call_id)
        if call_id is not None:
            response.headers[CALL_ID_HEADER] = call_id
        return response

    def response_from_result(self, result: object) -> Response | JsonResponse:
        if isinstance(result, Response | JsonResponse):
            return result
        route = self.route
        if route.status == 204:
            return Response(status=204)
        minimal = isinstance(result, Minimal)
        if minimal:
            result = result.data
        response = json_response(result, route.status)
        if route.location and isinstance(result, dict):
            response.headers["Location"] = route.location.format(**result)
        if minimal:
            response.headers[PREFERENCE_APPLIED_HEADER] = RETURN_MINIMAL
        return response

    def error_response(self, request: Request, exc: BaseException, call_id: str | None):
        """The answer to a request whose handling raised ``exc``."""
        return self.response_from_exception(exc, request.path, call_id)

    def response_from_exception(
        self, exc: BaseException, instance: str = "", call_id: str | None = None
    ) -> JsonResponse:
        if isinstance(exc, ContainerBeingKilled):
            exc = Unavailable("The gateway is shutting down.", "error.shutting_down")
        return problem_response(exc, instance, call_id)


api = ApiHandler.decorator
