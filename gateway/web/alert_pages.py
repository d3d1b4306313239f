"""The alert pages: the lists of a user's alerts, an alert as the notifications service lets
this user read it, the forms that write an alert of each kind (Services Directive,
Professional Qualifications, case-by-case derogation) and edit its draft, and one form per
step of its workflow (gateway/web/alert_forms.py; docs/alerts.md, docs/web.md "Alerts").

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

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.alert_admin_pages import may_read_late
from gateway.web.alert_forms import (
    ACTION_FORMS,
    CRITERIA,
    DECISIONS,
    DEROGATION,
    EDIT_FORMS,
    MEANS,
    PQ,
    DerogationForm,
    PqAlertForm,
    ServicesAlertForm,
    VersionForm,
    action_body,
    derogation_draft,
    draft_form,
    pq_draft,
    services_draft,
)
from gateway.web.forms import FormSchema, read_form, read_link
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
# the statuses and kinds of alerts and the steps of their workflow the pages name
STATUSES = ("draft", "awaiting_approval", "sent", "closure_proposed", "answered", "closed",
            "withdrawn")  # fmt: skip
KINDS = ("services", "professional_qualifications", "derogation")
# the steps of an alert's workflow, in the order the page shows their forms (editing a draft:
# the creation form, filled)
ACTIONS = ("edit_draft", "send", "approve", "refuse_approval", "disseminate", "acknowledge",
           "answer", "comment", "record_information", "modify", "propose_closure", "close",
           "mark_unjustified", "withdraw")  # fmt: skip
# the kinds whose creation form the pages have, to edit a draft with
EDITABLE = ("services", PQ, DEROGATION)
CANDIDATES = 20


class AlertListLink(FormSchema):
    box = fields.String(load_default="incoming", validate=validate.OneOf(ALERT_BOXES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10000))


class AlertLink(FormSchema):
    find = fields.String(load_default=None, validate=validate.Length(1, 200))
    done = fields.String(load_default=None, validate=validate.OneOf(ACTIONS))


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
            may_create_pq=_may_create(visit, PQ), may_read_late=may_read_late(actor),
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
        body = services_draft(values)
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
        body = pq_draft(values)
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
        body = derogation_draft(values)
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
        form = {**draft_form(shown), "version": str(shown["version"])}
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
        body = action_body(action, values)
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
