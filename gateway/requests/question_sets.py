"""/api/v1/question-sets: the question sets requests are built from, read by every user in
their language, and the question set generator of Commission administrators."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.requests.schemas import (
    DraftSchema,
    DraftUpdateSchema,
    PublicationSchema,
    QuestionSetListSchema,
    QuestionSetQuerySchema,
    QuestionSetViewSchema,
    VersionDocumentSchema,
)

_ONE = f"{API}/question-sets/{{set_key}}"
_TAG = "question sets"
_CHANGE_ERRORS = (403, 404, 409)

ROUTES = (
    Route(
        "list_question_sets", "GET", f"{API}/question-sets",
        "Every question set, with its latest published version and its draft, if any", _TAG,
        response=QuestionSetListSchema, authenticated=True,
    ),
    Route(
        "question_set", "GET", _ONE,
        "A published version of a question set (the latest unless number is given), numbered, "
        "in the reader's language (or the one asked for)", _TAG,
        query=QuestionSetQuerySchema, response=QuestionSetViewSchema, authenticated=True,
        errors=(404,),
    ),
    Route(
        "create_question_set_draft", "POST", f"{API}/question-sets",
        "Draft a new question set, or the next version of an existing one (Commission "
        "administrators)", _TAG,
        body=DraftSchema, response=VersionDocumentSchema, statuses=(201,), authenticated=True,
        errors=(403, 409), location=f"{API}/question-sets/{{set_key}}/draft",
    ),
    Route(
        "question_set_draft", "GET", f"{_ONE}/draft",
        "The draft of a question set, every language it holds (Commission administrators)",
        _TAG, response=VersionDocumentSchema, authenticated=True, errors=(403, 404),
    ),
    Route(
        "update_question_set_draft", "PUT", f"{_ONE}/draft",
        "Replace the draft's document; the version read is required (Commission "
        "administrators)", _TAG,
        body=DraftUpdateSchema, response=VersionDocumentSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "publish_question_set", "POST", f"{_ONE}/publication",
        "Publish the draft as the set's next version, immutable from then on (Commission "
        "administrators)", _TAG,
        body=PublicationSchema, response=VersionDocumentSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
)  # fmt: skip


class QuestionSetsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``requests``)."""

    @api
    def list_question_sets(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.requests.list_question_sets(call.actor)

    @api
    def question_set(self, request: Request, set_key: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.question_set(call.actor, set_key, call.query)

    @api
    def create_question_set_draft(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).create_question_set_draft(call.actor, call.body)

    @api
    def question_set_draft(self, request: Request, set_key: str) -> dict:
        call = self.gate.admit(request)
        return self.requests.question_set_draft(call.actor, set_key)

    @api
    def update_question_set_draft(self, request: Request, set_key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).update_question_set_draft(call.actor, set_key, call.body)

    @api
    def publish_question_set(self, request: Request, set_key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.requests).publish_question_set(call.actor, set_key, call.body)
