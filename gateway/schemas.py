"""The shapes the gateway itself answers with; everything else is a service's own schema."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProblemSchema(Schema):
    """An error, as RFC 9457 describes it, plus the catalogue key a client translates."""

    type = fields.String(required=True, metadata={"example": "urn:imi:problem:error.validation"})
    title = fields.String(required=True, metadata={"description": "The HTTP reason phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "English, for developers"})
    code = fields.String(
        required=True, metadata={"description": "Catalogue key of the message to show"}
    )
    errors = fields.Dict(
        metadata={"description": "Field errors (status 400 only): field -> catalogue keys"}
    )
    params = fields.Dict(metadata={"description": "Values to fill into the catalogue message"})
    instance = fields.String(required=True, metadata={"description": "The request path"})
    call_id = fields.String(
        required=True, allow_none=True, metadata={"description": "Quote it to the helpdesk"}
    )


class MemberStateSchema(Schema):
    code = fields.String(required=True, metadata={"example": "EL"})
    iso_code = fields.String(required=True, metadata={"example": "GR"})
    eu_member = fields.Boolean(required=True)
    names = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "The name in each supported language"},
    )  # fmt: skip
    untranslated = fields.List(fields.String(), required=True)


class LanguageSchema(Schema):
    code = fields.String(required=True, metadata={"example": "mt"})
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    untranslated = fields.List(fields.String(), required=True)


class ServiceHealthSchema(Schema):
    service = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "ok, degraded, unavailable or error"}
    )
    detail = fields.String()
    database = fields.String()
    outbox_backlog = fields.Integer()


class HealthReportSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok or degraded"})
    broker = fields.String(required=True, metadata={"description": "ok or down"})
    services = fields.Dict(
        keys=fields.String(), values=fields.Nested(ServiceHealthSchema), required=True
    )
