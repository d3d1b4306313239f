"""/api/v1/translations: bundles of texts, and the language management tool of the
Commission's translators (status, lists, submit, review or reject, XLIFF export and import)."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from gateway.http import api
from gateway.route import API, Route
from services.translation.schemas import (
    BundleQuerySchema,
    BundleSchema,
    EntriesRequestSchema,
    EntriesSchema,
    EntryPageSchema,
    EntryQuerySchema,
    EntryViewSchema,
    ExportQuerySchema,
    ImportResultSchema,
    ImportSchema,
    RejectionSchema,
    ReviewSchema,
    StatusReportSchema,
    SubmissionSchema,
)

_LANGUAGE = f"{API}/translations/{{language}}"
_ENTRY = f"{_LANGUAGE}/entries/{{key}}"
_TAG = "translations"
_CHANGE_ERRORS = (403, 404, 409)
# An XLIFF file travels in a JSON body: a language's whole catalogue fits, far beyond the
# gateway's 64 KiB for other bodies; a larger one is imported a namespace at a time.
IMPORT_MAX_BODY_BYTES = 2 * 1024 * 1024

ROUTES = (
    Route(
        "translation_bundle", "GET", f"{_LANGUAGE}/bundle",
        "Every text of some namespaces in one language, the source standing in (flagged "
        "fallback) where a translation is missing", _TAG,
        query=BundleQuerySchema, response=BundleSchema, authenticated=True,
    ),
    Route(
        "translation_status", "GET", f"{API}/translations/status",
        "Per language: entries to translate, missing, machine, translated, reviewed, outdated",
        _TAG, response=StatusReportSchema, authenticated=True,
    ),
    Route(
        "register_translation_entries", "POST", f"{API}/translations/entries",
        "Add entries or change their source texts (Commission administrators); a changed "
        "source makes every translation outdated", _TAG,
        body=EntriesRequestSchema, response=EntriesSchema, authenticated=True, errors=(403,),
    ),
    Route(
        "list_translation_entries", "GET", f"{_LANGUAGE}/entries",
        "The entries of a language, by state (missing, outdated, machine…) and namespace", _TAG,
        query=EntryQuerySchema, response=EntryPageSchema, authenticated=True,
    ),
    Route(
        "submit_translation", "PUT", _ENTRY,
        "Give an entry's text in a language (Commission translators)", _TAG,
        body=SubmissionSchema, response=EntryViewSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "review_translation", "POST", f"{_ENTRY}/review",
        "Approve another translator's current translation (Commission translators)", _TAG,
        body=ReviewSchema, response=EntryViewSchema, authenticated=True, errors=_CHANGE_ERRORS,
    ),
    Route(
        "reject_translation", "POST", f"{_ENTRY}/reject",
        "Send another translator's current translation back with the reason: it is missing "
        "again, its text kept to start from (Commission translators)", _TAG,
        body=RejectionSchema, response=EntryViewSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "export_translations", "GET", f"{_LANGUAGE}/export",
        "The entries of a language as an XLIFF 2.0 file (Commission translators)", _TAG,
        query=ExportQuerySchema, authenticated=True, errors=(403,),
        content_type="application/xliff+xml",
    ),
    Route(
        "import_translations", "POST", f"{_LANGUAGE}/import",
        "Import an XLIFF 2.0 file, sent as JSON text: every unit, or none when one is refused "
        "(Commission translators)", _TAG,
        body=ImportSchema, response=ImportResultSchema, authenticated=True, errors=(403,),
        max_body_bytes=IMPORT_MAX_BODY_BYTES,
    ),
)  # fmt: skip


class TranslationCatalogueApi:
    """Entry points of GatewayService (which provides ``gate`` and ``translation``)."""

    @api
    def translation_bundle(self, request: Request, language: str) -> dict:
        call = self.gate.admit(request)
        return self.translation.bundle(call.actor, {**call.query, "language": language})

    @api
    def translation_status(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.translation.translation_status(call.actor)

    @api
    def register_translation_entries(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).register_entries(call.actor, call.body)

    @api
    def list_translation_entries(self, request: Request, language: str) -> dict:
        call = self.gate.admit(request)
        return self.translation.list_entries(call.actor, language, call.query)

    @api
    def submit_translation(self, request: Request, language: str, key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).submit_translation(call.actor, language, key, call.body)

    @api
    def review_translation(self, request: Request, language: str, key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).review_translation(call.actor, language, key, call.body)

    @api
    def reject_translation(self, request: Request, language: str, key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).reject_translation(call.actor, language, key, call.body)

    @api
    def export_translations(self, request: Request, language: str) -> Response:
        call = self.gate.admit(request)
        exported = self.translation.export_translations(call.actor, language, call.query)
        response = Response(exported["content"], content_type=exported["content_type"])
        response.headers["Content-Disposition"] = f'attachment; filename="{exported["filename"]}"'
        return response

    @api
    def import_translations(self, request: Request, language: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.translation).import_translations(call.actor, language, call.body)
