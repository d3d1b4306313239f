"""/api/v1/request-statistics: the statistics of requests for coordinators and the
Commission (docs/requests-statistics.md), every figure as JSON, or one figure as CSV."""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from gateway.http import api
from gateway.route import API, Route
from services.requests.schemas import (
    FIGURES,
    StatisticsCsvQuerySchema,
    StatisticsQuerySchema,
    StatisticsSchema,
)

_TAG = "requests"
CSV = "text/csv"

ROUTES = (
    Route(
        "request_statistics", "GET", f"{API}/request-statistics",
        "The statistics of requests in the reader's scope (the Commission: all; a national "
        "coordinator: its member state's; another coordinator: its authorities'): per area, "
        "member state, month, profession and sector, the questions asked most, response "
        "times, requests pending more than a month, the scoreboard with its targets", _TAG,
        query=StatisticsQuerySchema, response=StatisticsSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "request_statistics_csv", "GET", f"{API}/request-statistics/{{figure}}.csv",
        "One figure of the statistics as CSV: a header row, then the rows of its JSON", _TAG,
        query=StatisticsCsvQuerySchema, authenticated=True, errors=(403,), content_type=CSV,
        path_fields=MappingProxyType({"figure": fields.String(validate=validate.OneOf(FIGURES))}),
    ),
)  # fmt: skip


class RequestStatisticsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``requests``)."""

    @api
    def request_statistics(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.requests.request_statistics(call.actor, call.query)

    @api
    def request_statistics_csv(self, request: Request, figure: str) -> Response:
        call = self.gate.admit(request)
        found = self.requests.request_statistics_csv(call.actor, figure, call.query)
        response = Response(found["content"], content_type=f"{CSV}; charset=utf-8")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="request-statistics-{found["figure"]}.csv"'
        )
        return response
