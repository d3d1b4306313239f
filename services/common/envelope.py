"""The CloudEvents 1.0 envelope every published event travels in.

Events are the public integration surface (other EU systems subscribe), so the envelope is the
standard one: ``type`` carries a reverse-DNS name with a version suffix, ``subject`` names the
object the event is about, ``data`` holds the payload described by the owner's schema.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from marshmallow import Schema, fields, validate

SPEC_VERSION = "1.0"
TYPE_PREFIX = "eu.imi"


def event_type_name(service: str, event: str, version: int = 1) -> str:
    """``eu.imi.identity.user_created.v1`` from (identity, user_created, 1)."""
    return f"{TYPE_PREFIX}.{service}.{event}.v{version}"


def split_event_type(name: str) -> tuple[str, str, int] | None:
    """(service, event, version) of an ``eu.imi.<service>.<event>.v<n>`` name, the inverse of
    ``event_type_name``; None for a name of another form."""
    parts = name.split(".")
    if len(parts) != 5 or ".".join(parts[:2]) != TYPE_PREFIX or not parts[4][1:].isdigit():
        return None
    return parts[2], parts[3], int(parts[4][1:])


def event_name(envelope: dict) -> str:
    """The event's name (``user_created``) of an envelope a handler has loaded."""
    return split_event_type(envelope["type"])[1]


def make_envelope(
    service: str,
    event: str,
    subject: str,
    data: dict,
    time: datetime,
    version: int = 1,
    event_id: str | None = None,
) -> dict:
    return {
        "specversion": SPEC_VERSION,
        "id": event_id or str(uuid.uuid4()),
        "source": f"/imi/{service}",
        "type": event_type_name(service, event, version),
        "subject": subject,
        "time": time.isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


class CloudEventSchema(Schema):
    """Validates an incoming envelope before a handler trusts any of it."""

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    subject = fields.String(required=True, validate=validate.Length(max=200))
    time = fields.AwareDateTime(required=True)
    datacontenttype = fields.String(load_default="application/json")
    data = fields.Dict(required=True)
    # extension attribute: the call id of the worker that recorded the event (db.record_event)
    imicallid = fields.String(validate=validate.Length(max=200))
