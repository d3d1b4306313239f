"""/api/v1/alerts: Services Directive and Professional Qualifications alerts and case-by-case
derogations (docs/alerts.md), from the draft to closure, each step as
``POST /alerts/{id}/actions/{action}`` at the version read; the lists of my authority's
alerts and mailbox, the late Professional Qualifications alerts, and the member states'
approval settings."""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import fields, validate
from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.notifications.alert_schemas import (
    AlertActionSchema,
    AlertListQuerySchema,
    AlertListSchema,
    AlertSettingInputSchema,
    AlertSettingListSchema,
    AlertSettingSchema,
    AlertViewSchema,
    DerogationInputSchema,
    LateAlertQuerySchema,
    PqAlertInputSchema,
    ServicesAlertInputSchema,
)
from services.notifications.alerts import Action

_ONE = f"{API}/alerts/{{alert_id}}"
_TAG = "alerts"
_CHANGE = (403, 404, 409)
_ACTION = MappingProxyType({"action": fields.String(validate=validate.OneOf(list(Action)))})


def _create(name: str, path: str, summary: str, body) -> Route:
    return Route(
        name, "POST", f"{API}/alerts/{path}", summary, _TAG, body=body,
        response=AlertViewSchema, statuses=(201,), authenticated=True, errors=(403, 409),
        location=f"{API}/alerts/{{id}}",
    )  # fmt: skip


ROUTES = (
    Route(
        "list_alerts", "GET", f"{API}/alerts",
        "My authority's alerts: outgoing, incoming, in its incoming alert mailbox, or waiting "
        "for its approval as alert coordinator, each in my view, a page at a time", _TAG,
        query=AlertListQuerySchema, response=AlertListSchema, authenticated=True,
    ),
    _create("create_services_alert", "services",
            "A draft Services Directive alert, its three criteria confirmed (alert handlers)",
            ServicesAlertInputSchema),
    _create("create_pq_alert", "professional-qualifications",
            "A draft Professional Qualifications alert: the professional's identity, "
            "profession, deciding authority, scope and period, never the reasons "
            "(alert handlers)", PqAlertInputSchema),
    _create("create_derogation", "derogations",
            "A draft case-by-case derogation: the measure intended against a provider of "
            "another member state, with its reasons (alert handlers)", DerogationInputSchema),
    Route(
        "read_alert", "GET", _ONE,
        "An alert in my view: all of it, or a Professional Qualifications alert's profession "
        "and scope only in a mailbox that has not routed it; the actions I may take", _TAG,
        response=AlertViewSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "act_on_alert", "POST", f"{_ONE}/actions/{{action}}",
        "Take a step of the alert's workflow (send, approve, disseminate, acknowledge, "
        "comment, propose closure, close, withdraw, mark unjustified, modify, record the "
        "information of the professional, answer: docs/alerts.md) at the version read", _TAG,
        body=AlertActionSchema, response=AlertViewSchema, authenticated=True, errors=_CHANGE,
        path_fields=_ACTION,
    ),
    Route(
        "late_alerts", "GET", f"{API}/late-alerts",
        "Professional Qualifications alerts sent, modified or closed after their 3-day "
        "deadline, or still unsent past it (alert coordinators of the state, Commission "
        "administrators)", _TAG,
        query=LateAlertQuerySchema, response=AlertListSchema, authenticated=True,
        errors=(403,),
    ),
    Route(
        "list_alert_settings", "GET", f"{API}/alert-settings",
        "Which member states' alerts need an alert coordinator's approval", _TAG,
        response=AlertSettingListSchema, authenticated=True,
    ),
    Route(
        "change_alert_setting", "PUT", f"{API}/alert-settings/{{member_state}}",
        "Set whether a member state's alerts need approval (Commission administrators, the "
        "state's national coordinator); the version read once it has a setting", _TAG,
        body=AlertSettingInputSchema, response=AlertSettingSchema, authenticated=True,
        errors=(403, 409),
    ),
)  # fmt: skip


class AlertsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``notifications``)."""

    @api
    def list_alerts(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.list_alerts(call.actor, call.query)

    @api
    def create_services_alert(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_alert(call.actor, "services", call.body)

    @api
    def create_pq_alert(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_alert(
            call.actor, "professional_qualifications", call.body
        )

    @api
    def create_derogation(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_alert(call.actor, "derogation", call.body)

    @api
    def read_alert(self, request: Request, alert_id: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.alert(call.actor, alert_id)

    @api
    def act_on_alert(self, request: Request, alert_id: str, action: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).act_on_alert(call.actor, alert_id, action, call.body)

    @api
    def late_alerts(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.late_alerts(call.actor, call.query)

    @api
    def list_alert_settings(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.alert_settings(call.actor)

    @api
    def change_alert_setting(self, request: Request, member_state: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).change_alert_setting(
            call.actor, member_state, call.body
        )
