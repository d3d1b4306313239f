"""The late alerts list names why an alert is late by a key built from the reason: every
reason the page gives has its text, and every step whose lateness the service records is one."""

from __future__ import annotations

from gateway.web.alert_admin_pages import LATE_REASONS, LATE_STEPS
from gateway.web.texts import Texts
from services.notifications import alerts


def test_every_reason_of_a_late_alert_has_its_text():
    assert [r for r in LATE_REASONS if not Texts("en").has(f"web.alerts.late.reason.{r}")] == []


def test_the_late_steps_are_steps_of_an_alert():
    assert set(LATE_STEPS) <= {action.value for action in alerts.Action}
