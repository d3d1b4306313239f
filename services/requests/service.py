"""The requests service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

import base64

from eventlet import tpool
from nameko.events import BROADCAST
from nameko.events import event_handler as nameko_event_handler
from nameko.timer import timer

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.errors import NotFound, Unavailable, ValidationFailed
from services.common.plain_dump import plain_dumper
from services.common.rpc import RpcClient
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.requests import (
    area_settings,
    audit,
    blocking,
    directory_view,
    exchange,
    free_texts,
    generator,
    inactivity,
    listing,
    protection,
    question_sets,
    report,
    report_content,
    request_attachments,
    request_views,
    retention,
    statistics,
    subject_report,
    urgency,
)
from services.requests.attachment_schemas import (
    AttachmentListSchema,
    AttachmentSchema,
    AttachmentUploadWithContentSchema,
)
from services.requests.audit import Operation
from services.requests.catalogue_texts import CatalogueTexts
from services.requests.file_store import AttachmentStore
from services.requests.models import Base, QuestionSetVersion, Request
from services.requests.retention import RetentionPolicy
from services.requests.schemas import (
    CSV_COLUMNS,
    ActionOutcomeSchema,
    ActionSchema,
    AreaPathSchema,
    AreaSettingsInputSchema,
    AreaSettingsListSchema,
    AreaSettingsSchema,
    AuditTrailSchema,
    CommentInputSchema,
    CommentSchema,
    CopySchema,
    DraftEditSchema,
    DraftSchema,
    DraftUpdateSchema,
    EditorsSchema,
    InactiveListSchema,
    InactiveQuerySchema,
    ListQuerySchema,
    NewRequestSchema,
    ProtectionStateSchema,
    PublicationSchema,
    QuestionSetDocumentSchema,
    QuestionSetListSchema,
    QuestionSetQuerySchema,
    QuestionSetViewSchema,
    ReplyDraftSchema,
    ReportQuerySchema,
    ReportSchema,
    RequestListSchema,
    RequestQuerySchema,
    RequestReferenceSchema,
    RequestViewSchema,
    StatisticsCsvQuerySchema,
    StatisticsCsvSchema,
    StatisticsFigureSchema,
    StatisticsQuerySchema,
    StatisticsSchema,
    SubjectQuerySchema,
    SubjectReportSchema,
    TextTranslationRequestSchema,
    TextTranslationSchema,
    VersionDocumentSchema,
)


def _reference(row: Request) -> dict:
    """A request changed in this transaction, by id, status and version (read before the
    commit, which expires them)."""
    return {"id": row.id, "status": row.status, "version": row.version}


def _check_view_flag(view) -> None:
    if not isinstance(view, bool):
        raise ValidationFailed.from_fields({"view": ["Not a valid boolean."]})


# A page of a list is dumped as RequestListSchema would dump it, at a third of the cost.
DUMP_LIST = plain_dumper(RequestListSchema)


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
    attachments = AttachmentStore()
    catalogue_texts = CatalogueTexts()
    retention_settings = RetentionPolicy()

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

    # --- requests -----------------------------------------------------------------------------

    # Each change commits first and the request is read for the answer after, so that no
    # transaction stays open while the translation service is asked for the view's texts.

    @rpc
    def create_request(self, actor: dict, data: dict, view: bool = True) -> dict:
        """The new draft in the creator's view, or only its reference when the caller asked
        for no ``view`` (as for an action: it reads the request when it shows it)."""
        who = load_actor(actor)
        _check_view_flag(view)  # before the change: a refused call changes nothing
        return self._answer(actor, who, self._create_request(who, data), view)

    @transactional
    def _create_request(self, who, data: dict) -> dict:
        return _reference(exchange.create(self.db, who, load(NewRequestSchema, data)))

    @rpc
    def request(self, actor: dict, request_id: str, query: dict) -> dict:
        """The request in the reader's view and language; 404 for one it may not see."""
        return self._view(actor, load_actor(actor), request_id, load(RequestQuerySchema, query))

    @rpc
    def edit_request_draft(
        self, actor: dict, request_id: str, data: dict, view: bool = True
    ) -> dict:
        who = load_actor(actor)
        _check_view_flag(view)  # before the change: a refused call changes nothing
        return self._answer(actor, who, self._edit_request_draft(who, request_id, data), view)

    @transactional
    def _edit_request_draft(self, who, request_id: str, data: dict) -> dict:
        edited = exchange.edit_draft(self.db, who, request_id, load(DraftEditSchema, data))
        return _reference(edited)

    @rpc
    def copy_request(self, actor: dict, request_id: str, data: dict, view: bool = True) -> dict:
        who = load_actor(actor)
        _check_view_flag(view)  # before the change: a refused call changes nothing
        return self._answer(actor, who, self._copy_request(who, request_id, data), view)

    @transactional
    def _copy_request(self, who, request_id: str, data: dict) -> dict:
        return _reference(exchange.copy(self.db, who, request_id, load(CopySchema, data)))

    @rpc
    def act_on_request(
        self, actor: dict, request_id: str, action: str, data: dict, view: bool = True
    ) -> dict:
        """One action of the workflow (services/requests/workflow.py), at the version read;
        the request in the actor's view after it, unless the action took it out of sight or
        the caller asked for no ``view`` (it reads the request when it shows it: a web page
        after its redirect, an API client that sent ``Prefer: return=minimal``)."""
        _check_view_flag(view)
        who = load_actor(actor)
        outcome = self._act_on_request(who, request_id, action, data)
        try:
            if view:
                shown = self._shown(actor, who, request_id, {})
            else:
                exchange.load(self.db.session, who, request_id)  # still in the actor's sight?
                shown = None
            visible = True
        except NotFound:  # forwarded away: the actor no longer sees it
            shown, visible = None, False
        return dump(ActionOutcomeSchema, {**outcome, "request": shown, "visible": visible})

    @transactional
    def _act_on_request(self, who, request_id: str, action: str, data: dict) -> dict:
        row = exchange.act(
            self.db, who, request_id, exchange.action_named(action), load(ActionSchema, data)
        )
        return {"request_id": row.id, "status": row.status, "version": row.version}

    @rpc
    def save_reply_draft(self, actor: dict, request_id: str, data: dict, view: bool = True) -> dict:
        who = load_actor(actor)
        _check_view_flag(view)  # before the change: a refused call changes nothing
        return self._answer(actor, who, self._save_reply_draft(who, request_id, data), view)

    @transactional
    def _save_reply_draft(self, who, request_id: str, data: dict) -> dict:
        draft = load(ReplyDraftSchema, data)
        return _reference(exchange.save_reply_draft(self.db, who, request_id, draft))

    @rpc
    @transactional
    def add_comment(self, actor: dict, request_id: str, data: dict) -> dict:
        who = load_actor(actor)
        comment = exchange.add_comment(self.db, who, request_id, load(CommentInputSchema, data))
        loaded = exchange.load(self.db.session, who, request_id)
        (shown,) = [
            item for item in request_views.comments(self.db.session, loaded)
            if item["id"] == comment.id
        ]  # fmt: skip
        return dump(CommentSchema, shown)

    @rpc
    @transactional
    def start_editing(self, actor: dict, request_id: str) -> dict:
        """Say the actor works on the request now; answers who else does, since when."""
        others = exchange.start_editing(self.db, load_actor(actor), request_id)
        return dump(EditorsSchema, {"others": others})

    @rpc
    @transactional
    def stop_editing(self, actor: dict, request_id: str) -> None:
        exchange.stop_editing(self.db, load_actor(actor), request_id)

    @rpc
    def translate_request_text(self, actor: dict, request_id: str, data: dict) -> dict:
        """A free text of the request machine-translated, the subject's data masked first."""
        who = load_actor(actor)
        asked = load(TextTranslationRequestSchema, data)
        loaded = exchange.load(self.db.session, who, request_id)
        blocking.refuse_if_blocked(loaded.row)
        found = free_texts.find(self.db.session, who, loaded, asked["text"])
        personal_data = free_texts.personal_data(loaded.row.subject or {})
        if personal_data:
            self._record_processing(loaded.row, Operation.TRANSLATED, who)
        self.db.release_connection()  # not held while the translation service answers
        translated = self.translation.translate_text(
            actor,
            {"text": found.text, "source": found.language, "target": asked["target"],
             "personal_data": personal_data},
        )  # fmt: skip
        return dump(
            TextTranslationSchema,
            {**translated, "text_reference": asked["text"], "original_language": found.language},
        )

    @rpc
    def add_attachment(self, actor: dict, request_id: str, data: dict) -> dict:
        """One file, checked on its content, stored, then recorded; if recording fails, the
        stored file is deleted again."""
        who = load_actor(actor)
        upload = load(AttachmentUploadWithContentSchema, data)
        request_attachments.may_add(self.db.session, who, request_id)
        self.db.release_connection()  # not held while the content is checked
        accepted = self.attachments.check(
            upload["content"], upload["name"], upload["language"], upload["media_type"]
        )
        with self.attachments.store.storing(upload["content"]) as stored:
            return self._record_attachment(who, request_id, accepted, stored)

    @transactional
    def _record_attachment(self, who, request_id: str, accepted, stored) -> dict:
        loaded = request_attachments.may_add(self.db.session, who, request_id)
        attachment = request_attachments.record(self.db, who, loaded, accepted, stored)
        return dump(AttachmentSchema, attachment)

    @timer(interval=600)
    def sweep_orphan_attachments(self) -> None:
        request_attachments.sweep_orphans(self.db.session, self.attachments.store)

    @rpc
    def list_attachments(self, actor: dict, request_id: str) -> dict:
        found = request_attachments.readable(self.db.session, load_actor(actor), request_id)
        return dump(AttachmentListSchema, {"items": found})

    @rpc
    def attachment_content(self, actor: dict, request_id: str, attachment_id: str) -> dict:
        """The file, its checksum verified, for a reader the request's rules allow."""
        found = request_attachments.one(
            self.db.session, load_actor(actor), request_id, attachment_id
        )
        content = self.attachments.store.read(found.store_key, found.sha256)
        return {**dump(AttachmentSchema, found), "content": base64.b64encode(content).decode()}

    @rpc
    def request_report(self, actor: dict, request_id: str, query: dict) -> dict:
        """The request as a PDF in the reader's language, with the parts asked for that the
        reader's view shows; one that prints the subject's personal data is in the audit trail
        before it is answered."""
        who = load_actor(actor)
        asked = load(ReportQuerySchema, query)
        session = self.db.session
        loaded = exchange.load(session, who, request_id)
        language = asked.get("language", who.language)
        namespaces = report_content.namespaces(loaded.row.set_key)
        catalogue = self._texts(actor, namespaces, language)
        now = self.clock()
        view = request_views.render(session, who, loaded, language, catalogue, now)
        parts = report_content.asked_parts(asked.get("parts"))
        contents = report_content.contents(session, loaded, view, parts, catalogue, now)
        self.db.release_connection()  # not held while the PDF is laid out
        document = tpool.execute(report.pdf, contents, now)
        if contents.personal_data:
            self._record_report(who, request_id, now)
        return dump(
            ReportSchema,
            {"name": contents.file_name, "media_type": "application/pdf",
             "content": base64.b64encode(document).decode()},
        )  # fmt: skip

    @transactional
    def _record_report(self, who, request_id: str, now) -> None:
        row = self.db.session.get(Request, request_id)
        audit.record(self.db.session, row, audit.Operation.REPORTED, now, who)

    @rpc
    def list_requests(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        return DUMP_LIST(
            listing.page(self.db.session, who, load(ListQuerySchema, query), self.clock())
        )

    @urgency.escalation_timer()
    def escalate_urgent_requests(self) -> None:
        """Escalate the requests newly urgent, each once whatever the number of replicas, a
        batch per transaction until none is left."""
        more = True
        while more:
            more = self._escalate_batch()

    @transactional
    def _escalate_batch(self) -> bool:
        return urgency.escalate(self.db)

    # --- statistics for coordinators and the Commission ------------------------------------

    @rpc
    def request_statistics(self, actor: dict, query: dict) -> dict:
        """The figures of docs/requests-statistics.md in the reader's scope."""
        asked = load(StatisticsQuerySchema, query)
        return dump(StatisticsSchema, self._statistics(actor, load_actor(actor), asked))

    @rpc
    def statistics_scope(self, actor: dict) -> dict:
        """Whose requests the reader's statistics count (``commission``, ``member_state`` or
        ``coordinator``); Forbidden for a reader who may not read them. The web pages ask once
        at login, to show the dashboard in the menu of those who may open it."""
        return {"kind": statistics.scope_of(self.db.session, load_actor(actor)).kind}

    @rpc
    def request_statistics_csv(self, actor: dict, figure: str, query: dict) -> dict:
        """One figure as CSV: a header row, then its rows as the JSON gives them."""
        figure = load(StatisticsFigureSchema, {"figure": figure})["figure"]
        asked = {**load(StatisticsCsvQuerySchema, query), "figures": figure}
        found = dump(StatisticsSchema, self._statistics(actor, load_actor(actor), asked))
        content = statistics.as_csv(found[figure], CSV_COLUMNS[figure])
        return dump(StatisticsCsvSchema, {"figure": figure, "content": content})

    def _statistics(self, actor: dict, who, asked: dict) -> dict:
        found = statistics.compute(self.db.session, who, asked, self.clock())
        if found.get("questions"):
            rows, language = found["questions"], found["language"]
            shipped = statistics.shipped_texts(self.db.session, rows)
            catalogue = self._texts(actor, statistics.question_namespaces(rows), language)
            found["questions"] = statistics.with_texts(rows, shipped, language, catalogue)
        return found

    @rpc
    def list_area_settings(self, actor: dict) -> dict:
        load_actor(actor)
        return dump(AreaSettingsListSchema, {"items": area_settings.all_settings(self.db.session)})

    @rpc
    @transactional
    def change_area_settings(self, actor: dict, area: str, data: dict) -> dict:
        area = load(AreaPathSchema, {"area": area})["area"]
        settings = area_settings.change(
            self.db, load_actor(actor), area, load(AreaSettingsInputSchema, data)
        )
        return dump(AreaSettingsSchema, settings)

    # --- data protection (docs/requests-data-protection.md) ------------------------------------

    @retention.retention_timer()
    def sweep_personal_data(self) -> None:
        """Block, then delete, the personal data of requests closed long enough ago, and report
        requests left open without activity; a batch per transaction until none is left. Safe
        with several replicas."""
        settings = self.retention_settings
        store = self.attachments.store
        for step in (
            lambda: retention.block_due(self.db, settings),
            lambda: retention.erase_due(self.db, settings, store),
            lambda: inactivity.report_due(self.db, settings),
        ):
            while self._sweep_batch(step) == retention.SWEEP_BATCH:
                pass

    @transactional
    def _sweep_batch(self, step) -> int:
        return step()

    @rpc
    def personal_data_audit(self, actor: dict, request_id: str) -> dict:
        """Who processed the request's personal data, when and how."""
        session = self.db.session
        row = protection.supervised(session, load_actor(actor), request_id)
        return dump(
            AuditTrailSchema,
            {**protection.state(row), "area": row.area,
             "items": protection.trail(session, row.id)},
        )  # fmt: skip

    @rpc
    @transactional
    def contest_personal_data(self, actor: dict, request_id: str) -> dict:
        row = protection.contest(self.db, load_actor(actor), request_id)
        return dump(ProtectionStateSchema, protection.state(row))

    @rpc
    @transactional
    def withdraw_contest(self, actor: dict, request_id: str) -> dict:
        row = protection.withdraw_contest(self.db, load_actor(actor), request_id)
        return dump(ProtectionStateSchema, protection.state(row))

    @rpc
    def inactive_requests(self, actor: dict, query: dict) -> dict:
        """The open requests without activity that the actor's authority coordinates."""
        found = inactivity.page(
            self.db.session, load_actor(actor), self.retention_settings,
            load(InactiveQuerySchema, query), self.clock(),
        )  # fmt: skip
        return dump(InactiveListSchema, found)

    @rpc
    @transactional
    def data_subject_report(self, actor: dict, data: dict) -> dict:
        """What the system holds about one person (Commission administrators)."""
        found = subject_report.report(self.db, load_actor(actor), load(SubjectQuerySchema, data))
        return dump(SubjectReportSchema, found)

    def _view(self, actor: dict, who, request_id: str, query: dict) -> dict:
        return dump(RequestViewSchema, self._shown(actor, who, request_id, query))

    def _answer(self, actor: dict, who, reference: dict, view: bool) -> dict:
        """What a change answers: the request in the actor's view, or its reference alone."""
        if not view:
            return dump(RequestReferenceSchema, reference)
        return self._view(actor, who, reference["id"], {})

    def _shown(self, actor: dict, who, request_id: str, query: dict) -> dict:
        """The request as ``who`` sees it, in the language asked for or its own."""
        session = self.db.session
        loaded = exchange.load(session, who, request_id)
        language = query.get("language", who.language)
        namespaces = request_views.namespaces(loaded.row.set_key)
        catalogue = self._texts(actor, namespaces, language)
        shown = request_views.render(session, who, loaded, language, catalogue, self.clock())
        if shown.get("subject") is not None:
            self._record_processing(loaded.row, Operation.VIEWED, who)
        return shown

    def _record_processing(self, row: Request, operation: Operation, who) -> None:
        """One row of the audit trail, committed at once in a short transaction of its own
        (before a call to another service, or after a view's reads)."""
        audit.record(self.db.session, row, operation, self.clock(), who)
        self.db.commit()

    # --- the directory's authorities (read model) -------------------------------------------

    @event_handler("directory", "authority_registered")
    @event_handler("directory", "authority_updated")
    @event_handler("directory", "authority_validated")
    @event_handler("directory", "authority_activated")
    @handles_event_once
    def on_authority_changed(self, envelope: dict) -> None:
        directory_view.remember_authority(self.db, envelope["data"], envelope["time"])

    @event_handler("identity", "user_created")
    @event_handler("identity", "user_rights_changed")
    @event_handler("identity", "user_replaced")
    @handles_event_once
    def on_user_changed(self, envelope: dict) -> None:
        directory_view.remember_user(self.db, envelope["data"], envelope["time"])

    @event_handler("identity", "user_deleted")
    @handles_event_once
    def on_user_deleted(self, envelope: dict) -> None:
        directory_view.remember_user(self.db, envelope["data"], envelope["time"], deleted=True)

    @event_handler("directory", "request_policy_changed")
    @handles_event_once
    def on_request_policy_changed(self, envelope: dict) -> None:
        directory_view.remember_policy(self.db, envelope["data"])

    @event_handler("directory", "coordinator_linked")
    @handles_event_once
    def on_coordinator_linked(self, envelope: dict) -> None:
        directory_view.remember_link(self.db, envelope["data"], envelope["time"])

    def _catalogue(self, actor: dict, set_key: str, language: str) -> dict[str, dict]:
        """The set's texts in ``language`` from the catalogue; none while translation is
        unreachable (the view then shows the texts the version ships, marked as fallbacks)."""
        return self._texts(actor, [question_sets.namespace(set_key)], language)

    def _texts(self, actor: dict, namespaces: list[str], language: str) -> dict[str, dict]:
        """From this process's cache, else from the translation service, the connection let go
        first: not held while the translation service answers."""

        def fetch(language: str, namespaces: list[str]) -> dict[str, dict] | None:
            self.db.release_connection()
            query = {"language": language, "namespaces": namespaces}
            try:
                return self.translation.bundle(actor, query)["texts"]
            except Unavailable:
                return None

        return self.catalogue_texts.texts(language, namespaces, fetch)

    @nameko_event_handler(
        "translation", "texts_changed", handler_type=BROADCAST, reliable_delivery=False
    )
    def on_texts_changed(self, envelope: dict) -> None:
        """A translator's change: this process forgets the namespace's texts it kept."""
        namespace = (envelope.get("data") or {}).get("namespace")
        if isinstance(namespace, str):
            self.catalogue_texts.forget(namespace)


def _plain(document: dict) -> dict:
    """The loaded document as JSON stores it: enums as their values."""
    return dump(QuestionSetDocumentSchema, document)
