"""The dashboard's figures as the reader reads them: names of member states, areas,
professions and questions, months, numbers and shares in the reader's locale, and each chart's
geometry (gateway/web/dashboard_charts.py) with the words a screen reader says for each bar."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_percent

from gateway.web.dashboard_charts import (
    column_chart,
    count_chart,
    measure_chart,
    paired_bar_chart,
    response_bands,
    share_chart,
    stacked_bar_chart,
)


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

    def agreed_chart(self, rows: list[dict]):
        t = self.t
        target = rows[0]["answered_by_agreed_date_target"] if rows else None
        return share_chart(
            "chart-agreed",
            [(self.state(row["member_state"]), row["answered_by_agreed_date_share"])
             for row in rows],
            target, self.percent,
            lambda label, share: t("web.dashboard.figures.agreed_bar", state=label,
                                   share=self.percent(share)),
        )  # fmt: skip

    def average_chart(self, rows: list[dict]):
        t = self.t
        return measure_chart(
            "chart-average",
            [(self.state(row["member_state"]), row["average_days_to_answer"]) for row in rows],
            rows[0]["average_days_to_answer_target"] if rows else 0,
            t.number,
            lambda label, days: t("web.dashboard.figures.average_bar", state=label,
                                  days=t.number(round(days, 1))),
        )  # fmt: skip

    def state_rows(self, rows: list[dict]) -> list[dict]:
        """Rows of a figure per member state, each with the state's name, in its order."""
        return sorted(
            ({**row, "name": self.state(row["member_state"])} for row in rows),
            key=lambda row: row["name"],
        )

    def state_chart(self, rows: list[dict]):
        t = self.t
        names = (t("web.dashboard.figures.sent"), t("web.dashboard.figures.received"))
        return paired_bar_chart(
            "chart-states",
            [(row["name"], row["sent"], row["received"]) for row in self.state_rows(rows)],
            names, t.number,
            lambda label, name, count: t("web.dashboard.figures.state_bar", state=label,
                                         direction=name, requests=t.number(count)),
        )  # fmt: skip

    def area_rows(self, rows: list[dict]) -> list[dict]:
        named = [
            {**row, "name": self.t(f"directory.legislative_area.{row['area']}")} for row in rows
        ]
        return sorted(named, key=lambda row: (-row["requests"], row["name"]))

    def area_chart(self, rows: list[dict]):
        t = self.t
        return count_chart(
            "chart-areas",
            [(row["name"], row["requests"]) for row in self.area_rows(rows)],
            t.number,
            lambda label, count: t("web.dashboard.figures.area_bar", area=label,
                                   requests=t.number(count)),
        )  # fmt: skip

    def question_chart(self, rows: list[dict]):
        """The questions by their rank (their texts are too long for a chart's labels; the
        table beside it gives them in full)."""
        t = self.t
        return share_chart(
            "chart-questions",
            [(t.number(rank), row["share"]) for rank, row in enumerate(rows, start=1)],
            None, self.percent,
            lambda label, share: t("web.dashboard.figures.question_bar", rank=label,
                                   share=self.percent(share)),
        )  # fmt: skip

    def without_users_chart(self, rows: list[dict]):
        t = self.t
        return count_chart(
            "chart-without-users",
            [(row["name"], row["authorities"]) for row in self.state_rows(rows)],
            t.number,
            lambda label, count: t("web.dashboard.figures.without_users_bar", state=label,
                                   authorities=t.number(count)),
        )  # fmt: skip
