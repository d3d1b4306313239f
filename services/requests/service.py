"""The requests service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.errors import Unavailable
from services.common.rpc import RpcClient
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.requests import directory_view, generator, question_sets
from services.requests.models import Base, QuestionSetVersion
from services.requests.schemas import (
    DraftSchema,
    DraftUpdateSchema,
    PublicationSchema,
    QuestionSetDocumentSchema,
    QuestionSetListSchema,
    QuestionSetQuerySchema,
    QuestionSetViewSchema,
    VersionDocumentSchema,
)


def version_document(version: QuestionSetVersion) -> dict:
    return dump(
        VersionDocumentSchema,
        {"set_key": version.set_key, "number": version.number, "status": version.status,
         "version": version.version, "document": version.document,
         "updated_at": version.updated_at, "updated_by": version.updated_by,
         "published_at": version.published_at},
    )  # fmt: skip


class RequestsService(observability.ObservableService):
    name = "requests"

    clock = Clock()
    db = Database(Base)
    translation = RpcClient("translation")

    # --- question sets: read by every user, written by Commission administrators --------------

    @rpc
    def list_question_sets(self, actor: dict) -> dict:
        load_actor(actor)
        return dump(QuestionSetListSchema, {"items": generator.summaries(self.db.session)})

    @rpc
    def question_set(self, actor: dict, set_key: str, query: dict) -> dict:
        """A published version (the latest unless ``number``) in the reader's language."""
        who = load_actor(actor)
        request = load(QuestionSetQuerySchema, query)
        version = generator.published(self.db.session, set_key, request.get("number"))
        language = request.get("language", who.language)
        view = question_sets.localised(
            version.document, version.number, language, self._catalogue(actor, set_key, language)
        )
        return dump(QuestionSetViewSchema, view)

    @rpc
    def question_set_draft(self, actor: dict, set_key: str) -> dict:
        generator.require_administrator(load_actor(actor))
        return version_document(generator.draft(self.db.session, set_key))

    @rpc
    @transactional
    def create_question_set_draft(self, actor: dict, data: dict) -> dict:
        request = load(DraftSchema, data)
        version = generator.create_draft(self.db, load_actor(actor), _plain(request["document"]))
        return version_document(version)

    @rpc
    @transactional
    def update_question_set_draft(self, actor: dict, set_key: str, data: dict) -> dict:
        request = load(DraftUpdateSchema, data)
        version = generator.update_draft(
            self.db, load_actor(actor), set_key, _plain(request["document"]), request["version"]
        )
        return version_document(version)

    @rpc
    @transactional
    def publish_question_set(self, actor: dict, set_key: str, data: dict) -> dict:
        request = load(PublicationSchema, data)
        version = generator.publish(self.db, load_actor(actor), set_key, request["version"])
        return version_document(version)

    # --- the directory's authorities (read model) -------------------------------------------

    @event_handler("directory", "authority_registered")
    @event_handler("directory", "authority_updated")
    @event_handler("directory", "authority_validated")
    @event_handler("directory", "authority_activated")
    @handles_event_once
    def on_authority_changed(self, envelope: dict) -> None:
        directory_view.remember_authority(self.db, envelope["data"], envelope["time"])

    @event_handler("directory", "coordinator_linked")
    @handles_event_once
    def on_coordinator_linked(self, envelope: dict) -> None:
        directory_view.remember_link(self.db, envelope["data"], envelope["time"])

    def _catalogue(self, actor: dict, set_key: str, language: str) -> dict[str, dict]:
        """The set's texts in ``language`` from the catalogue; none while translation is
        unreachable (the view then shows the texts the version ships, marked as fallbacks)."""
        query = {"language": language, "namespaces": [question_sets.namespace(set_key)]}
        try:
            return self.translation.bundle(actor, query)["texts"]
        except Unavailable:
            return {}


def _plain(document: dict) -> dict:
    """The loaded document as JSON stores it: enums as their values."""
    return dump(QuestionSetDocumentSchema, document)
