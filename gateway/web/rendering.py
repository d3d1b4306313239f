"""Pages rendered from Jinja templates, and the headers every page goes out with.

Templates live in gateway/web/templates and hold no words: each text is a catalogue key read
through ``t`` (gateway/web/texts.py). Autoescaping is on for every template, so what a user
typed can never become markup.

The headers: a strict Content-Security-Policy (only this origin's stylesheets and scripts,
no inline script or style, no frames, forms only to this origin), no sniffing, no referrer
beyond the origin, and no caching of a page that shows a user's work.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from werkzeug.wrappers import Request, Response

from gateway.web.assets import asset_url
from services.common.reference import SUPPORTED_LANGUAGES, languages

TEMPLATES = Path(__file__).with_name("templates")
# below this, compressing costs more than it saves
COMPRESS_FROM_BYTES = 1024
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "script-src 'self'",
        "img-src 'self' data:",
        "font-src 'none'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset_url"] = asset_url
    env.globals["languages"] = SUPPORTED_LANGUAGES
    # each language named in itself, as a reader looks for their own
    env.globals["language_names"] = {
        language["code"]: language["names"][language["code"]] for language in languages()
    }
    return env


def html_response(request: Request, body: str, status: int = 200) -> Response:
    """An HTML answer with the security headers, compressed where the browser accepts it."""
    data = body.encode("utf-8")
    response = Response(status=status, content_type="text/html; charset=utf-8")
    if len(data) >= COMPRESS_FROM_BYTES and "gzip" in request.headers.get("Accept-Encoding", ""):
        data = gzip.compress(data, compresslevel=6)
        response.headers["Content-Encoding"] = "gzip"
    response.set_data(data)
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(SECURITY_HEADERS)
    return response


def render(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return html_response(request, environment().get_template(template).render(context), status)
