"""The alert pages of coordinators and the Commission: the list of late Professional
Qualifications alerts (the notifications service's ``late_alerts``) and whether each member
state's alerts need an alert coordinator's approval before they go out (``alert_settings``,
``change_alert_setting``; docs/alerts.md, docs/web.md "Alerts").

The service decides who reads the late list and who changes a setting; the pages mirror its
rules (``may_read_late``, ``may_change_setting``) only to offer no link or form that it would
refuse, and show its refusal when it refuses all the same.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.common.errors import NotFound as Hidden
from services.common.reference import EEA_COUNTRIES

PAGES = (
    PageRoute("late_alerts_page", "GET", "/alerts/late"),
    PageRoute("alert_settings_page", "GET", "/alerts/settings"),
    PageRoute("alert_setting_form", "GET", "/alerts/settings/<member_state>"),
    PageRoute("alert_setting_submit", "POST", "/alerts/settings/<member_state>"),
)

PQ = "professional_qualifications"
PAGE_SIZE = 25
NIMIC = "NIMIC"  # the directory's coordinator_kind of a national coordinator
# the steps whose lateness a late alert's history records (docs/alerts.md)
LATE_STEPS = ("send", "modify", "close")
# why a late alert is late: unsent past its deadline, or the late step (``changed``: a
# modification or closure the reader cannot see in the alert's history)
LATE_REASONS = ("unsent", *LATE_STEPS, "changed")


class LateLink(FormSchema):
    member_state = fields.String(load_default=None, validate=validate.OneOf(EEA_COUNTRIES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10000))


class SettingLink(FormSchema):
    saved = fields.String(load_default=None, validate=validate.OneOf(["yes"]))


class SettingForm(FormSchema):
    approval_required = fields.String(
        required=True,
        validate=validate.OneOf(["yes", "no"], error="web.alerts.settings.choice_required"),
        error_messages={"required": "web.alerts.settings.choice_required",
                        "null": "web.alerts.settings.choice_required"},
    )  # fmt: skip
    version = fields.Integer(
        load_default=None, validate=validate.Range(1, 2**31),
        error_messages={"invalid": "web.form.invalid", **REQUIRED},
    )  # fmt: skip


def _grants(actor: dict | None) -> list[dict]:
    return list((actor or {}).get("grants", ()))


def is_commission_administrator(actor: dict | None) -> bool:
    return any(grant["right"] == "commission_administrator" for grant in _grants(actor))


def may_read_late(actor: dict | None) -> bool:
    """The service's rule: a Commission administrator (every state's), or an alert authoriser
    of Professional Qualifications (their own state's)."""
    return is_commission_administrator(actor) or any(
        grant["right"] == "alert_authoriser" and grant.get("area") in (None, PQ)
        for grant in _grants(actor)
    )


class AlertAdminPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``notifications`` and
    ``directory``)."""

    @page
    def late_alerts_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(LateLink, request.args.to_dict())
        query = {"page": link["page"], "page_size": PAGE_SIZE}
        if link["member_state"] and is_commission_administrator(actor):
            query["member_state"] = link["member_state"]
        listed = self.notifications.late_alerts(actor, query)
        names = member_state_names(visit.language)
        return visit.page(
            "alert_late.html", alerts=[self._late(actor, item) for item in listed["items"]],
            page_number=link["page"], more=listed["total"] > link["page"] * PAGE_SIZE,
            member_state=query.get("member_state"), member_state_names=names,
            states=sorted(EEA_COUNTRIES, key=names.get) if is_commission_administrator(actor)
            else (),
        )  # fmt: skip

    def _late(self, actor: dict, item: dict) -> dict:
        """A late alert as the list shows it: why and since when it is late, and, where this
        reader may open it, its title and link (its view's history names the late step)."""
        shown = None
        with suppress(Hidden):
            shown = self.notifications.alert(actor, item["id"])
        steps = [entry for entry in (shown or {}).get("history", ())
                 if entry.get("late") and entry["action"] in LATE_STEPS]  # fmt: skip
        sent, deadline = _moment(item["sent_at"]), _moment(item["deadline_at"])
        if sent is None:
            reason, since = "unsent", item["deadline_at"]
        elif deadline is not None and sent >= deadline:
            reason, since = "send", item["deadline_at"]
        elif steps:
            reason, since = steps[0]["action"], steps[0]["at"]
        else:
            reason, since = "changed", None
        title = None
        if shown is not None:
            title = shown["title"] or shown["content"].get("profession")
        return {**item, "reason": reason, "since": since, "readable": shown is not None,
                "name": title}  # fmt: skip

    @page
    def alert_settings_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        settings = {item["member_state"]: item for item in self.notifications.alert_settings(
            actor)["items"]}  # fmt: skip
        names = member_state_names(visit.language)
        changeable = self._changeable(actor)
        rows = [{"member_state": code, "required": settings.get(code, {}).get(
                     "approval_required", False), "changeable": code in changeable}
                for code in sorted(EEA_COUNTRIES, key=names.get)]  # fmt: skip
        return visit.page("alert_settings.html", rows=rows, member_state_names=names,
                          may_read_late=may_read_late(actor))  # fmt: skip

    @page
    def alert_setting_form(self, request: Request, member_state: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        self._require_changeable(actor, member_state)
        link = read_link(SettingLink, request.args.to_dict())
        current = self._setting(actor, member_state)
        form = {"approval_required": "yes" if current["approval_required"] else "no",
                "version": current["version"] or ""}  # fmt: skip
        notice = None
        if link["saved"]:
            notice = {"key": "web.alerts.settings.saved", "kind": "info"}
        return self._setting_page(visit, member_state, 200, form, {}, notice)

    @page
    def alert_setting_submit(self, request: Request, member_state: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        self._require_changeable(actor, member_state)
        values, errors = read_form(SettingForm, form)
        if errors:
            errors = {name: visit.t(key) for name, key in errors.items()}
            return self._setting_page(visit, member_state, 400, form, errors, None)
        body = {"approval_required": values["approval_required"] == "yes",
                "version": values["version"]}  # fmt: skip
        try:
            self.notifications.change_alert_setting(actor, member_state, body)
        except ValidationFailed as exc:
            return self._setting_page(visit, member_state, 400, form, {}, _refusal(exc))
        except (Conflict, Forbidden) as exc:
            return self._setting_page(visit, member_state, exc.status, form, {}, _refusal(exc))
        return visit.redirect(f"/alerts/settings/{member_state}?saved=yes")

    # --- helpers -------------------------------------------------------------------------

    def _setting(self, actor: dict, member_state: str) -> dict:
        """The state's setting as the service has it (none yet: no approval, no version)."""
        for item in self.notifications.alert_settings(actor)["items"]:
            if item["member_state"] == member_state:
                return item
        return {"member_state": member_state, "approval_required": False, "version": None}

    def _setting_page(self, visit, member_state: str, status: int, form: dict, errors: dict,
                      notice) -> Response:  # fmt: skip
        names = member_state_names(visit.language)
        return visit.page(
            "alert_setting.html", status, member_state=member_state, form=form, errors=errors,
            notice=notice, state_name=names.get(member_state, member_state),
        )  # fmt: skip

    def _changeable(self, actor: dict) -> frozenset[str]:
        """The member states whose setting the service lets this visitor change: every one
        for a Commission administrator, their own for a data administrator of its national
        IMI coordinator (as the directory says their authority is)."""
        if is_commission_administrator(actor):
            return frozenset(EEA_COUNTRIES)
        if not any(grant["right"] == "data_administrator" for grant in _grants(actor)):
            return frozenset()
        try:
            authority = self.directory.get_authority(actor, actor["authority_id"])
        except Hidden:
            return frozenset()
        if authority.get("coordinator_kind") != NIMIC:
            return frozenset()
        return frozenset({actor["member_state"]}) & frozenset(EEA_COUNTRIES)

    def _require_changeable(self, actor: dict, member_state: str) -> None:
        if member_state not in EEA_COUNTRIES:
            raise NotFound()
        if member_state not in self._changeable(actor):
            raise Forbidden(
                "Only a Commission administrator or the member state's national coordinator "
                "may set whether its alerts need approval.",
                "alert.setting_forbidden",
            )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _refusal(exc) -> dict:
    """The service's refusal as the form's notice: its own message where the catalogue has
    one."""
    return {"key": exc.code, "fallback": "web.alerts.settings.refused", "kind": "error"}
