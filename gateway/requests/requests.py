"""/api/v1/requests: information requests between authorities, from a draft built on a
question set to the accepted reply (services/requests/exchange.py), and the lists and search
of a user's requests; /api/v1/request-area-settings: the Commission's settings per area."""

from __future__ import annotations

import base64
from types import MappingProxyType
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from gateway.http import Minimal, api
from gateway.inputs import prefers_minimal
from gateway.route import API, Route
from services.requests.attachment_schemas import (
    AttachmentListSchema,
    AttachmentSchema,
    AttachmentUploadWithContentSchema,
)
from services.requests.schemas import (
    ActionOutcomeSchema,
    ActionSchema,
    AreaSettingsInputSchema,
    AreaSettingsListSchema,
    AreaSettingsSchema,
    CommentInputSchema,
    CommentSchema,
    CopySchema,
    DraftEditSchema,
    EditorsSchema,
    ListQuerySchema,
    NewRequestSchema,
    ReplyDraftSchema,
    RequestListSchema,
    RequestQuerySchema,
    RequestReferenceSchema,
    RequestViewSchema,
    TextTranslationRequestSchema,
    TextTranslationSchema,
    area_field,
)

_ONE = f"{API}/requests/{{request_id}}"
_TAG = "requests"
_CHANGE = (403, 404, 409)
# A file of ATTACHMENTS.MAX_BYTES (10 MiB by default) in base64, with its JSON around it.
UPLOAD_BODY_BYTES = 15 * 1024 * 1024


def content_disposition(name: str) -> str:
    """A download under the file's own name, in any script (RFC 6266 with RFC 8187)."""
    plain = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


ROUTES = (
    Route(
        "list_requests", "GET", f"{API}/requests",
        "My authority's requests: all, incoming, outgoing, those it coordinates, or the action "
        "list (what waits for me now), with filters and the search by subject, a page at a "
        "time (next_cursor)", _TAG,
        query=ListQuerySchema, response=RequestListSchema, authenticated=True,
    ),
    Route(
        "create_request", "POST", f"{API}/requests",
        "Create a draft request from a published question set version (request handlers)",
        _TAG, body=NewRequestSchema, response=RequestViewSchema, statuses=(201,),
        authenticated=True, errors=(403, 404, 409), location=f"{API}/requests/{{id}}",
        prefer_minimal=True, minimal_response=RequestReferenceSchema,
    ),
    Route(
        "read_request", "GET", _ONE,
        "A request in the reader's view and language: the monitoring fields for every party, "
        "the questions and answers for those with the full view, the subject's personal data "
        "only for those who may see it", _TAG,
        query=RequestQuerySchema, response=RequestViewSchema, authenticated=True,
        errors=(404,),
    ),
    Route(
        "edit_request_draft", "PUT", f"{_ONE}/draft",
        "Change a draft's questions, responder, subject or description, at the version read",
        _TAG, body=DraftEditSchema, response=RequestViewSchema, authenticated=True,
        errors=_CHANGE,
        prefer_minimal=True, minimal_response=RequestReferenceSchema,
    ),
    Route(
        "copy_request", "POST", f"{_ONE}/copies",
        "A new draft from chosen elements of this request (questions, responder, subject, "
        "description)", _TAG,
        body=CopySchema, response=RequestViewSchema, statuses=(201,), authenticated=True,
        errors=_CHANGE, location=f"{API}/requests/{{id}}",
        prefer_minimal=True, minimal_response=RequestReferenceSchema,
    ),
    Route(
        "act_on_request", "POST", f"{_ONE}/actions/{{action}}",
        "Take an action of the request's workflow (send, accept, forward, split, replies, "
        "additional information, close, refer, withdraw, reply date, allocate, feedback: "
        "docs/requests-workflow.md) at the version read", _TAG,
        body=ActionSchema, response=ActionOutcomeSchema, authenticated=True, errors=_CHANGE,
        prefer_minimal=True,
    ),
    Route(
        "save_reply_draft", "PUT", f"{_ONE}/reply-draft",
        "Save answers in the reply draft (responding handlers), at the version read", _TAG,
        body=ReplyDraftSchema, response=RequestViewSchema, authenticated=True, errors=_CHANGE,
        prefer_minimal=True, minimal_response=RequestReferenceSchema,
    ),
    Route(
        "add_comment", "POST", f"{_ONE}/comments",
        "Comment on the request or one of its numbered questions (request handlers of the two "
        "authorities)", _TAG,
        body=CommentInputSchema, response=CommentSchema, statuses=(201,), authenticated=True,
        errors=(403, 404),
    ),
    Route(
        "translate_request_text", "POST", f"{_ONE}/translations",
        "A machine translation of one of the request's free texts (description, answer:<id>, "
        "comment:<id>, history:<id>) beside the original, the subject's personal data masked "
        "before any external engine", _TAG,
        body=TextTranslationRequestSchema, response=TextTranslationSchema, authenticated=True,
        errors=(404, 503),
    ),
    Route(
        "add_attachment", "POST", f"{_ONE}/attachments",
        "Attach one file (its bytes in base64, its name, language and type), checked on its "
        "content (request handlers of the two authorities, until closure)", _TAG,
        body=AttachmentUploadWithContentSchema, response=AttachmentSchema, statuses=(201,),
        authenticated=True, errors=(403, 404, 503), max_body_bytes=UPLOAD_BODY_BYTES,
    ),
    Route(
        "list_attachments", "GET", f"{_ONE}/attachments",
        "The request's attachments, for readers whose view shows its content", _TAG,
        response=AttachmentListSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "attachment_content", "GET", f"{_ONE}/attachments/{{attachment_id}}",
        "The attached file itself, its checksum verified", _TAG,
        authenticated=True, errors=(404, 503), content_type="application/octet-stream",
    ),
    Route(
        "start_editing", "PUT", f"{_ONE}/editing",
        "Say I am working on the request now (repeat while it stays open); answers who else "
        "is, since when", _TAG,
        response=EditorsSchema, authenticated=True, errors=(403, 404),
    ),
    Route(
        "stop_editing", "DELETE", f"{_ONE}/editing", "Say I stopped working on the request",
        _TAG, statuses=(204,), authenticated=True, errors=(404,),
    ),
    Route(
        "list_area_settings", "GET", f"{API}/request-area-settings",
        "The requests settings of each legislative area that has any", _TAG,
        response=AreaSettingsListSchema, authenticated=True,
    ),
    Route(
        "change_area_settings", "PUT", f"{API}/request-area-settings/{{area}}",
        "Set a legislative area's requests settings (Commission administrators); the version "
        "read is required once the area has settings", _TAG,
        body=AreaSettingsInputSchema, response=AreaSettingsSchema, authenticated=True,
        errors=(403, 409), path_fields=MappingProxyType({"area": area_field()}),
    ),
)  # fmt: skip


def _as_preferred(request: Request, change):
    """``change(view)``, asked for no view of the request when the client sent ``Prefer:
    return=minimal``: a client that reads the request when it shows it spares the service a
    second rendering of it."""
    if prefers_minimal(request):
        return Minimal(change(False))
    return change(True)


class RequestsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``requests``)."""

    @api
    def list_requests(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.requests.list_requests(call.actor, call.query)

    @api
    def create_request(self, request: Request):
        call = self.gate.admit(request)
        create = call.rpc(self.requests).create_request
        return _as_preferred(request, lambda view: create(call.actor, call.body, view=view))

    @api
    def read_request(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.request(call.actor, request_id, call.query)

    @api
    def edit_request_draft(self, request: Request, request_id: str):
        call = self.gate.admit(request)
        edit = call.rpc(self.requests).edit_request_draft
        return _as_preferred(
            request, lambda view: edit(call.actor, request_id, call.body, view=view)
        )

    @api
    def copy_request(self, request: Request, request_id: str):
        call = self.gate.admit(request)
        copy = call.rpc(self.requests).copy_request
        return _as_preferred(
            request, lambda view: copy(call.actor, request_id, call.body, view=view)
        )

    @api
    def act_on_request(self, request: Request, request_id: str, action: str):
        call = self.gate.admit(request)
        act = call.rpc(self.requests).act_on_request
        return _as_preferred(
            request, lambda view: act(call.actor, request_id, action, call.body, view=view)
        )

    @api
    def save_reply_draft(self, request: Request, request_id: str):
        call = self.gate.admit(request)
        save = call.rpc(self.requests).save_reply_draft
        return _as_preferred(
            request, lambda view: save(call.actor, request_id, call.body, view=view)
        )

    @api
    def add_comment(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).add_comment(call.actor, request_id, call.body)

    @api
    def translate_request_text(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.translate_request_text(call.actor, request_id, call.body)

    @api
    def add_attachment(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).add_attachment(call.actor, request_id, call.body)

    @api
    def list_attachments(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.list_attachments(call.actor, request_id)

    @api
    def attachment_content(self, request: Request, request_id: str, attachment_id: str):
        call = self.gate.admit(request)
        found = self.requests.attachment_content(call.actor, request_id, attachment_id)
        response = Response(base64.b64decode(found["content"]), content_type=found["media_type"])
        response.headers["Content-Disposition"] = content_disposition(found["name"])
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @api
    def start_editing(self, request: Request, request_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).start_editing(call.actor, request_id)

    @api
    def stop_editing(self, request: Request, request_id: str) -> None:
        call = self.gate.admit(request)
        call.rpc(self.requests).stop_editing(call.actor, request_id)

    @api
    def list_area_settings(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.requests.list_area_settings(call.actor)

    @api
    def change_area_settings(self, request: Request, area: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).change_area_settings(call.actor, area, call.body)
