"""A draft request after it was first saved: edited in the form that created it, pre-filled,
then saved again or sent; and a new draft copied from chosen elements of a request.

The requests service decides who may do either (``edit_draft`` among the view's actions; a
request handler of the requesting authority for a copy) and checks again on every call. An
edit carries the version read: when a colleague saved the draft first, the form comes back with
what the user typed, the service's conflict message naming who saved first, and the version
just read, so that saving again is a knowing choice.
"""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from gateway.web.forms import REQUIRED, FormSchema, read_form
from gateway.web.page import PageRoute, page
from gateway.web.request_choices import COPY_ELEMENT_LABELS
from gateway.web.request_editing import start_editing, stop_editing
from gateway.web.request_pages import (
    SEARCH_RESULTS,
    SUBJECT_FIELDS,
    NewRequestForm,
    _check_id,
    _problem,
    _with_lists,
    list_keys,
)
from gateway.web.texts import member_state_names
from services.common.errors import (
    Conflict,
    Forbidden,
    StaleVersion,
    ValidationFailed,
)
from services.common.errors import NotFound as Missing
from services.common.reference import SUPPORTED_LANGUAGES

PAGES = (
    PageRoute("request_draft_page", "GET", "/requests/<request_id>/draft"),
    PageRoute("request_draft_save", "POST", "/requests/<request_id>/draft"),
    PageRoute("request_copy", "POST", "/requests/<request_id>/copy"),
)


class DraftForm(NewRequestForm):
    """The create form's fields, at the version of the draft the user read."""

    version = fields.Integer(required=True, error_messages=REQUIRED)


class CopyForm(FormSchema):
    elements = fields.List(
        fields.String(validate=validate.OneOf(COPY_ELEMENT_LABELS, error="web.form.invalid")),
        required=True,
        validate=validate.Length(1, len(COPY_ELEMENT_LABELS),
                                 error="web.request_page.copy_missing"),
        error_messages={"required": "web.request_page.copy_missing"},
    )  # fmt: skip


def draft_values(shown: dict) -> MultiDict:
    """The draft as the create form's fields, for the form to show it pre-filled."""
    subject = shown.get("subject") or {}
    values = MultiDict(
        [("questions", question["number"]) for question in shown.get("questions") or ()]
    )
    for name in SUBJECT_FIELDS:
        if subject.get(name):
            values[name] = subject[name]
    if shown.get("responder"):
        values["responder_id"] = shown["responder"]["authority_id"]
    description = shown.get("description")
    if description:
        values["description"] = description["text"]
        values["language"] = description["language"]
    return values


def edited_subject(kept: dict | None, values: dict) -> dict:
    """The subject as the form gives it, with the fields the form does not show (other names,
    identity numbers) kept as they were."""
    subject = {name: value for name, value in (kept or {}).items() if name not in SUBJECT_FIELDS}
    subject.update({name: str(values[name]) for name in SUBJECT_FIELDS if values.get(name)})
    return subject


class RequestDraftPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``directory`` and
    ``requests``), beside RequestPages (its names of authorities, and its request page, where
    a refused copy is shown)."""

    @page
    def request_draft_page(self, request: Request, request_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _check_id(request_id)
        shown = self._editable_draft(visit, request_id)
        return self._draft_form(visit, shown, draft_values(shown), {}, None, 200)

    @page
    def request_draft_save(self, request: Request, request_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        form = request.form
        shown = self._editable_draft(visit, request_id)
        button = form.get("button", "save")
        if button == "search":
            return self._draft_form(visit, shown, form, {}, None, 200)
        values, errors = read_form(DraftForm, _with_lists(form, ("questions",)))
        if not errors and button == "send" and not values.get("responder_id"):
            errors = {"responder_id": "web.request_form.responder_missing"}
        if errors:
            return self._draft_form(visit, shown, form, errors, None, 400)
        body = {
            "version": values["version"], "questions": values["questions"],
            "subject": edited_subject(shown.get("subject"), values),
            "description": values.get("description"),
            "language": values.get("language", visit.language),
        }  # fmt: skip
        if values.get("responder_id"):
            body["responder_id"] = values["responder_id"]
        try:
            saved = self.requests.edit_request_draft(actor, request_id, body, view=False)
        except StaleVersion as refused:
            return self._draft_conflict(visit, request_id, refused, form)
        except (ValidationFailed, Conflict, Forbidden, Missing) as refused:
            problem, field_errors = _problem(visit, refused)
            return self._draft_form(visit, shown, form, field_errors, problem, refused.status)
        stop_editing(self.requests, actor, request_id)
        target = f"/requests/{request_id}"
        if button != "send":
            return visit.redirect(f"{target}?done=save_draft")
        try:
            self.requests.act_on_request(
                actor, request_id, "send", {"version": saved["version"]}, view=False
            )
        except (ValidationFailed, Conflict, Forbidden) as refused:
            return visit.redirect(f"{target}?problem={refused.code}")
        return visit.redirect(f"{target}?done=send")

    @page
    def request_copy(self, request: Request, request_id: str) -> Response:
        """A new draft from the chosen elements; the user goes on in its edit form."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        values, errors = read_form(CopyForm, _with_lists(request.form, ("elements",)))
        if errors:
            return self._request_page(visit, request_id, 400, posted=request.form,
                                      errors={f"copy_{k}": v for k, v in errors.items()},
                                      open_form="copy")  # fmt: skip
        try:
            copied = self.requests.copy_request(
                actor, request_id, {"elements": values["elements"]}, view=False
            )
        except (ValidationFailed, Conflict, Forbidden, Missing) as refused:
            return self._refused(visit, request_id, refused, request.form, "copy")
        return visit.redirect(f"/requests/{copied['id']}/draft?copied=1")

    def _editable_draft(self, visit, request_id: str) -> dict:
        """The draft in the reader's view, if the service lets this reader edit it."""
        shown = self.requests.request(visit.actor, request_id, {"language": visit.language})
        if "edit_draft" not in shown["actions"]:
            if shown["status"] != "draft":
                raise Conflict("Only a draft is edited.", "request.wrong_status")
            raise Forbidden("This user may not edit the draft.", "request.not_allowed")
        return shown

    def _draft_conflict(self, visit, request_id: str, refused: StaleVersion, form) -> Response:
        """The form again with what the user typed, at the version saved first."""
        extra = refused.extra
        name = extra.get("changed_by_username")
        when = visit.t.datetime(extra["changed_at"]) if extra.get("changed_at") else ""
        message = (
            visit.t("web.request_page.conflict", name=name, when=when)
            if name
            else visit.t("web.request_page.conflict_unknown")
        )
        kept = MultiDict(form)
        kept.pop("version", None)
        shown = self._editable_draft(visit, request_id)
        return self._draft_form(visit, shown, kept, {}, message, 409)

    def _draft_form(self, visit, shown: dict, posted, errors: dict, problem, status: int):
        actor = visit.actor
        chosen = self.requests.question_set(
            actor, shown["set_key"], {"number": shown["set_number"], "language": visit.language}
        )
        text = (posted.get("responder_search") or "").strip()
        if text:
            found = self.directory.search_authorities(
                actor, {"text": text[:200], "area": shown["area"], "page_size": SEARCH_RESULTS,
                        "language": visit.language},
            )["items"]  # fmt: skip
        else:
            found = self._current_responder(actor, shown)
        _, editors = start_editing(self.requests, actor, shown)
        return visit.page(
            "request_new.html", status, sets=[], chosen=chosen, posted=posted,
            errors={name: visit.t(key) for name, key in errors.items()}, problem=problem,
            found=found, subject_fields=SUBJECT_FIELDS, editing=shown, editors=editors,
            copied=bool(visit.request.args.get("copied")),
            member_state_names=member_state_names(visit.language),
            pq_types=list_keys("pq_request_types"), languages_spoken=SUPPORTED_LANGUAGES,
        )  # fmt: skip

    def _current_responder(self, actor: dict, shown: dict) -> list[dict] | None:
        """The draft's responder as a search result, so that the form shows it chosen."""
        responder = shown.get("responder")
        if not responder:
            return None
        named = self._authority(actor, responder) or {}
        return [{"id": responder["authority_id"], "member_state": responder["member_state"],
                 "official_name": named.get("official_name", ""),
                 "title": named.get("title")}]  # fmt: skip
