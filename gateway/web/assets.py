"""The pages' stylesheets and scripts: read once per process, compressed once, cached for ever.

Each asset's address carries a digest of its content (``/assets/<digest>/imi.css``), so a
browser may keep it for a year without asking again, and a new version gets a new address.
An asset is sent gzip-compressed to a browser that accepts it (all do): ECL's stylesheet is
430 KB as it is and 50 KB compressed, which is what keeps a page under its budget on a slow
office network (docs/web.md).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from werkzeug.wrappers import Request, Response

from gateway.web.vendor import packages

STATIC = Path(__file__).with_name("static")
YEAR_SECONDS = 365 * 24 * 3600
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    name: str
    content_type: str
    body: bytes
    gzipped: bytes
    digest: str

    @property
    def url(self) -> str:
        return f"/assets/{self.digest}/{self.name}"


def _sources() -> dict[str, Path]:
    vendored = packages()
    sources = {path.name: path for path in STATIC.iterdir() if path.suffix in _TYPES}
    sources["ecl.css"] = vendored["@ecl/preset-ec"].path("dist/styles/ecl-ec.css")
    return sources


def _asset(name: str, path: Path) -> Asset:
    body = path.read_bytes()
    return Asset(
        name,
        _TYPES[path.suffix],
        body,
        gzip.compress(body, compresslevel=9, mtime=0),
        hashlib.sha256(body).hexdigest()[:16],
    )


@cache
def assets() -> dict[str, Asset]:
    """Every asset of the pages by name; read on first use."""
    return {name: _asset(name, path) for name, path in _sources().items()}


def asset_url(name: str) -> str:
    return assets()[name].url


def asset_response(request: Request, digest: str, name: str) -> Response | None:
    """The asset's answer, or None where no asset has that name and digest."""
    asset = assets().get(name)
    if asset is None or asset.digest != digest:
        return None
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(
        asset.gzipped if compressed else asset.body, content_type=asset.content_type
    )
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
