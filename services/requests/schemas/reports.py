"""The contract of a request's PDF report: which parts the reader asks for, in which language,
and the file the service answers (services/requests/report_content.py says what each part is)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.schemas import StrictSchema, WholeMatch
from services.requests.schemas.question_sets import LANGUAGE

# what a reader may pick; services/requests/report_content.py says what each part holds
PARTS = ("subject", "description", "questions", "answers", "comments", "attachments", "history")
_ONE_PART = "|".join(PARTS)
PART_LIST = WholeMatch(
    rf"^({_ONE_PART})(,({_ONE_PART}))*$",
    error=f"Parts separated by commas, each one of: {', '.join(PARTS)}.",
)


class ReportQuerySchema(StrictSchema):
    language = fields.String(validate=LANGUAGE)
    parts = fields.String(
        validate=[validate.Length(1, 200), PART_LIST],
        metadata={
            "description": "The parts to print, separated by commas (all that the reader may "
            "see by default); without subject, the report has no personal data: "
            "questions,answers,history"
        },
    )


class ReportSchema(Schema):
    name = fields.String(required=True, metadata={"description": "The file's name"})
    media_type = fields.String(required=True)
    content = fields.String(required=True, metadata={"description": "The PDF, in base64"})
