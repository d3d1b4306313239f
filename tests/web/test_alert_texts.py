"""The alert pages name some texts by a key built from a value (a status, a step, a list):
every such key is in the catalogue, for every value the notifications service knows."""

from __future__ import annotations

from gateway.web import alert_pages, notification_pages
from gateway.web.alert_forms import CRITERIA, DECISIONS, MEANS
from gateway.web.alert_pages import ALERT_BOXES, KINDS, STATUSES
from gateway.web.notification_pages import NOTIFICATION_BOXES, NOTIFICATION_STATUSES
from gateway.web.texts import Texts
from services.notifications import alert_schemas, alerts, generic
from services.notifications.alert_schemas import BOXES


def test_every_status_kind_step_and_list_of_an_alert_has_its_text():
    keys = [
        *(f"web.alerts.status_name.{status}" for status in STATUSES),
        *(f"web.alerts.kind.{kind}" for kind in KINDS),
        *(f"web.alerts.box.{box}" for box in ALERT_BOXES),
        *(f"web.alert.action.{action}" for action in (*alerts.Action, "create")),
        *(f"web.alert.criterion.{name}" for name in CRITERIA),
        *(f"web.alert.via.{via}" for via in ("mailbox", "dissemination")),
        *(f"web.alert.decision.{decision}" for decision in DECISIONS),
        *(f"web.alert.means.{means}" for means in MEANS),
        *(f"web.alerts.notifications.box.{box}" for box in NOTIFICATION_BOXES),
        *(f"web.alerts.notifications.status.{status}" for status in NOTIFICATION_STATUSES),
        *(f"web.notification.action.{action}" for action in (*generic.Action, "create")),
    ]

    assert [key for key in keys if not Texts("en").has(key)] == []


def test_the_pages_know_every_status_kind_and_list_the_service_has():
    assert set(STATUSES) == {status.value for status in alerts.Status}
    assert set(KINDS) == {kind.value for kind in alerts.Kind}
    assert set(ALERT_BOXES) == set(BOXES)
    assert set(MEANS) == set(alert_schemas.MEANS)
    assert set(NOTIFICATION_STATUSES) == {status.value for status in generic.Status}
    assert set(alert_pages.ACTIONS) == {action.value for action in alerts.Action}
    assert set(notification_pages.ACTIONS) == {action.value for action in generic.Action}
