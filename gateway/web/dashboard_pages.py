"""The dashboard of the statistics of requests, for IMI coordinators and the Commission.

The figures are the requests service's (``request_statistics``, docs/requests-statistics.md),
asked for with the reader's own actor: the service decides the scope (the Commission every
request, a national coordinator its member state's, another coordinator its authorities') and
refuses anyone else, which is a 403 page here. The authorities without active users are the
directory's list (``list_authorities``, ``which=without_active_users``), shown when the
directory serves it to the reader.

Every figure of the service is shown, most with a chart beside its table; the longer lists
(questions, professions, sectors) show their first rows and download in full. Filters are a
GET form (period, legislative area); each figure downloads as CSV through a page of its own,
since the API's CSV routes take a bearer token and the pages have a session.
"""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.dashboard_view import DashboardView
from gateway.web.forms import FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names, shipped_texts
from services.common.errors import Forbidden
from services.requests.statistics import FIGURES

PAGES = (
    PageRoute("dashboard_page", "GET", "/dashboard"),
    PageRoute("dashboard_csv", "GET", "/dashboard/<figure>.csv"),
)

# the rows of the longer lists shown on the page; their CSV has them all
LIST_SHOWN = 15
QUESTIONS_IN_CSV = 200  # the most the service counts
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
        statistics = self.requests.request_statistics(
            actor, {**query, "questions_limit": LIST_SHOWN}
        )
        try:
            without_users = self.directory.list_authorities(
                actor, {"which": "without_active_users", "page_size": WITHOUT_USERS_SHOWN}
            )
        except Forbidden:  # the directory keeps this list for coordinators it knows
            without_users = None
        without_per_state = without_users["per_member_state"] if without_users else []
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
                "agreed": view.agreed_chart(statistics["scoreboard"]),
                "average": view.average_chart(statistics["scoreboard"]),
                "states": view.state_chart(statistics["by_member_state"]),
                "areas": view.area_chart(statistics["by_area"]),
                "questions": view.question_chart(statistics["questions"]),
            },
            state_rows=view.state_rows(statistics["by_member_state"]),
            area_rows=view.area_rows(statistics["by_area"]),
            list_shown=LIST_SHOWN,
            without_users=without_users,
            without_users_chart=view.without_users_chart(without_per_state),
            without_users_rows=view.state_rows(without_per_state),
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
            actor,
            figure,
            {**statistics_query(values, visit.language), "questions_limit": QUESTIONS_IN_CSV},
        )
        response = Response(found["content"], content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="request-statistics-{found["figure"]}.csv"'
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # a download too carries the session the visit ends with (tokens refreshed on the way)
        return visit.answer(response)
