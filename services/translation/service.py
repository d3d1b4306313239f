"""The translation service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

from nameko.timer import timer

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.translation import bundles, catalogue, exchange
from services.translation.bootstrap import (
    load_shipped,
    notification_type_entries,
    question_set_entries,
    shared_list_entries,
)
from services.translation.machine import operations as machine
from services.translation.models import Base
from services.translation.schemas import (
    BundleRequestSchema,
    BundleSchema,
    CallbackAnswerSchema,
    CallbackQuerySchema,
    DetectionRequestSchema,
    DetectionSchema,
    EntriesRequestSchema,
    EntriesSchema,
    EntryPageSchema,
    EntryQuerySchema,
    EntryViewSchema,
    ExportQuerySchema,
    ExportSchema,
    ImportResultSchema,
    ImportSchema,
    MachineTranslationRequestSchema,
    MachineTranslationSchema,
    RejectionSchema,
    ReviewSchema,
    StatusReportSchema,
    SubmissionSchema,
    TextQuerySchema,
    TextSchema,
)


class TranslationService(observability.ObservableService):
    name = "translation"

    clock = Clock()
    db = Database(Base)
    engines = machine.MachineTranslator()

    # --- reading: any authenticated actor, and other services with theirs ---------------------

    @rpc
    def text(self, actor: dict, query: dict) -> dict:
        load_actor(actor)
        request = load(TextQuerySchema, query)
        found = catalogue.read_text(self.db.session, request["key"], request["language"])
        return dump(TextSchema, found)

    @rpc
    def bundle(self, actor: dict, query: dict) -> dict:
        load_actor(actor)
        request = load(BundleRequestSchema, query)
        found = bundles.bundle(
            self.db.session, request["language"], request["namespaces"], request["since_revision"]
        )
        return dump(BundleSchema, found)

    @rpc(callers=("notifications", "gateway"))
    def service_texts(self, query: dict) -> dict:
        """A bundle for the services that show texts with no user behind the call: the email
        templates (notifications), the web pages' own texts (the gateway, before any login)."""
        request = load(BundleRequestSchema, query)
        found = bundles.bundle(
            self.db.session, request["language"], request["namespaces"], request["since_revision"]
        )
        return dump(BundleSchema, found)

    # --- source entries: the Commission administrator -----------------------------------------

    @rpc
    @transactional
    def register_entries(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        request = load(EntriesRequestSchema, data)
        entries = catalogue.register_entries(self.db, who, request["entries"])
        return dump(EntriesSchema, {"entries": entries})

    # --- the language management tool: Commission translators -------------------------------

    @rpc
    def translation_status(self, actor: dict) -> dict:
        load_actor(actor)
        session = self.db.session
        report = {
            "revision": catalogue.current_revision(session),
            "languages": catalogue.status_counts(session),
        }
        return dump(StatusReportSchema, report)

    @rpc
    def list_entries(self, actor: dict, language: str, query: dict) -> dict:
        load_actor(actor)
        request = load(EntryQuerySchema, query)
        items, total = catalogue.list_entries(self.db.session, language, request)
        return dump(
            EntryPageSchema,
            {"items": items, "page": request["page"], "page_size": request["page_size"],
             "total": total},
        )  # fmt: skip

    @rpc
    @transactional
    def submit_translation(self, actor: dict, language: str, key: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(SubmissionSchema, data)
        return dump(EntryViewSchema, catalogue.submit(self.db, who, key, language, request))

    @rpc
    @transactional
    def review_translation(self, actor: dict, language: str, key: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(ReviewSchema, data)
        return dump(EntryViewSchema, catalogue.review(self.db, who, key, language, request))

    @rpc
    @transactional
    def reject_translation(self, actor: dict, language: str, key: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(RejectionSchema, data)
        return dump(EntryViewSchema, catalogue.reject(self.db, who, key, language, request))

    @rpc
    def export_translations(self, actor: dict, language: str, query: dict) -> dict:
        who = load_actor(actor)
        request = load(ExportQuerySchema, query)
        return dump(ExportSchema, exchange.export_xliff(self.db, who, language, request))

    @rpc
    @transactional
    def import_translations(self, actor: dict, language: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(ImportSchema, data)
        result = exchange.import_xliff(self.db, who, language, request["content"])
        return dump(ImportResultSchema, result)

    # --- machine translation (docs/machine-translation.md) -----------------------------------

    @rpc
    @transactional
    def translate_text(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        request = load(MachineTranslationRequestSchema, data)
        result = machine.translate_text(self.db, self.engines, who, request)
        return dump(MachineTranslationSchema, result)

    @rpc
    def detect_language(self, actor: dict, data: dict) -> dict:
        load_actor(actor)
        request = load(DetectionRequestSchema, data)
        return dump(DetectionSchema, machine.detect_language(request["text"]))

    @rpc
    def machine_translation_job(self, actor: dict, job_id: str) -> dict:
        who = load_actor(actor)
        return dump(MachineTranslationSchema, machine.get_job(self.db, who, job_id))

    @rpc
    @transactional
    def machine_translation_callback(self, job_id: str, query: dict, data: dict) -> dict:
        """The engine's answer, as the gateway received it on the job's callback URL."""
        token = load(CallbackQuerySchema, query)["token"]
        return dump(CallbackAnswerSchema, machine.receive_callback(self.db, job_id, token, data))

    @timer(interval=60)
    @transactional
    def expire_machine_translation_jobs(self) -> None:
        machine.expire_jobs(self.db, self.engines)

    @event_handler("directory", "authority_registered")
    @event_handler("directory", "authority_updated")
    @handles_event_once
    def on_authority_titles(self, envelope: dict) -> None:
        machine.fill_titles(self.db, self.engines, envelope)

    @event_handler("requests", "question_set_published")
    @handles_event_once
    def on_question_set_published(self, envelope: dict) -> None:
        """A published question set's texts join the catalogue; a translator's own work on
        them stays."""
        load_shipped(self.db, question_set_entries(envelope["data"]))

    @event_handler("requests", "list_published")
    @handles_event_once
    def on_list_published(self, envelope: dict) -> None:
        """A shared list of the requests service joins the catalogue, as a question set does."""
        load_shipped(self.db, shared_list_entries(envelope["data"]))

    @event_handler("notifications", "notification_type_texts_published")
    @handles_event_once
    def on_notification_type_texts_published(self, envelope: dict) -> None:
        """A generic notification type's texts join the catalogue in English, to be
        translated; a text the type changed keeps its translations, flagged outdated."""
        load_shipped(self.db, notification_type_entries(envelope["data"]))
