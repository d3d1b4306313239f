"""The pages of one information request: creating it from a question set, reading it in the
reader's language, and every action the requests service offers this reader on it.

Nothing here decides a right. The request page shows the actions the service lists for this
actor (the view's ``actions``, computed by services/requests/workflow.py), and every form
calls the same RPC as the API route with the user's actor; a refusal is shown as the service
words it, beside the user's input. Each change carries the version the user read: when someone
saved first, the page says who and when and keeps what the user typed.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import cache

import yaml
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.requests.requests import UPLOAD_BODY_BYTES, content_disposition
from gateway.web.forms import REQUIRED, FormSchema, read_form
from gateway.web.page import PageRoute, page
from gateway.web.request_choices import COPY_ELEMENT_LABELS, REPORT_PART_LABELS, may_copy
from gateway.web.request_editing import start_editing, stop_editing
from gateway.web.texts import member_state_names
from services.common.errors import (
    Conflict,
    Forbidden,
    ImiError,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)
from services.common.errors import NotFound as Missing
from services.common.reference import SUPPORTED_LANGUAGES
from services.requests.bootstrap import LISTS_FILE

PAGES = (
    PageRoute("request_new_page", "GET", "/requests/new"),
    PageRoute("request_create", "POST", "/requests/new"),
    PageRoute("request_page", "GET", "/requests/<request_id>"),
    PageRoute("request_act", "POST", "/requests/<request_id>/actions/<action>"),
    PageRoute("request_reply", "POST", "/requests/<request_id>/reply"),
    PageRoute("request_comment", "POST", "/requests/<request_id>/comments"),
    PageRoute(
        "request_attach",
        "POST",
        "/requests/<request_id>/attachments",
        max_body_bytes=UPLOAD_BODY_BYTES,
    ),
    PageRoute("request_attachment", "GET", "/requests/<request_id>/attachments/<attachment_id>"),
    PageRoute("request_translate", "POST", "/requests/<request_id>/translations"),
    PageRoute("request_stop_editing", "POST", "/requests/<request_id>/editing"),
    PageRoute("request_report_page", "GET", "/requests/<request_id>/report"),
)

REQUEST_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
SEARCH_RESULTS = 10
# what a form of the request page may ask the service to do, and what each needs
SIMPLE_ACTIONS = ("send", "submit_for_approval", "approve", "accept", "close", "agree_reply_date")
REPLY_ACTIONS = ("send_partial_reply", "send_full_reply", "provide_additional_information")
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    **{action: () for action in SIMPLE_ACTIONS},
    "reject": ("reason",),
    "withdraw": ("reason",),
    "refer": ("reason",),
    "forward": ("to",),
    "split": ("to", "questions"),
    "allocate": ("handlers",),
    "request_additional_information": ("questions", "justification"),
    "decline_additional_information": ("reason_key", "reason"),
    "give_referral_opinion": ("opinion",),
    "propose_reply_date": ("date",),
    "counter_propose_reply_date": ("date",),
    "give_feedback": ("feedback", "rating"),
}
# inputs the workflow needs (docs/requests-workflow.md), asked here so that a missing one is
# a message beside its field
REQUIRED_INPUTS: dict[str, tuple[str, ...]] = {
    "reject": ("reason",),
    "refer": ("reason",),
    "forward": ("to",),
    "split": ("to", "questions"),
    "allocate": ("handlers",),
    "request_additional_information": ("questions", "justification"),
    "give_referral_opinion": ("opinion",),
    "propose_reply_date": ("date",),
    "counter_propose_reply_date": ("date",),
    "give_feedback": ("feedback",),
}
# the order of the actions on the page: what moves the request on first, withdrawal last
ACTION_ORDER = (
    "send", "submit_for_approval", "approve", "reject", "accept", "forward", "split",
    "allocate", "close", "request_additional_information", "decline_additional_information",
    "refer", "give_referral_opinion", "propose_reply_date", "counter_propose_reply_date",
    "agree_reply_date", "give_feedback", "withdraw",
)  # fmt: skip
SUBJECT_FIELDS = ("full_name", "business_name", "date_of_birth", "place_of_birth",
                  "nationality", "address")  # fmt: skip
TOO_LONG = "web.form.too_long"
FREE_TEXT = validate.Length(1, 4000, error=TOO_LONG)
# the fields a view without content (the monitoring view) leaves out
VIEW_DEFAULTS = {"questions": [], "description": None, "subject": None, "comments": None,
                 "attachments": None, "history": [], "reply_date": None,
                 "additional_information_questions": []}  # fmt: skip


def _optional_text(longest: int) -> fields.String:
    return fields.String(validate=validate.Length(1, longest, error="web.form.too_long"))


class NewRequestForm(FormSchema):
    """The create form: a question set, its chosen questions, the subject, the responder."""

    set_key = fields.String(required=True, validate=validate.Length(1, 40),
                            error_messages=REQUIRED)  # fmt: skip
    questions = fields.List(
        fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,2}\.[1-9][0-9]{0,2}$")),
        required=True,
        validate=validate.Length(1, 200, error="web.request_form.questions_missing"),
        error_messages={"required": "web.request_form.questions_missing"},
    )
    responder_id = _optional_text(64)
    full_name = fields.String(
        required=True, error_messages=REQUIRED, validate=validate.Length(1, 200, error=TOO_LONG)
    )
    business_name = _optional_text(200)
    date_of_birth = fields.Date(error_messages={"invalid": "web.form.invalid"})
    place_of_birth = _optional_text(120)
    nationality = fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$", error="web.form.invalid"),
    )
    address = _optional_text(300)
    description = fields.String(validate=FREE_TEXT)
    language = fields.String(validate=validate.OneOf(SUPPORTED_LANGUAGES, error="web.form.invalid"))
    pq_type = fields.String(
        validate=validate.OneOf(
            ["permanent_establishment", "temporary_provision", "general"], error="web.form.invalid"
        )
    )
    button = fields.String(load_default="save")


class ActionForm(FormSchema):
    """The inputs of one action of the workflow, at the version read."""

    version = fields.Integer(required=True, error_messages=REQUIRED)
    reason = fields.String(validate=FREE_TEXT)
    reason_key = fields.String(validate=validate.Length(1, 40))
    justification = fields.String(validate=FREE_TEXT)
    opinion = fields.String(validate=FREE_TEXT)
    feedback = fields.String(validate=FREE_TEXT)
    rating = fields.Integer(validate=validate.Range(1, 5, error="web.form.invalid"),
                            error_messages={"invalid": "web.form.invalid"})  # fmt: skip
    date = fields.Date(error_messages={"invalid": "web.form.invalid"})
    to = fields.String(validate=validate.Length(1, 64))
    questions = fields.List(fields.String(validate=validate.Length(1, 8)))
    handlers = fields.List(
        fields.String(
            validate=validate.Regexp(r"^[0-9a-f-]{36}$", error="web.request_page.handlers_help")
        )
    )


class CommentForm(FormSchema):
    text = fields.String(required=True, validate=FREE_TEXT, error_messages=REQUIRED)
    question = fields.String(validate=validate.Length(1, 8))


class TranslationForm(FormSchema):
    text = fields.String(
        required=True,
        validate=validate.Regexp(r"^(description|(answer|comment|history):[0-9a-f-]{1,36})$"),
        error_messages=REQUIRED,
    )


class AttachmentForm(FormSchema):
    language = fields.String(
        required=True,
        validate=validate.OneOf(SUPPORTED_LANGUAGES, error="web.form.invalid"),
        error_messages=REQUIRED,
    )


@cache
def list_keys(name: str) -> tuple[str, ...]:
    """The keys of one of the requests service's shared lists (its shipped file)."""
    lists = yaml.load(LISTS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return tuple(item["key"] for item in lists[name])


def _with_lists(posted: MultiDict, names: tuple[str, ...]) -> dict:
    """A form's values, the fields that may repeat as lists."""
    values = {name: posted.get(name, "") for name in posted if name != "csrf_token"}
    for name in names:
        chosen = [value for value in posted.getlist(name) if value]
        values[name] = chosen if chosen else ""
    return values


class RequestPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``directory`` and
    ``requests``)."""

    # --- creating a request -------------------------------------------------------------------

    @page
    def request_new_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        set_key = request.args.get("set", "")
        return self._create_form(visit, set_key, MultiDict(), {}, None, status=200)

    @page
    def request_create(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        posted = visit.form()
        actor = visit.authenticate()
        form = request.form
        values, errors = read_form(NewRequestForm, _with_lists(form, ("questions",)))
        button = form.get("button", "save")
        if button == "search":
            return self._create_form(visit, form.get("set_key", ""), form, {}, None, status=200)
        if not errors and button == "send" and not values.get("responder_id"):
            errors = {"responder_id": "web.request_form.responder_missing"}
        if errors:
            return self._create_form(visit, posted.get("set_key", ""), form, errors, None, 400)
        body = {"set_key": values["set_key"], "questions": values["questions"],
                "subject": {name: str(values[name]) for name in SUBJECT_FIELDS if values.get(name)},
                "language": values.get("language", visit.language)}  # fmt: skip
        for name in ("responder_id", "description", "pq_type"):
            if values.get(name):
                body[name] = values[name]
        try:
            created = self.requests.create_request(actor, body, view=False)
        except (ValidationFailed, Conflict, Forbidden, Missing) as refused:
            problem, field_errors = _problem(visit, refused)
            return self._create_form(visit, values["set_key"], form, field_errors, problem,
                                     refused.status)  # fmt: skip
        target = f"/requests/{created['id']}"
        if button != "send":
            return visit.redirect(f"{target}?done=save_draft")
        try:
            self.requests.act_on_request(actor, created["id"], "send",
                                         {"version": created["version"]}, view=False)  # fmt: skip
        except (ValidationFailed, Conflict, Forbidden) as refused:
            return visit.redirect(f"{target}?problem={refused.code}")
        return visit.redirect(f"{target}?done=send")

    def _create_form(self, visit, set_key: str, posted, errors: dict, problem, status: int):
        actor = visit.actor
        rights = {grant.get("area") for grant in actor.get("grants", ())
                  if grant["right"] == "request_handler"}  # fmt: skip
        if not rights:
            raise Forbidden("Only request handlers create requests.", "error.right_missing")
        sets = [
            item for item in self.requests.list_question_sets(actor)["items"]
            if item["published_number"] and (None in rights or item["area"] in rights)
        ]  # fmt: skip
        chosen = None
        if set_key and any(item["key"] == set_key for item in sets):
            chosen = self.requests.question_set(actor, set_key, {"language": visit.language})
        found = None
        text = (posted.get("responder_search") or "").strip()
        if chosen and text:
            found = self.directory.search_authorities(
                actor, {"text": text[:200], "area": chosen["area"], "page_size": SEARCH_RESULTS,
                        "language": visit.language},
            )["items"]  # fmt: skip
        return visit.page(
            "request_new.html", status, sets=sets, chosen=chosen, posted=posted,
            errors={name: visit.t(key) for name, key in errors.items()}, problem=problem,
            found=found, subject_fields=SUBJECT_FIELDS, editing=None, copied=False,
            member_state_names=member_state_names(visit.language),
            pq_types=list_keys("pq_request_types"), languages_spoken=SUPPORTED_LANGUAGES,
        )  # fmt: skip

    # --- the request page -----------------------------------------------------------------------

    @page
    def request_page(self, request: Request, request_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _check_id(request_id)
        done = request.args.get("done", "")
        problem = request.args.get("problem", "")
        notice = None
        if (
            done in ACTION_INPUTS
            or done in REPLY_ACTIONS
            or done in ("save_draft", "save_reply", "comment", "attach")
        ):
            notice = ("info", visit.t("web.request_page.done", action=visit.t(_label(done))))
        if done == "stop_editing":
            notice = ("info", visit.t("web.request_editing.stopped"))
        if problem and visit.t.has(problem) and problem.split(".")[0] in ("request", "error"):
            notice = ("error", visit.t(problem))
        # the page that tells of a finished step does not mark the user as working on it again
        return self._request_page(visit, request_id, notice=notice, mark=not done)

    def _request_page(self, visit, request_id: str, status: int = 200, notice=None,
                      posted=None, errors=None, open_form: str | None = None,
                      translations=None, mark: bool = True) -> Response:  # fmt: skip
        actor = visit.actor
        shown = {
            **VIEW_DEFAULTS,
            **self.requests.request(actor, request_id, {"language": visit.language}),
        }
        marked, editors = (
            start_editing(self.requests, actor, shown)
            if mark
            else (False, shown.get("being_edited_by") or [])
        )
        parties = {side: self._authority(actor, shown[side]) for side in ("requester", "responder")}
        args = visit.request.args
        find = (args.get("find") or "").strip()
        found = None
        if find and shown.get("responder"):
            found = self.directory.search_authorities(
                actor, {"text": find[:200], "member_state": shown["responder"]["member_state"],
                        "area": shown["area"], "page_size": SEARCH_RESULTS,
                        "language": visit.language},
            )["items"]  # fmt: skip
        actions = [action for action in ACTION_ORDER if action in shown["actions"]]
        reply_actions = [action for action in REPLY_ACTIONS if action in shown["actions"]]
        rights = visit.rights()
        may_write = "request_handler" in rights and shown["comments"] is not None
        open_status = shown["status"] not in ("closed", "withdrawn")
        return visit.page(
            "request_page.html", status, request=shown, parties=parties, actions=actions,
            action_inputs=ACTION_INPUTS, reply_actions=reply_actions,
            may_reply=bool(reply_actions) or "save_reply_draft" in shown["actions"],
            answerable=_answerable(shown), may_comment=may_write,
            may_attach=may_write and open_status and not shown.get("blocked_at"),
            notice=notice, posted=posted if posted is not None else MultiDict(),
            errors={name: visit.t(key) for name, key in (errors or {}).items()},
            open_form=open_form or args.get("form", ""), find=find, found=found,
            translations=translations or {},
            member_state_names=member_state_names(visit.language),
            cannot_provide_reasons=list_keys("cannot_provide_reasons"),
            decline_reasons=list_keys("decline_reasons"),
            languages_spoken=SUPPORTED_LANGUAGES, report_parts=REPORT_PART_LABELS,
            may_copy=may_copy(actor, shown), copy_elements=COPY_ELEMENT_LABELS,
            colleagues=self._colleagues(actor, shown) if "allocate" in actions else None,
            marked=marked, editors=editors,
        )  # fmt: skip

    def _colleagues(self, actor: dict, shown: dict) -> list[dict] | None:
        """The request handlers an allocator may choose from, by name; None when identity
        does not answer (the form then asks for their user ids)."""
        try:
            return self.identity.colleagues(
                actor, {"right": "request_handler", "area": shown["area"]}
            )["items"]
        except ImiError:
            return None

    def _authority(self, actor: dict, party: dict | None) -> dict | None:
        """The party's names as the directory gives them, if it lets this reader see them."""
        if not party:
            return None
        try:
            return self.directory.get_authority(actor, party["authority_id"])
        except (Missing, Forbidden):
            return None

    # --- actions ------------------------------------------------------------------------------

    @page
    def request_act(self, request: Request, request_id: str, action: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        if action not in ACTION_INPUTS:
            raise NotFound()
        posted = request.form
        raw = _with_lists(posted, ("questions", "handlers"))
        if isinstance(raw.get("handlers"), list):
            raw["handlers"] = [part for value in raw["handlers"] for part in value.split()]
        values, errors = read_form(ActionForm, raw)
        if not errors:
            errors = {name: "web.form.required" for name in REQUIRED_INPUTS.get(action, ())
                      if not values.get(name)}  # fmt: skip
        if errors:
            return self._request_page(visit, request_id, 400, posted=posted, errors=errors,
                                      open_form=action)  # fmt: skip
        body = {name: values[name] for name in ("version", *ACTION_INPUTS[action])
                if values.get(name) not in (None, "", [])}  # fmt: skip
        if "date" in body:
            body["date"] = body["date"].isoformat()
        if body.keys() & {"reason", "justification", "opinion", "feedback"}:
            body["language"] = visit.language
        try:
            outcome = self.requests.act_on_request(actor, request_id, action, body, view=False)
        except ImiError as refused:
            return self._refused(visit, request_id, refused, posted, action)
        stop_editing(self.requests, actor, request_id)
        if not outcome["visible"]:  # forwarded away: no longer this user's to read
            return visit.redirect("/requests?box=all")
        return visit.redirect(f"/requests/{request_id}?done={action}")

    @page
    def request_reply(self, request: Request, request_id: str) -> Response:
        """Save the answers typed in the reply draft, then send them if a send was asked."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        posted = request.form
        button = posted.get("button", "save")
        if button != "save" and button not in REPLY_ACTIONS:
            raise NotFound()
        try:
            version = int(posted.get("version", ""))
        except ValueError:
            errors = {"version": "web.form.invalid"}
            return self._request_page(
                visit, request_id, 400, posted=posted, errors=errors, open_form="reply"
            )
        shown = self.requests.request(actor, request_id, {"language": visit.language})
        answers = _answers(shown, posted, visit.language)
        try:
            if answers:
                draft = {"version": version, "answers": answers}
                saved = self.requests.save_reply_draft(actor, request_id, draft, view=False)
                version = saved["version"]
            elif button == "save":
                return self._request_page(
                    visit, request_id, 400, posted=posted,
                    errors={"reply": "web.request_page.nothing_answered"}, open_form="reply",
                )  # fmt: skip
            if button != "save":
                self.requests.act_on_request(
                    actor, request_id, button, {"version": version}, view=False
                )
        except ImiError as refused:
            return self._refused(visit, request_id, refused, posted, "reply")
        stop_editing(self.requests, actor, request_id)
        return visit.redirect(
            f"/requests/{request_id}?done={'save_reply' if button == 'save' else button}"
        )

    def _refused(self, visit, request_id: str, refused: ImiError, posted, form: str) -> Response:
        """The page again, the user's input kept, with what the service said."""
        if isinstance(refused, StaleVersion):
            extra = refused.extra
            name = extra.get("changed_by_username")
            when = visit.t.datetime(extra["changed_at"]) if extra.get("changed_at") else ""
            message = (
                visit.t("web.request_page.conflict", name=name, when=when)
                if name
                else visit.t("web.request_page.conflict_unknown")
            )
            return self._request_page(visit, request_id, 409, notice=("error", message),
                                      posted=_fresh_version(posted), open_form=form)  # fmt: skip
        if not isinstance(refused, ValidationFailed | Conflict | Forbidden | Missing | Unavailable):
            raise refused
        problem, errors = _problem(visit, refused)
        return self._request_page(visit, request_id, refused.status, notice=("error", problem),
                                  posted=posted, errors=errors, open_form=form)  # fmt: skip

    # --- comments, attachments, translations, the report -------------------------------------

    @page
    def request_comment(self, request: Request, request_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        values, errors = read_form(CommentForm, _with_lists(request.form, ()))
        if errors:
            return self._request_page(visit, request_id, 400, posted=request.form,
                                      errors={f"comment_{k}": v for k, v in errors.items()},
                                      open_form="comment")  # fmt: skip
        body = {"text": values["text"], "language": visit.language}
        if values.get("question"):
            body["question"] = values["question"]
        try:
            self.requests.add_comment(actor, request_id, body)
        except ImiError as refused:
            return self._refused(visit, request_id, refused, request.form, "comment")
        stop_editing(self.requests, actor, request_id)
        return visit.redirect(f"/requests/{request_id}?done=comment")

    @page
    def request_attach(self, request: Request, request_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        values, errors = read_form(AttachmentForm, _with_lists(request.form, ()))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = {**errors, "file": "web.request_page.file_missing"}
        if errors:
            return self._request_page(visit, request_id, 400, posted=request.form,
                                      errors=errors, open_form="attach")  # fmt: skip
        content = upload.read()
        media_type = mimetypes.guess_type(upload.filename)[0] or upload.mimetype
        body = {"name": upload.filename, "language": values["language"],
                "media_type": media_type or "application/octet-stream",
                "content": base64.b64encode(content).decode("ascii")}  # fmt: skip
        try:
            self.requests.add_attachment(actor, request_id, body)
        except ImiError as refused:
            return self._refused(visit, request_id, refused, request.form, "attach")
        stop_editing(self.requests, actor, request_id)
        return visit.redirect(f"/requests/{request_id}?done=attach")

    @page
    def request_attachment(self, request: Request, request_id: str, attachment_id: str):
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _check_id(request_id)
        _check_id(attachment_id)
        found = self.requests.attachment_content(actor, request_id, attachment_id)
        return _download(found)

    @page
    def request_translate(self, request: Request, request_id: str) -> Response:
        """A machine translation of one of the other party's free texts, into the reader's
        language, shown beside its original (nothing is stored: the page is answered as is)."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        values, errors = read_form(TranslationForm, _with_lists(request.form, ()))
        if errors:
            raise ValidationFailed.from_fields(errors)
        reference = values["text"]
        try:
            translated = self.requests.translate_request_text(
                actor, request_id, {"text": reference, "target": visit.language}
            )
        except (ValidationFailed, Unavailable, Conflict) as refused:
            key = refused.code if visit.t.has(refused.code) else "web.request_page.mt_failed"
            translated = {"problem": key}
        return self._request_page(visit, request_id, translations={reference: translated})

    @page
    def request_stop_editing(self, request: Request, request_id: str) -> Response:
        """The user says they no longer work on the request, before the mark lapses."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        _check_id(request_id)
        self.requests.stop_editing(actor, request_id)
        return visit.redirect(f"/requests/{request_id}?done=stop_editing")

    @page
    def request_report_page(self, request: Request, request_id: str) -> Response:
        """The PDF report, in the reader's language: every part the reader's view shows, or
        the parts the reader ticked (``chosen``: the report form; left without the subject, it
        holds no personal data)."""
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _check_id(request_id)
        query = {"language": visit.language}
        if request.args.get("chosen"):
            asked = request.args.getlist("part")
            parts = [part for part in REPORT_PART_LABELS if part in asked]
            if not parts:
                errors = {"report_parts": "web.request_page.report_parts_missing"}
                return self._request_page(visit, request_id, 400, posted=request.args,
                                          errors=errors, open_form="report")  # fmt: skip
            query["parts"] = ",".join(parts)
        found = self.requests.request_report(actor, request_id, query)
        return _download(found)


def _check_id(value: str) -> None:
    if not REQUEST_ID.fullmatch(value):
        raise NotFound()


def _label(action: str) -> str:
    return f"web.request_action.{action}"


def _download(found: dict) -> Response:
    response = Response(base64.b64decode(found["content"]), content_type=found["media_type"])
    response.headers["Content-Disposition"] = content_disposition(found["name"])
    response.headers["Cache-Control"] = "no-store"  # it may hold personal data
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _problem(visit, refused: ImiError) -> tuple[str, dict[str, str]]:
    """The service's refusal in the reader's words, and its field messages where it names
    fields of the form."""
    code = refused.code if visit.t.has(refused.code) else type(refused).default_code
    message = visit.t(code) if visit.t.has(code) else visit.t("web.form.invalid")
    errors = {}
    for name in (
        (refused.extra.get("errors") or {}) if isinstance(refused, ValidationFailed) else ()
    ):
        field = str(name).split(".")[0]
        errors[{"subject": "full_name"}.get(field, field)] = "web.form.invalid"
    return message, errors


def _fresh_version(posted: MultiDict) -> MultiDict:
    """The user's input without the version they read: the form then carries the version the
    page has just read, so that submitting again saves over what the other person saved."""
    kept = MultiDict(posted)
    kept.pop("version", None)
    return kept


def _answerable(shown: dict) -> list[str]:
    """The numbers of the questions a reply may answer now."""
    if shown["status"] == "additional_information_requested":
        return [question["number"] for question in shown.get("questions") or ()]
    return [
        question["number"]
        for question in shown.get("questions") or ()
        if not any(not answer["draft"] for answer in question["answers"])
    ]


def _answers(shown: dict, posted: MultiDict, language: str) -> list[dict]:
    """The answers typed in the reply form, each in its question's answer type."""
    answers = []
    by_number = {question["number"]: question for question in shown.get("questions") or ()}
    for number in _answerable(shown):
        question = by_number[number]
        name = f"answer-{number}"
        reason = posted.get(f"cannot-{number}", "")
        if reason:
            answers.append({"question": number, "cannot_provide": reason, "value": None})
            continue
        kind = question["answer"]
        if kind in ("multiple_choice", "document"):
            value = [item for item in posted.getlist(name) if item] or None
        else:
            value = posted.get(name, "").strip() or None
        if value is None:
            continue
        if kind == "yes_no":
            value = {"true": True, "false": False}.get(value, value)
        answer = {"question": number, "value": value}
        if kind == "free_text":
            answer["language"] = language
        answers.append(answer)
    return answers
