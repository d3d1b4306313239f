"""The contract of the statistics of requests (docs/requests-statistics.md): what a reader
asks for (period, area, figures) and the figures it gets, each a list of flat rows, so that a
figure's CSV has the columns of its JSON rows, in the same order (``CSV_COLUMNS``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema, WholeMatch
from services.requests.schemas.question_sets import KEY, LANGUAGE
from services.requests.statistics import FIGURES

_ONE_FIGURE = "|".join(FIGURES)
FIGURE_LIST = WholeMatch(
    rf"^({_ONE_FIGURE})(,({_ONE_FIGURE}))*$",
    error=f"Figures separated by commas, each one of: {', '.join(FIGURES)}.",
)


class StatisticsCsvQuerySchema(StrictSchema):
    """What one figure counts: requests sent in a period (days in UTC, both included), of an
    area."""

    sent_from = fields.Date(
        metadata={"description": "Count requests sent on or after this day (UTC)"}
    )
    sent_to = fields.Date(metadata={"description": "Count requests sent on or before this day"})
    area = fields.String(
        validate=[validate.Length(1, 64), KEY], metadata={"description": "A legislative area"}
    )
    questions_limit = fields.Integer(
        load_default=20,
        validate=validate.Range(1, 200),
        metadata={"description": "How many of the most asked questions"},
    )
    language = fields.String(
        validate=LANGUAGE, metadata={"description": "Of the names and questions' texts"}
    )


class StatisticsQuerySchema(StatisticsCsvQuerySchema):
    figures = fields.String(
        validate=[validate.Length(1, 200), FIGURE_LIST],
        metadata={"description": "The figures to compute, separated by commas (all if none)"},
    )


class StatisticsFigureSchema(StrictSchema):
    figure = fields.String(required=True, validate=validate.OneOf(FIGURES))


# --- answers ----------------------------------------------------------------------------------


def _share(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": f"{description}; 0 to 1"})


class AreaRowSchema(Schema):
    area = fields.String(required=True)
    requests = fields.Integer(required=True)


class MemberStateRowSchema(Schema):
    member_state = fields.String(required=True)
    sent = fields.Integer(required=True, metadata={"description": "As the requesting state"})
    received = fields.Integer(
        required=True, metadata={"description": "As the (current) responding state"}
    )


class MonthRowSchema(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM (UTC) of sending"})
    requests = fields.Integer(required=True)


class ProfessionRowSchema(Schema):
    profession = fields.String(required=True, metadata={"description": "A code of profession"})
    name = fields.String(allow_none=True)
    profession_sector = fields.String(
        allow_none=True, metadata={"description": "Its code of profession_sector"}
    )
    requests = fields.Integer(required=True)


class SectorRowSchema(Schema):
    sector = fields.String(required=True, metadata={"description": "A code of economic_activity"})
    name = fields.String(allow_none=True)
    section = fields.String(required=True, metadata={"description": "Its NACE section"})
    requests = fields.Integer(required=True)


class QuestionRowSchema(Schema):
    set_key = fields.String(required=True)
    question = fields.String(required=True, metadata={"description": "The question's key"})
    text = fields.String(allow_none=True)
    text_fallback = fields.Boolean(required=True)
    requests = fields.Integer(required=True, metadata={"description": "Requests asking it"})
    set_requests = fields.Integer(
        required=True, metadata={"description": "Requests built on its question set"}
    )
    share = _share("requests / set_requests")


class ResponseTimeRowSchema(Schema):
    member_state = fields.String(required=True, metadata={"description": "Responding state"})
    area = fields.String(required=True)
    answered = fields.Integer(required=True, metadata={"description": "With a full reply"})
    within_1_week = fields.Integer(required=True)
    within_1_week_share = _share("within_1_week / answered")
    within_2_weeks = fields.Integer(
        required=True, metadata={"description": "Within 2 weeks, the faster ones included"}
    )
    within_2_weeks_share = _share("within_2_weeks / answered")
    within_4_weeks = fields.Integer(
        required=True, metadata={"description": "Within 4 weeks, the faster ones included"}
    )
    within_4_weeks_share = _share("within_4_weeks / answered")
    over_4_weeks = fields.Integer(required=True)
    over_4_weeks_share = _share("over_4_weeks / answered")


class PendingRowSchema(Schema):
    member_state = fields.String(required=True, metadata={"description": "Responding state"})
    area = fields.String(required=True)
    requests = fields.Integer(required=True)
    oldest_sent_at = fields.AwareDateTime(required=True)


class ScoreboardRowSchema(Schema):
    member_state = fields.String(required=True, metadata={"description": "Responding state"})
    received = fields.Integer(required=True)
    acceptance_counted = fields.Integer(
        required=True, metadata={"description": "Requests whose first 7 days are over"}
    )
    accepted_within_7_days = fields.Integer(required=True)
    accepted_within_7_days_share = _share("accepted_within_7_days / acceptance_counted")
    accepted_within_7_days_target = fields.Float(required=True)
    accepted_within_7_days_met = fields.Boolean(allow_none=True)
    answered = fields.Integer(required=True)
    average_days_to_answer = fields.Float(
        allow_none=True, metadata={"description": "From sending to the first full reply"}
    )
    average_days_to_answer_target = fields.Float(required=True)
    average_days_to_answer_met = fields.Boolean(allow_none=True)
    agreed_date_counted = fields.Integer(
        required=True,
        metadata={"description": "With an agreed reply date, answered or past that date"},
    )
    answered_by_agreed_date = fields.Integer(required=True)
    answered_by_agreed_date_share = _share("answered_by_agreed_date / agreed_date_counted")
    answered_by_agreed_date_target = fields.Float(required=True)
    answered_by_agreed_date_met = fields.Boolean(allow_none=True)


ROWS: dict[str, type[Schema]] = {
    "by_area": AreaRowSchema,
    "by_member_state": MemberStateRowSchema,
    "by_month": MonthRowSchema,
    "by_profession": ProfessionRowSchema,
    "by_sector": SectorRowSchema,
    "questions": QuestionRowSchema,
    "response_times": ResponseTimeRowSchema,
    "pending": PendingRowSchema,
    "scoreboard": ScoreboardRowSchema,
}
CSV_COLUMNS = {figure: list(schema().fields) for figure, schema in ROWS.items()}


class StatisticsScopeSchema(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["commission", "member_state", "coordinator"])
    )
    member_state = fields.String(allow_none=True)
    coordinator_id = fields.String(allow_none=True)


class StatisticsSchema(Schema):
    """The figures asked for, each counted in the reader's scope (``scope``) over requests
    sent in the period and area asked for; a figure not asked for is left out."""

    scope = fields.Nested(StatisticsScopeSchema, required=True)
    sent_from = fields.Date(allow_none=True)
    sent_to = fields.Date(allow_none=True)
    area = fields.String(allow_none=True)
    language = fields.String(required=True)
    computed_at = fields.AwareDateTime(required=True)
    pilot_areas = fields.List(
        fields.String(), required=True, metadata={"description": "Left out of pending"}
    )
    by_area = fields.List(fields.Nested(AreaRowSchema))
    by_member_state = fields.List(fields.Nested(MemberStateRowSchema))
    by_month = fields.List(fields.Nested(MonthRowSchema))
    by_profession = fields.List(fields.Nested(ProfessionRowSchema))
    by_sector = fields.List(fields.Nested(SectorRowSchema))
    questions = fields.List(fields.Nested(QuestionRowSchema))
    response_times = fields.List(fields.Nested(ResponseTimeRowSchema))
    pending = fields.List(fields.Nested(PendingRowSchema))
    scoreboard = fields.List(fields.Nested(ScoreboardRowSchema))


class StatisticsCsvSchema(Schema):
    figure = fields.String(required=True)
    content = fields.String(required=True, metadata={"description": "text/csv, UTF-8"})
