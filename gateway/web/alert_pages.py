"""The alert pages: the lists of a user's alerts, an alert as the notifications service lets
this user read it, the form that writes a Services Directive alert and one form per step of
its workflow (docs/alerts.md, docs/web.md "Alerts").

The service decides everything: which alerts a list holds, what of an alert a reader sees,
and which steps this reader may take now (the view's ``actions``). A page shows a step's
form only where the service names the step, and the service checks again when the form
comes back. The pages hold back only a visitor who has no alert right at all (the menu's
rule): the lists would be empty for them, and the form to write an alert would be refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from contextlib import suppress

from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.errors import Conflict, Forbidden, ImiError, ValidationFailed
from services.common.reference import EEA_COUNTRIES

PAGES = (
    PageRoute("alerts_page", "GET", "/alerts"),
    PageRoute("new_alert_form", "GET", "/alerts/new"),
    PageRoute("new_alert_submit", "POST", "/alerts/new"),
    PageRoute("new_pq_alert_form", "GET", "/alerts/new/professional-qualifications"),
    PageRoute("new_pq_alert_submit", "POST", "/alerts/new/professional-qualifications"),
    PageRoute("new_derogation_form", "GET", "/alerts/new/derogation"),
    PageRoute("new_derogation_submit", "POST", "/alerts/new/derogation"),
    PageRoute("alert_page", "GET", "/alerts/<alert_id>"),
    PageRoute("alert_edit_form", "GET", "/alerts/<alert_id>/edit"),
    PageRoute("alert_action", "POST", "/alerts/<alert_id>/actions/<action>"),
)

ALERT_RIGHTS = frozenset({"alert_handler", "alert_authoriser"})
# the lists a user can switch between, in the order of the tabs (the service's boxes)
ALERT_BOXES = ("incoming", "outgoing", "mailbox", "approval")
PAGE_SIZE = 25
ALERT_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
CRITERIA = ("cause_is_service_activity", "risk_exists_now", "cross_border")
# the statuses and kinds of alerts and the steps of their workflow the pages name
STATUSES = ("draft", "awaiting_approval", "sent", "closure_proposed", "answered", "closed",
            "withdrawn")  # fmt: skip
KINDS = ("services", "professional_qualifications", "derogation")
# the steps of an alert's workflow, in the order the page shows their forms (editing a draft:
# the creation form, filled)
ACTIONS = ("edit_draft", "send", "approve", "refuse_approval", "disseminate", "acknowledge",
           "answer", "comment", "record_information", "modify", "propose_closure", "close",
           "mark_unjustified", "withdraw")  # fmt: skip
DECISIONS = ("restriction", "prohibition", "falsified_diplomas")
MEANS = ("letter", "email", "in_person", "other")
PQ = "professional_qualifications"
DEROGATION = "derogation"
# the kinds whose creation form the pages have, to edit a draft with
EDITABLE = ("services", PQ, DEROGATION)
PQ_FIELDS = ("profession", "deciding_authority", "decision", "decision_date", "scope",
             "restriction_from", "restriction_until")  # fmt: skip
# what modifying a Professional Qualifications alert changes
PQ_CHANGES = ("profession", "scope", "restriction_from", "restriction_until")
DEROGATION_FIELDS = ("title", "provider_state", "provider_name", "measure", "reasons")
CANDIDATES = 20


def _text(max_length: int) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(1, max_length, error="web.form.too_long"),
        error_messages=REQUIRED,
    )


class _Ticked(fields.String):
    """A checkbox that must be ticked: a browser sends it only when it is."""

    def __init__(self):
        super().__init__(
            required=True,
            validate=validate.Equal("yes", error="web.alert.criterion_required"),
            error_messages={"required": "web.alert.criterion_required",
                            "null": "web.alert.criterion_required"},
        )  # fmt: skip


class AlertListLink(FormSchema):
    box = fields.String(load_default="incoming", validate=validate.OneOf(ALERT_BOXES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10000))


class AlertLink(FormSchema):
    find = fields.String(load_default=None, validate=validate.Length(1, 200))
    done = fields.String(load_default=None, validate=validate.OneOf(ACTIONS))


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(1, 2**31), error_messages=REQUIRED)


class ServicesAlertContent(FormSchema):
    title = _text(200)
    description = _text(4000)
    cause_is_service_activity = _Ticked()
    risk_exists_now = _Ticked()
    cross_border = _Ticked()
    member_states = fields.List(
        fields.String(validate=validate.OneOf(EEA_COUNTRIES, error="web.form.invalid")),
        required=True,
        validate=validate.Length(1, 30, error="web.alert.states_required"),
        error_messages={"required": "web.alert.states_required"},
    )


class ServicesAlertForm(ServicesAlertContent):
    form_key = _text(64)


class ServicesAlertEdit(ServicesAlertContent):
    version = _version()


def _date(required: bool = True) -> fields.Date:
    messages = {"invalid": "web.form.invalid", **REQUIRED}
    if required:
        return fields.Date(required=True, error_messages=messages)
    return fields.Date(load_default=None, error_messages=messages)


class PqAlertContent(FormSchema):
    name = _text(200)
    birth_date = _date()
    birth_place = _text(200)
    profession = _text(200)
    deciding_authority = _text(200)
    decision = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS, error="web.form.invalid"),
        error_messages=REQUIRED,
    )
    decision_date = _date()
    scope = _text(1000)
    restriction_from = _date()
    restriction_until = _date(required=False)

    @validates_schema
    def _period(self, data, **kwargs):
        until, start = data.get("restriction_until"), data.get("restriction_from")
        if until is not None and start is not None and until < start:
            raise ValidationError("web.alert.period_invalid", "restriction_until")


class PqAlertForm(PqAlertContent):
    form_key = _text(64)


class PqAlertEdit(PqAlertContent):
    version = _version()


class DerogationContent(FormSchema):
    title = _text(200)
    provider_state = fields.String(
        required=True,
        validate=validate.OneOf(EEA_COUNTRIES, error="web.form.invalid"),
        error_messages=REQUIRED,
    )
    provider_name = _text(200)
    measure = _text(4000)
    reasons = _text(4000)


class DerogationForm(DerogationContent):
    form_key = _text(64)


class DerogationEdit(DerogationContent):
    version = _version()


class VersionForm(FormSchema):
    version = _version()


class ReasonForm(VersionForm):
    reason = _text(4000)


class CommentForm(VersionForm):
    text = _text(4000)
    further_information = fields.String(load_default=None)


class DisseminateForm(VersionForm):
    authority_ids = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 200, error="web.alert.authorities_required"),
        error_messages={"required": "web.alert.authorities_required"},
    )


class CloseForm(VersionForm):
    decision_date = _date(required=False)  # a Professional Qualifications alert's


class AnswerForm(VersionForm):
    text = _text(4000)


class ModifyForm(VersionForm):
    """A Professional Qualifications alert after a new decision: its date, and the
    restriction as it now stands."""

    decision_date = _date()
    profession = _text(200)
    scope = _text(1000)
    restriction_from = _date()
    restriction_until = _date(required=False)

    @validates_schema
    def _period(self, data, **kwargs):
        until, start = data.get("restriction_until"), data.get("restriction_from")
        if until is not None and start is not None and until < start:
            raise ValidationError("web.alert.period_invalid", "restriction_until")


class InformationForm(VersionForm):
    informed_on = _date()
    means = fields.String(
        required=True,
        validate=validate.OneOf(MEANS, error="web.form.invalid"),
        error_messages=REQUIRED,
    )


ACTION_FORMS = {
    "close": CloseForm,
    "record_information": InformationForm,
    "refuse_approval": ReasonForm,
    "mark_unjustified": ReasonForm,
    "comment": CommentForm,
    "answer": AnswerForm,
    "modify": ModifyForm,
    "disseminate": DisseminateForm,
}
# the form fields a browser sends several of (checkboxes of one name)
LISTS = ("member_states", "authority_ids")


class AlertPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``notifications`` and
    ``directory``)."""

    @page
    def alerts_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        _require_alert_right(visit)
        link = read_link(AlertListLink, request.args.to_dict())
        listed = self.notifications.list_alerts(
            actor, {"box": link["box"], "page": link["page"], "page_size": PAGE_SIZE}
        )
        more = listed["total"] > link["page"] * PAGE_SIZE
        return visit.page(
            "alert_list.html", box=link["box"], boxes=ALERT_BOXES, alerts=listed["items"],
            page_number=link["page"], more=more, may_create=_may_create(visit),
            may_create_pq=_may_create(visit, PQ),
            member_state_names=member_state_names(visit.language),
        )  # fmt: skip

    @page
    def new_alert_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _require_create_right(visit)
        return self._new_alert(visit, 200, {"form_key": uuid.uuid4().hex}, {}, None)

    @page
    def new_alert_submit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        _require_create_right(visit)
        values, errors = read_form(ServicesAlertForm, form)
        if errors:
            return self._new_alert(visit, 400, form, error_texts(visit, errors), None)
        body = _services_draft(values)
        key = idempotency_key(actor, request.path, values["form_key"], body)
        try:
            created = self.notifications.using(idempotency_key=key).create_alert(
                actor, "services", body
            )
        except ValidationFailed as exc:
            return self._new_alert(
                visit, 400, form, refused_fields(visit, exc), problem_notice(exc)
            )
        except (Conflict, Forbidden) as exc:
            return self._new_alert(visit, exc.status, form, {}, problem_notice(exc))
        return visit.redirect(f"/alerts/{created['id']}")

    @page
    def new_pq_alert_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _require_create_right(visit, PQ)
        return self._new_pq_alert(visit, 200, {"form_key": uuid.uuid4().hex}, {}, None)

    @page
    def new_pq_alert_submit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        _require_create_right(visit, PQ)
        values, errors = read_form(PqAlertForm, form)
        if errors:
            return self._new_pq_alert(visit, 400, form, error_texts(visit, errors), None)
        body = _pq_draft(values)
        key = idempotency_key(actor, request.path, values["form_key"], body)
        try:
            created = self.notifications.using(idempotency_key=key).create_alert(actor, PQ, body)
        except ValidationFailed as exc:
            return self._new_pq_alert(visit, 400, form, refused_fields(visit, exc),
                                      problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._new_pq_alert(visit, exc.status, form, {}, problem_notice(exc))
        return visit.redirect(f"/alerts/{created['id']}")

    @page
    def new_derogation_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _require_create_right(visit)
        return self._new_derogation(visit, 200, {"form_key": uuid.uuid4().hex}, {}, None)

    @page
    def new_derogation_submit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        _require_create_right(visit)
        values, errors = read_form(DerogationForm, form)
        if errors:
            return self._new_derogation(visit, 400, form, error_texts(visit, errors), None)
        body = _derogation_draft(values)
        key = idempotency_key(actor, request.path, values["form_key"], body)
        try:
            created = self.notifications.using(idempotency_key=key).create_alert(
                actor, DEROGATION, body
            )
        except ValidationFailed as exc:
            return self._new_derogation(visit, 400, form, refused_fields(visit, exc),
                                        problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._new_derogation(visit, exc.status, form, {}, problem_notice(exc))
        return visit.redirect(f"/alerts/{created['id']}")

    def _new_derogation(self, visit, status: int, form: dict, errors: dict, problem,
                        editing: dict | None = None) -> Response:  # fmt: skip
        names = member_state_names(visit.language)
        own = (visit.actor or {}).get("member_state")
        states = sorted((code for code in EEA_COUNTRIES if code != own), key=names.get)
        return visit.page(
            "alert_new_derogation.html", status, form=form, errors=errors, problem=problem,
            states=states, member_state_names=names, editing=editing,
        )  # fmt: skip

    def _new_pq_alert(self, visit, status: int, form: dict, errors: dict, problem,
                      editing: dict | None = None) -> Response:  # fmt: skip
        return visit.page("alert_new_pq.html", status, form=form, errors=errors, problem=problem,
                          decisions=DECISIONS, editing=editing)  # fmt: skip

    def _new_alert(self, visit, status: int, form: dict, errors: dict, problem,
                   editing: dict | None = None) -> Response:  # fmt: skip
        names = member_state_names(visit.language)
        own = (visit.actor or {}).get("member_state")
        states = sorted((code for code in EEA_COUNTRIES if code != own), key=names.get)
        return visit.page(
            "alert_new.html", status, form=form, errors=errors, problem=problem,
            states=states, member_state_names=names, criteria=CRITERIA, editing=editing,
        )  # fmt: skip

    # --- editing a draft ---------------------------------------------------------------------

    @page
    def alert_edit_form(self, request: Request, alert_id: str) -> Response:
        """The creation form of the draft's kind, filled with the draft as read."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _require_alert_right(visit)
        shown = self._alert(visit, alert_id)
        if "edit_draft" not in shown["actions"] or shown["kind"] not in EDITABLE:
            raise Conflict(
                "This alert is not a draft you can edit.",
                "alert.action_not_allowed",
                {"action": "edit_draft", "status": shown["status"]},
            )
        form = {**_draft_form(shown), "version": str(shown["version"])}
        return self._edit_form(visit, shown, 200, form, {}, None)

    def _edit_draft(self, visit, alert_id: str, form: dict) -> Response:
        """The whole draft again, from its creation form, which comes back with its messages
        where something is wrong."""
        shown = self._alert(visit, alert_id)
        if shown["kind"] not in EDITABLE:
            raise NotFound()
        schema, draft = EDIT_FORMS[shown["kind"]]
        values, errors = read_form(schema, form)
        if errors:
            return self._edit_form(visit, shown, 400, form, error_texts(visit, errors), None)
        body = {"version": values["version"], "draft": draft(values)}
        try:
            self.notifications.act_on_alert(visit.actor, alert_id, "edit_draft", body)
        except ValidationFailed as exc:
            return self._edit_form(visit, shown, 400, form, refused_fields(visit, exc),
                                   problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._edit_form(visit, shown, exc.status, form, {}, problem_notice(exc))
        return visit.redirect(f"/alerts/{alert_id}?done=edit_draft")

    def _edit_form(self, visit, shown: dict, status: int, form: dict, errors: dict,
                   problem) -> Response:  # fmt: skip
        if shown["kind"] == PQ:
            return self._new_pq_alert(visit, status, form, errors, problem, editing=shown)
        if shown["kind"] == DEROGATION:
            return self._new_derogation(visit, status, form, errors, problem, editing=shown)
        return self._new_alert(visit, status, form, errors, problem, editing=shown)

    @page
    def alert_page(self, request: Request, alert_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        _require_alert_right(visit)
        link = read_link(AlertLink, request.args.to_dict())
        shown = self._alert(visit, alert_id)
        notice = None
        if link["done"]:
            notice = {"key": "web.alert.done", "action": link["done"], "kind": "info"}
        return self._alert_page(visit, shown, 200, find=link["find"], notice=notice)

    @page
    def alert_action(self, request: Request, alert_id: str, action: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        _require_alert_right(visit)
        if action not in ACTIONS:
            raise NotFound()
        if action == "edit_draft":
            return self._edit_draft(visit, alert_id, form)
        values, errors = read_form(ACTION_FORMS.get(action, VersionForm), form)
        if errors:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, 400, acting=action, form=form,
                                    errors=error_texts(visit, errors))  # fmt: skip
        body = _action_body(action, values)
        try:
            self.notifications.act_on_alert(actor, alert_id, action, body)
        except ValidationFailed as exc:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, 400, acting=action, form=form,
                                    errors=refused_fields(visit, exc),
                                    notice=problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, exc.status, acting=action, form=form,
                                    notice=problem_notice(exc))  # fmt: skip
        return visit.redirect(f"/alerts/{alert_id}?done={action}")

    # --- reading -----------------------------------------------------------------------------

    def _alert(self, visit, alert_id: str) -> dict:
        if not ALERT_ID.fullmatch(alert_id):
            raise NotFound()
        return self.notifications.alert(visit.actor, alert_id)

    def _alert_page(self, visit, shown: dict, status: int, *, find: str | None = None,
                    acting: str | None = None, form: dict | None = None,
                    errors: dict | None = None, notice=None) -> Response:  # fmt: skip
        actions = [action for action in ACTIONS if action in shown["actions"]]
        candidates = []
        if "disseminate" in actions:
            candidates = self._candidates(visit, shown, find)
        states = {item["authority_id"]: item["member_state"] for item in shown["recipients"]}
        states[shown["sender_authority"]] = shown["sender_state"]
        ids = set(states)
        ids |= {item["authority_id"] for item in shown["comments"]}
        ids |= {item["authority_id"] for item in shown["history"]}
        return visit.page(
            "alert_page.html", status, alert=shown, actions=actions, candidates=candidates,
            find=find or "", acting=acting, form=form or {}, errors=errors or {}, means=MEANS,
            editable=EDITABLE,
            notice=notice, authority_names=authority_names(self.directory, visit.actor, ids),
            authority_states=states,
            member_state_names=member_state_names(visit.language),
        )  # fmt: skip

    def _candidates(self, visit, shown: dict, find: str | None) -> list[dict]:
        """The authorities of the reader's member state that take part in the area's alerts
        and the alert has not reached: those a mailbox's coordinator may disseminate it to
        (the service checks each again)."""
        query = {"member_state": visit.actor["member_state"], "area": shown["area"],
                 "workflow": "alerts", "page_size": CANDIDATES}  # fmt: skip
        if find:
            query["text"] = find
        reached = {item["authority_id"] for item in shown["recipients"]}
        reached.add(visit.actor["authority_id"])
        found = self.directory.search_authorities(visit.actor, query)
        return [item for item in found["items"] if item["id"] not in reached]


def _services_draft(values: dict) -> dict:
    """A Services Directive alert's content as the service takes it, from its form."""
    return {
        "title": values["title"],
        "description": values["description"],
        "criteria": dict.fromkeys(CRITERIA, True),
        "member_states": sorted(set(values["member_states"])),
    }


def _pq_draft(values: dict) -> dict:
    """A Professional Qualifications alert's content as the service takes it, from its form."""
    return {
        "professional": {"name": values["name"], "birth_date": values["birth_date"].isoformat(),
                         "birth_place": values["birth_place"]},
        **{name: values[name] for name in ("profession", "deciding_authority", "decision",
                                           "scope")},
        **{name: values[name].isoformat() if values[name] else None
           for name in ("decision_date", "restriction_from", "restriction_until")},
    }  # fmt: skip


def _derogation_draft(values: dict) -> dict:
    """A case-by-case derogation's content as the service takes it, from its form."""
    return {name: values[name] for name in DEROGATION_FIELDS}


# per kind of alert: the form that edits its draft, and the draft the service takes from it
EDIT_FORMS = {
    "services": (ServicesAlertEdit, _services_draft),
    PQ: (PqAlertEdit, _pq_draft),
    DEROGATION: (DerogationEdit, _derogation_draft),
}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _action_body(action: str, values: dict) -> dict:
    """A step's form as the service takes it: dates as ISO text, a modification's changes
    apart from the date of the decision that made them."""
    body = {name: _plain(value) for name, value in values.items() if value is not None}
    if action == "comment":
        body["further_information"] = values.get("further_information") == "yes"
    if action == "modify":
        body["changes"] = {name: _plain(values.get(name)) for name in PQ_CHANGES}
        for name in PQ_CHANGES:
            body.pop(name, None)
    return body


def _draft_form(shown: dict) -> dict:
    """A draft as its creation form shows it."""
    content = shown["content"]
    if shown["kind"] == DEROGATION:
        return {"title": shown["title"] or "",
                **{name: content.get(name) or "" for name in DEROGATION_FIELDS[1:]}}  # fmt: skip
    if shown["kind"] == PQ:
        professional = shown["professional"] or {}
        return {
            **{name: professional.get(name) or "" for name in ("name", "birth_date",
                                                               "birth_place")},
            **{name: content.get(name) or "" for name in PQ_FIELDS},
        }  # fmt: skip
    criteria = content.get("criteria") or {}
    return {
        "title": shown["title"] or "",
        "description": content.get("description", ""),
        **{name: "yes" for name in CRITERIA if criteria.get(name)},
        "member_states": shown["member_states"],
    }


def _require_alert_right(visit) -> None:
    if not visit.rights() & ALERT_RIGHTS:
        raise Forbidden("An alert right is needed for the alert pages.", "error.right_missing")


def _require_create_right(visit, area: str = "services") -> None:
    if not _may_create(visit, area):
        raise Forbidden("The right alert_handler is needed.", "error.right_missing")


def _may_create(visit, area: str = "services") -> bool:
    """Whether the visitor holds the right to write an alert of the area (the service also
    checks that their authority takes part in the area's alerts)."""
    grants = (visit.actor or {}).get("grants", ())
    return any(grant["right"] == "alert_handler" and grant.get("area") in (None, area)
               for grant in grants)  # fmt: skip


def posted_form(visit) -> dict:
    """The posted form, once its CSRF token is this session's; the fields sent several times
    (checkboxes) as lists."""
    form = visit.form()
    for name in LISTS:
        if name in form:
            form[name] = visit.request.form.getlist(name)
    return form


def idempotency_key(actor: dict, path: str, form_key: str, body: dict) -> str:
    """The same form sent twice (a double click, a reload) creates one alert or notification."""
    scope = "\n".join((actor["user_id"], "POST", path, form_key, json.dumps(body, sort_keys=True)))
    return hashlib.sha256(scope.encode("utf-8")).hexdigest()


def error_texts(visit, errors: dict[str, str]) -> dict[str, str]:
    return {name: visit.t(key) for name, key in errors.items()}


def refused_fields(visit, exc: ValidationFailed) -> dict[str, str]:
    """The fields a service refused, each with the page's message for a refused value (the
    service words its reasons in English)."""
    refused = exc.extra.get("errors") or {}
    return {name.split(".")[0]: visit.t("web.form.invalid") for name in refused}


def problem_notice(exc: ImiError) -> dict:
    """A service's refusal as the page's notice: its own message where the catalogue has one."""
    return {"key": exc.code, "fallback": "web.alert.refused", "kind": "error"}


def authority_names(directory, actor: dict, ids: set[str]) -> dict[str, str]:
    """Each authority's name as the directory gives it to this reader; an authority the
    directory does not show them is left unnamed (the page shows its member state)."""
    names = {}
    for authority_id in sorted(ids):
        with suppress(ImiError):
            names[authority_id] = directory.get_authority(actor, authority_id)["official_name"]
    return names
