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
    PageRoute("alert_page", "GET", "/alerts/<alert_id>"),
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
# the steps a page has a form for, in the order the page shows them; a step the service
# allows and the pages cannot take yet (editing a draft, the steps of Professional
# Qualifications alerts and derogations) is not offered
ACTIONS = ("send", "approve", "refuse_approval", "disseminate", "acknowledge", "comment",
           "record_information", "propose_closure", "close", "mark_unjustified",
           "withdraw")  # fmt: skip
DECISIONS = ("restriction", "prohibition", "falsified_diplomas")
MEANS = ("letter", "email", "in_person", "other")
PQ = "professional_qualifications"
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


class ServicesAlertForm(FormSchema):
    form_key = _text(64)
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


def _date(required: bool = True) -> fields.Date:
    messages = {"invalid": "web.form.invalid", **REQUIRED}
    if required:
        return fields.Date(required=True, error_messages=messages)
    return fields.Date(load_default=None, error_messages=messages)


class PqAlertForm(FormSchema):
    form_key = _text(64)
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


class VersionForm(FormSchema):
    version = fields.Integer(
        required=True, validate=validate.Range(1, 2**31), error_messages=REQUIRED
    )


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
        body = {
            "title": values["title"],
            "description": values["description"],
            "criteria": dict.fromkeys(CRITERIA, True),
            "member_states": sorted(set(values["member_states"])),
        }
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
        body = {
            "professional": {"name": values["name"], "birth_date": values["birth_date"].isoformat(),
                             "birth_place": values["birth_place"]},
            **{name: values[name] for name in ("profession", "deciding_authority", "decision",
                                               "scope")},
            **{name: values[name].isoformat() if values[name] else None
               for name in ("decision_date", "restriction_from", "restriction_until")},
        }  # fmt: skip
        key = idempotency_key(actor, request.path, values["form_key"], body)
        try:
            created = self.notifications.using(idempotency_key=key).create_alert(actor, PQ, body)
        except ValidationFailed as exc:
            return self._new_pq_alert(visit, 400, form, refused_fields(visit, exc),
                                      problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._new_pq_alert(visit, exc.status, form, {}, problem_notice(exc))
        return visit.redirect(f"/alerts/{created['id']}")

    def _new_pq_alert(self, visit, status: int, form: dict, errors: dict, problem) -> Response:
        return visit.page("alert_new_pq.html", status, form=form, errors=errors, problem=problem,
                          decisions=DECISIONS)  # fmt: skip

    def _new_alert(self, visit, status: int, form: dict, errors: dict, problem) -> Response:
        names = member_state_names(visit.language)
        own = (visit.actor or {}).get("member_state")
        states = sorted((code for code in EEA_COUNTRIES if code != own), key=names.get)
        return visit.page(
            "alert_new.html", status, form=form, errors=errors, problem=problem,
            states=states, member_state_names=names, criteria=CRITERIA,
        )  # fmt: skip

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
        values, errors = read_form(ACTION_FORMS.get(action, VersionForm), form)
        if errors:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, 400, acting=action, form=form,
                                    errors=error_texts(visit, errors))  # fmt: skip
        body = {name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in values.items() if value is not None}  # fmt: skip
        if action == "comment":
            body["further_information"] = values.get("further_information") == "yes"
        try:
            self.notifications.act_on_alert(actor, alert_id, action, body)
        except ValidationFailed as exc:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, 400, acting=action, form=form,
                                    errors=refused_fields(visit, exc),
                                    notice=problem_notice(exc))  # fmt: skip
        except Conflict as exc:
            shown = self._alert(visit, alert_id)
            return self._alert_page(visit, shown, 409, acting=action, form=form,
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
