"""The dashboard of the statistics of requests, for IMI coordinators and the Commission.

The figures are the requests service's (``request_statistics``, docs/requests-statistics.md),
asked for with the reader's own actor: the service decides the scope (the Commission every
request, a national coordinator its member state's, another coordinator its authorities') and
refuses anyone else, which is a 403 page here. The authorities without active users are the
directory's list (``list_authorities``, ``which=without_active_users``), shown when the
directory serves it to the reader.

Filters are a GET form (period, legislative area); each figure downloads as CSV through a
page of its own, since the API's CSV routes take a bearer token and the pages have a session.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_percent
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.dashboard_charts import (
    column_chart,
    response_bands,
    share_chart,
    stacked_bar_chart,
)
from gateway.web.forms import FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names, shipped_texts
from services.common.errors import Forbidden
from services.requests.statistics import FIGURES

PAGES = (
    PageRoute("dashboard_page", "GET", "/dashboard"),
    PageRoute("dashboard_csv", "GET", "/dashboard/<figure>.csv"),
)

# the figures the dashboard shows; the others download as CSV
SHOWN = ("by_month", "response_times", "scoreboard", "pending", "by_member_state")
AREA_PREFIX = "directory.legislative_area."
WITHOUT_USERS_SHOWN = 50


def legislative_areas() -> list[str]:
    """The areas' codes, in the directory's order."""
    return [key.removeprefix(AREA_PREFIX) for key in shipped_texts() if key.startswith(AREA_PREFIX)]


class DashboardFilter(FormSchema):
    """The dashboard's GET form: requests sent in a period (days, UTC), of one area."""

    sent_from = fields.Date(load_default=None, error_messages={"invalid": "web.form.invalid"})
    sent_to = fields.Date(load_default=None, error_messages={"invalid": "web.form.invalid"})
    area = fields.String(
        load_default=None,
        validate=validate.OneOf(legislative_areas(), error="web.form.invalid"),
    )


def statistics_query(values: dict, language: str) -> dict:
    query = {"language": language}
    for name in ("sent_from", "sent_to"):
        if values.get(name):
            query[name] = values[name].isoformat()
    if values.get("area"):
        query["area"] = values["area"]
    return query


class DashboardPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``requests`` and
    ``directory``)."""

    @page
    def dashboard_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        t = visit.t
        values, errors = read_form(DashboardFilter, request.args.to_dict())
        status = 200
        if errors:  # the form again with its messages; the figures of no filter
            status, values = 400, {}
        query = statistics_query(values, visit.language)
        statistics = self.requests.request_statistics(actor, {**query, "figures": ",".join(SHOWN)})
        try:
            without_users = self.directory.list_authorities(
                actor, {"which": "without_active_users", "page_size": WITHOUT_USERS_SHOWN}
            )
        except Forbidden:  # the directory keeps this list for coordinators it knows
            without_users = None
        states = member_state_names(visit.language)
        view = DashboardView(t, states)
        statistics["scoreboard"].sort(key=lambda row: view.state(row["member_state"]))
        statistics["pending"].sort(key=lambda row: (view.state(row["member_state"]), row["area"]))
        return visit.page(
            "dashboard_page.html", status,
            statistics=statistics, filters=request.args.to_dict(),
            errors={name: t(key) for name, key in errors.items()},
            areas=legislative_areas(), states=states, view=view,
            months=view.months(statistics["by_month"]),
            response_rows=view.response_rows(statistics["response_times"]),
            charts={
                "months": view.month_chart(statistics["by_month"]),
                "response": view.response_chart(statistics["response_times"]),
                "acceptance": view.acceptance_chart(statistics["scoreboard"]),
            },
            without_users=without_users,
            csv_query={name: value for name, value in query.items() if name != "language"},
        )  # fmt: skip

    @page
    def dashboard_csv(self, request: Request, figure: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        if figure not in FIGURES:
            raise NotFound()
        values = read_link(DashboardFilter, request.args.to_dict())
        found = self.requests.request_statistics_csv(
            actor, figure, statistics_query(values, visit.language)
        )
        response = Response(found["content"], content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="request-statistics-{found["figure"]}.csv"'
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # a download too carries the session the visit ends with (tokens refreshed on the way)
        return visit.answer(response)


class DashboardView:
    """The figures as the reader reads them: names, months, numbers and shares in their
    locale, and the charts' geometry."""

    def __init__(self, t, states):
        self.t = t
        self.states = states

    def state(self, code: str) -> str:
        return self.states.get(code, code)

    def percent(self, share: float | None) -> str:
        if share is None:
            return "\u2013"  # an en dash: no figure
        return format_percent(share, locale=self.t.locale)

    def month(self, month: str) -> str:
        year, number = month.split("-")
        return format_skeleton("yMMM", date(int(year), int(number), 1), locale=self.t.locale)

    def months(self, rows: list[dict]) -> list[dict]:
        return [{"label": self.month(row["month"]), "requests": row["requests"]} for row in rows]

    def month_chart(self, rows: list[dict]):
        t = self.t
        return column_chart(
            "chart-months",
            [(self.month(row["month"]), row["requests"]) for row in rows],
            t.number,
            lambda label, value: t(
                "web.dashboard.months.bar", month=label, requests=t.number(value)
            ),
        )

    def response_rows(self, rows: list[dict]) -> list[dict]:
        """The rows of ``response_times`` per member state: the areas' counts added up."""
        per_state: dict[str, dict[str, int]] = {}
        for row in rows:
            counts = per_state.setdefault(
                row["member_state"],
                {"answered": 0, "within_1_week": 0, "within_2_weeks": 0,
                 "within_4_weeks": 0, "over_4_weeks": 0},
            )  # fmt: skip
            for name in counts:
                counts[name] += row[name]
        shown = []
        for code, counts in sorted(per_state.items(), key=lambda item: self.state(item[0])):
            bands = response_bands(counts)
            answered = counts["answered"]
            shown.append({
                "member_state": code, "name": self.state(code), "answered": answered,
                "bands": bands,
                "shares": {key: (count / answered if answered else None)
                           for key, count in bands.items()},
            })  # fmt: skip
        return shown

    def band_names(self) -> dict[str, str]:
        return {
            key: self.t(f"web.dashboard.response.{key}")
            for key in ("within_1_week", "one_to_two_weeks", "two_to_four_weeks", "over_4_weeks")
        }

    def response_chart(self, rows: list[dict]):
        t = self.t
        return stacked_bar_chart(
            "chart-response",
            [(row["name"], row["bands"]) for row in self.response_rows(rows)],
            self.band_names(),
            lambda label, band, count, total: t(
                "web.dashboard.response.piece", state=label, band=band,
                count=t.number(count), answered=t.number(total),
            ),
        )  # fmt: skip

    def acceptance_chart(self, rows: list[dict]):
        t = self.t
        target = rows[0]["accepted_within_7_days_target"] if rows else None
        return share_chart(
            "chart-acceptance",
            [(self.state(row["member_state"]), row["accepted_within_7_days_share"])
             for row in rows],
            target, self.percent,
            lambda label, share: t("web.dashboard.scoreboard.bar", state=label,
                                   share=self.percent(share)),
        )  # fmt: skip
