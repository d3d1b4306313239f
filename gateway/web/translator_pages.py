"""The language management tool of the Commission's translators, as pages.

The same calls as the API's (gateway/translation/catalogue.py) with the visitor's actor: the
translation service lets every logged-in user read the counts and the lists of entries, and
only holders of ``commission_translator`` submit, review (approve or reject with a reason,
never their own text), export and import; a refusal is a 403 page, a stale version or a text
that cannot be reviewed a message on the entry's page. An entry's page also asks the machine
for a suggestion (the service's ``translate_text``), put in its text area and stored only once
the translator submits it.

The service reads no single entry as a translator works on it, so the entry's page finds it
in its namespace's list (in key order, a page of 200 at a time).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.translation.catalogue import IMPORT_MAX_BODY_BYTES
from gateway.web.forms import FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from services.common.errors import Conflict, Forbidden, Unavailable, ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES, languages
from services.translation.domain import State
from services.translation.schemas import MAX_REASON

PAGES = (
    PageRoute("translator_overview", "GET", "/translations"),
    PageRoute("translator_language", "GET", "/translations/<language>"),
    PageRoute("translator_entry", "GET", "/translations/<language>/entries/<key>"),
    PageRoute("translator_submit", "POST", "/translations/<language>/entries/<key>"),
    PageRoute("translator_review", "POST", "/translations/<language>/entries/<key>/review"),
    PageRoute("translator_reject", "POST", "/translations/<language>/entries/<key>/reject"),
    PageRoute("translator_suggest", "POST", "/translations/<language>/entries/<key>/machine"),
    PageRoute("translator_export", "GET", "/translations/<language>/export"),
    PageRoute(
        "translator_import", "POST", "/translations/<language>/import",
        max_body_bytes=IMPORT_MAX_BODY_BYTES + 16384,  # the file, the form's other fields
    ),
)  # fmt: skip

STATES = tuple(state.value for state in State)
PAGE_SIZE = 50
FIND_PAGE_SIZE = 200  # the service's largest page
NAMESPACE = validate.Regexp(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", error="web.form.invalid")
TRANSLATOR = "commission_translator"


class EntryListLink(FormSchema):
    state = fields.String(load_default="missing", validate=validate.OneOf(STATES))
    namespace = fields.String(load_default=None, validate=[validate.Length(1, 120), NAMESPACE])
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))


class EntryLink(FormSchema):
    namespace = fields.String(load_default=None, validate=[validate.Length(1, 120), NAMESPACE])
    done = fields.String(
        load_default=None, validate=validate.OneOf(["submitted", "reviewed", "rejected"])
    )


class SubmitForm(FormSchema):
    text = fields.String(
        required=True,
        validate=validate.Length(1, 10000, error="web.form.too_long"),
        error_messages={"required": "web.form.required", "null": "web.form.required"},
    )
    version = fields.Integer(required=True, validate=validate.Range(0, 2**31 - 1))


class ReviewForm(FormSchema):
    version = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class RejectForm(ReviewForm):
    reason = fields.String(
        required=True,
        validate=[
            validate.Length(1, MAX_REASON, error="web.form.too_long"),
            validate.Regexp(r"\S", error="web.form.required"),
        ],
        error_messages={"required": "web.form.required", "null": "web.form.required"},
    )


class ImportResultLink(FormSchema):
    imported = fields.Integer(load_default=None, validate=validate.Range(0, 10**6))
    unchanged = fields.Integer(load_default=None, validate=validate.Range(0, 10**6))


def _language(language: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        raise NotFound()
    return language


def entry_path(
    language: str, key: str, namespace: str | None = None, suffix: str = "", **query
) -> str:
    path = f"/translations/{language}/entries/{quote(key, safe='')}{suffix}"
    wanted = {**({"namespace": namespace} if namespace else {}), **query}
    return path + (f"?{urlencode(wanted)}" if wanted else "")


class TranslatorPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``translation``)."""

    @page
    def translator_overview(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        report = self.translation.translation_status(actor)
        return visit.page("translator_overview.html", report=report)

    @page
    def translator_language(self, request: Request, language: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _language(language)
        link = read_link(EntryListLink, request.args.to_dict())
        result = None
        if "imported" in request.args:  # back from an import
            result = read_link(ImportResultLink, request.args.to_dict())
        return self._language_page(visit, actor, language, link, result=result)

    def _language_page(self, visit, actor, language, link, status=200, **context) -> Response:
        query = {"state": link["state"], "page": link["page"], "page_size": PAGE_SIZE}
        if link.get("namespace"):
            query["namespace"] = link["namespace"]
        listed = self.translation.list_entries(actor, language, query)
        pages = max(1, -(-listed["total"] // PAGE_SIZE))
        base = {"state": link["state"], **({"namespace": link["namespace"]}
                                           if link.get("namespace") else {})}  # fmt: skip
        context.setdefault("result", None)
        context.setdefault("upload_error", None)
        context.setdefault("refused", [])
        return visit.page(
            "translator_language.html", status,
            language=language, states=STATES, link=link, listed=listed, pages=pages,
            previous_page=(f"?{urlencode({**base, 'page': link['page'] - 1})}"
                           if link["page"] > 1 else None),
            next_page=(f"?{urlencode({**base, 'page': link['page'] + 1})}"
                       if link["page"] < pages else None),
            entry_path=entry_path, may_translate=TRANSLATOR in visit.rights(), **context,
        )  # fmt: skip

    @page
    def translator_entry(self, request: Request, language: str, key: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _language(language)
        link = read_link(EntryLink, request.args.to_dict())
        entry = self._find_entry(actor, language, key, link["namespace"])
        return self._entry_page(visit, language, entry, done=link["done"])

    def _entry_page(self, visit, language, entry, status=200, **context) -> Response:
        context.setdefault("done", None)
        context.setdefault("errors", {})
        context.setdefault("problem", None)
        context.setdefault("text", entry["text"] or "")
        context.setdefault("reason", "")
        context.setdefault("suggestion", None)
        return visit.page(
            "translator_entry.html", status, language=language, entry=entry,
            may_translate=TRANSLATOR in visit.rights(),
            own_text=entry["translated_by"] == (visit.actor or {}).get("user_id"),
            action=entry_path(language, entry["key"], entry["namespace"]),
            review_action=entry_path(language, entry["key"], entry["namespace"], "/review"),
            reject_action=entry_path(language, entry["key"], entry["namespace"], "/reject"),
            suggest_action=entry_path(language, entry["key"], entry["namespace"], "/machine"),
            max_reason=MAX_REASON,
            **context,
        )  # fmt: skip

    def _find_entry(self, actor: dict, language: str, key: str, namespace: str | None) -> dict:
        """The entry as a translator works on it: looked for in its namespace's list (the
        key's first word when the link names none), pages read in key order."""
        namespace = namespace or key.split(".", 1)[0]
        if not key.startswith(namespace + "."):
            raise NotFound()
        number = 1
        while True:
            listed = self.translation.list_entries(
                actor, language,
                {"state": "all", "namespace": namespace, "page": number,
                 "page_size": FIND_PAGE_SIZE},
            )  # fmt: skip
            for item in listed["items"]:
                if item["key"] == key:
                    return item
            items = listed["items"]
            if not items or items[-1]["key"] > key or number * FIND_PAGE_SIZE >= listed["total"]:
                raise NotFound()
            number += 1

    def _posted_to_entry(self, request: Request, language: str, key: str):
        """A translator's or reviewer's form posted to an entry: the visit (its CSRF token
        checked), the form, the actor and the entry as the catalogue has it now."""
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _language(language)
        namespace = read_link(EntryLink, request.args.to_dict())["namespace"]
        return visit, form, actor, self._find_entry(actor, language, key, namespace)

    @page
    def translator_submit(self, request: Request, language: str, key: str) -> Response:
        visit, form, actor, entry = self._posted_to_entry(request, language, key)
        values, errors = read_form(SubmitForm, form)
        t = visit.t
        if not errors and entry["max_length"] and len(values["text"]) > entry["max_length"]:
            errors = {"text": "web.form.too_long"}
        if errors:
            return self._entry_page(
                visit, language, entry, 400, text=form.get("text", "")[:10000],
                errors={name: t(message) for name, message in errors.items()},
            )  # fmt: skip
        try:
            data = {"text": values["text"], "version": values["version"]}
            self.translation.submit_translation(actor, language, entry["key"], data)
        except (Conflict, ValidationFailed) as exc:
            return self._entry_page(
                visit, language, entry, exc.status, text=values["text"], problem=_message(t, exc)
            )
        done = entry_path(language, entry["key"], entry["namespace"], done="submitted")
        return visit.redirect(done)

    @page
    def translator_review(self, request: Request, language: str, key: str) -> Response:
        visit, form, actor, entry = self._posted_to_entry(request, language, key)
        values, errors = read_form(ReviewForm, form)
        if errors:
            problem = visit.t("web.form.invalid")
            return self._entry_page(visit, language, entry, 400, problem=problem)
        try:
            self.translation.review_translation(
                actor, language, entry["key"], {"version": values["version"]}
            )
        except (Conflict, Forbidden) as exc:
            if isinstance(exc, Forbidden) and exc.code != "translation.own_review":
                raise
            problem = _message(visit.t, exc)
            return self._entry_page(visit, language, entry, exc.status, problem=problem)
        done = entry_path(language, entry["key"], entry["namespace"], done="reviewed")
        return visit.redirect(done)

    @page
    def translator_reject(self, request: Request, language: str, key: str) -> Response:
        visit, form, actor, entry = self._posted_to_entry(request, language, key)
        values, errors = read_form(RejectForm, form)
        reason = form.get("reason", "")[:MAX_REASON]
        if "version" in errors:  # a broken form, not the reviewer's typing
            problem = visit.t("web.form.invalid")
            return self._entry_page(visit, language, entry, 400, reason=reason, problem=problem)
        if errors:
            messages = {"reason": visit.t(errors["reason"])}
            return self._entry_page(visit, language, entry, 400, reason=reason, errors=messages)
        data = {"version": values["version"], "reason": values["reason"]}
        try:
            self.translation.reject_translation(actor, language, entry["key"], data)
        except (Conflict, Forbidden, ValidationFailed) as exc:
            if isinstance(exc, Forbidden) and exc.code != "translation.own_review":
                raise
            problem = _message(visit.t, exc)
            return self._entry_page(
                visit, language, entry, exc.status, reason=reason, problem=problem
            )
        done = entry_path(language, entry["key"], entry["namespace"], done="rejected")
        return visit.redirect(done)

    @page
    def translator_suggest(self, request: Request, language: str, key: str) -> Response:
        """The machine's translation of the source text, put in the entry's text area for the
        translator to check (the translation service's ``translate_text``, the RPC of the
        API's machine translation); nothing is stored until the translator submits it."""
        visit, _, actor, entry = self._posted_to_entry(request, language, key)
        asked = {"text": entry["source_text"], "source": entry["source_language"],
                 "target": language}  # fmt: skip
        try:
            suggested = self.translation.translate_text(actor, asked)
        except (ValidationFailed, Conflict, Unavailable) as exc:
            problem = visit.t(exc.code if visit.t.has(exc.code) else "web.request_page.mt_failed")
            return self._entry_page(visit, language, entry, exc.status, problem=problem)
        if not suggested.get("text"):  # an engine that answers later, or not at all
            waiting = suggested["status"] in ("submitting", "pending")
            problem = visit.t("web.request_page.mt_pending" if waiting
                              else "web.request_page.mt_failed")  # fmt: skip
            return self._entry_page(visit, language, entry, problem=problem)
        names = {item["code"]: item["names"] for item in languages()}
        source = names[entry["source_language"]].get(visit.language, entry["source_language"])
        return self._entry_page(visit, language, entry, text=suggested["text"],
                                suggestion={**suggested, "source_name": source})  # fmt: skip

    @page
    def translator_export(self, request: Request, language: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _language(language)
        link = read_link(EntryLink, request.args.to_dict())
        query = {"namespace": link["namespace"]} if link["namespace"] else {}
        exported = self.translation.export_translations(actor, language, query)
        response = Response(exported["content"], content_type=exported["content_type"])
        response.headers["Content-Disposition"] = f'attachment; filename="{exported["filename"]}"'
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # a download too carries the session the visit ends with (tokens refreshed on the way)
        return visit.answer(response)

    @page
    def translator_import(self, request: Request, language: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _language(language)
        link = read_link(EntryListLink, {})
        upload = request.files.get("file")
        content = upload.read() if upload is not None else b""
        problem = None
        if not content:
            problem = "web.translator.import.no_file"
        else:
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                problem = "web.translator.import.not_text"
        if problem:
            return self._language_page(
                visit, actor, language, link, 400, upload_error=visit.t(problem)
            )
        try:
            result = self.translation.import_translations(
                actor, language, {"format": "xliff", "content": text}
            )
        except ValidationFailed as exc:
            return self._language_page(
                visit, actor, language, link, 400, upload_error=_message(visit.t, exc),
                refused=exc.extra.get("refused", []),
            )  # fmt: skip
        query = urlencode({"imported": result["imported"], "unchanged": result["unchanged"]})
        return visit.redirect(f"/translations/{language}?{query}")


def _message(t, exc) -> str:
    """The catalogue's text of a service's error code, else the generic text of its status."""
    if t.has(exc.code):
        return t(exc.code)
    return t("web.error.conflict" if exc.status == 409 else "web.form.invalid")
