"""/api/v1/machine-translation: free text translated by the configured engine (labelled as
machine translation, beside the original), language detection, the jobs of an asynchronous
engine, and the callback on which such an engine posts its translations
(docs/machine-translation.md)."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.translation.schemas import (
    CallbackAnswerSchema,
    CallbackBodySchema,
    CallbackQuerySchema,
    DetectionRequestSchema,
    DetectionSchema,
    MachineTranslationRequestSchema,
    MachineTranslationSchema,
)

_BASE = f"{API}/machine-translation"
_TAG = "machine translation"

ROUTES = (
    Route(
        "machine_translate", "POST", _BASE,
        "Translate free text by machine (the gist only, labelled as such, beside the "
        "original); without a source language it is detected. `personal_data` lists values "
        "the caller knows to be personal data (the subject's names, date of birth, numbers, "
        "address): an external engine never sees them, however the text writes them. An "
        "asynchronous engine answers with a pending job to read later. 503 when no engine is "
        "configured or reachable",
        _TAG, body=MachineTranslationRequestSchema, response=MachineTranslationSchema,
        authenticated=True, errors=(503,),
    ),
    Route(
        "detect_language", "POST", f"{_BASE}/detect",
        "The most likely language of a text, among the supported ones, with a confidence", _TAG,
        body=DetectionRequestSchema, response=DetectionSchema, authenticated=True,
    ),
    Route(
        "machine_translation_job", "GET", f"{_BASE}/jobs/{{job_id}}",
        "A machine translation an asynchronous engine is working on: pending, done (with the "
        "text), failed or expired. Only the user who asked for it sees it", _TAG,
        response=MachineTranslationSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "machine_translation_callback", "POST", f"{_BASE}/callbacks/{{job_id}}",
        "For the asynchronous engine: the translation (or the error) of a job, posted "
        "form-encoded or as JSON to the callback URL it was given, secret token included. "
        "Each job takes one answer", _TAG,
        body=CallbackBodySchema, query=CallbackQuerySchema, response=CallbackAnswerSchema,
        errors=(404, 409), form_body=True,
    ),
)  # fmt: skip


class MachineTranslationApi:
    """Entry points of GatewayService (which provides ``gate`` and ``translation``)."""

    @api
    def machine_translate(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).translate_text(call.actor, call.body)

    @api
    def detect_language(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.translation.detect_language(call.actor, call.body)

    @api
    def machine_translation_job(self, request: Request, job_id: str) -> dict:
        call = self.gate.admit(request)
        return self.translation.machine_translation_job(call.actor, job_id)

    @api
    def machine_translation_callback(self, request: Request, job_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).machine_translation_callback(
            job_id, call.query, call.body
        )
