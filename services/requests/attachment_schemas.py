"""The contract of a request's attachments: what an upload declares and what readers see.

The schemas check the shape (types, lengths, the language); the rules of the content (size,
type detected from the bytes, name, extension) are ``attachment_content.check_attachment``'s,
with their ``attachment.*`` codes (docs/requests.md, "Attachments").
"""

from __future__ import annotations

import base64
import binascii

from marshmallow import Schema, fields, validate

from services.common.reference import SUPPORTED_LANGUAGES
from services.common.schemas import StrictSchema, WholeMatch
from services.requests.attachment_content import ALLOWED_TYPES, NAME_MAX_LENGTH
from services.requests.workflow_state import Side

MEDIA_TYPE_MAX_LENGTH = 255
# Base64 text longer than this many bytes' worth is refused before it is decoded; the
# configured limit (ATTACHMENTS.MAX_BYTES, checked on the bytes) is normally far below.
UPLOAD_CEILING_BYTES = 100 * 1024 * 1024
SHA256_HEX = WholeMatch(r"^[0-9a-f]{64}$", error="A SHA-256 in 64 lower-case hex digits.")


class AttachmentUploadSchema(StrictSchema):
    """What an uploader says of a file: its name, the language it is written in, and its type
    as the client declares it (checked against the type read from the bytes)."""

    name = fields.String(
        required=True,
        validate=validate.Length(1, NAME_MAX_LENGTH),
        metadata={"description": "The file name, with the extension of its type"},
    )
    language = fields.String(
        required=True,
        validate=validate.OneOf(SUPPORTED_LANGUAGES, error="attachment.language_unsupported"),
        metadata={"description": "The language the document is written in"},
    )
    media_type = fields.String(
        required=True,
        validate=validate.Length(1, MEDIA_TYPE_MAX_LENGTH),
        metadata={
            "description": "The file's media type as declared; it must be the one its content "
            "has, one of: " + ", ".join(sorted(ALLOWED_TYPES)),
        },
    )


class Base64Bytes(fields.String):
    """Bytes carried as standard base64 text (RPC messages are JSON); ``max_bytes`` bounds the
    text before it is decoded."""

    def __init__(self, max_bytes: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else base64.b64encode(value).decode("ascii")

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if self.max_bytes is not None and len(value) > 4 * (self.max_bytes // 3 + 1):
            raise self.make_error("too_large")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise self.make_error("invalid") from None

    default_error_messages = {
        "invalid": "Base64 text was expected.",
        "too_large": "The content is larger than an attachment may be.",
    }


class AttachmentUploadWithContentSchema(AttachmentUploadSchema):
    """An upload as one RPC message: the metadata and the bytes, in base64. The size limit is
    ``ContentLimits.max_bytes``, checked on the decoded bytes."""

    content = Base64Bytes(
        required=True, max_bytes=UPLOAD_CEILING_BYTES, metadata={"format": "byte"}
    )


class AttachmentSchema(Schema):
    """An attachment as its readers see it (the file itself is read apart)."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    language = fields.String(required=True)
    media_type = fields.String(
        required=True, metadata={"description": "The type read from the content"}
    )
    size = fields.Integer(required=True, metadata={"description": "In bytes"})
    sha256 = fields.String(
        required=True,
        validate=SHA256_HEX,
        metadata={"description": "SHA-256 of the content, in hex; checked on every read"},
    )
    uploaded_at = fields.AwareDateTime(required=True)
    uploaded_by = fields.String(
        allow_none=True, metadata={"description": "The user id of the uploader"}
    )
    side = fields.String(
        required=True,
        validate=validate.OneOf([side.value for side in Side]),
        metadata={"description": "Which party added it: requester or responder"},
    )


class AttachmentListSchema(Schema):
    items = fields.List(fields.Nested(AttachmentSchema), required=True)
