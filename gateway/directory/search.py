"""/api/v1/search/authorities: the directory's search, for any logged-in user."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.directory.schemas.search import SearchPageSchema, SearchQuerySchema

ROUTES = (
    Route(
        "search_authorities", "GET", f"{API}/search/authorities",
        "Find validated authorities by free text in any language (typos, accents and "
        "scripts tolerated) and filters; the results in the searcher's language", "search",
        query=SearchQuerySchema, response=SearchPageSchema, authenticated=True,
    ),
)  # fmt: skip


class SearchApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def search_authorities(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.search_authorities(call.actor, call.query)
