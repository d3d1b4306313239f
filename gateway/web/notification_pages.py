"""The generic notification pages: the lists of a user's notifications, a notification as the
notifications service lets this user read it, the form that writes one of a type (its fields
rendered from the type's definition) and one form per step of its workflow (docs/web.md
"Alerts and generic notifications", docs/generic-notifications.md).

The service decides everything: which types a user may write (the type's sending rights in
its area, the authority's part in the area's notifications), which notifications a list
holds, and which steps this reader may take now (the view's ``actions``). A page offers a
type only to a holder of one of its sending rights, and a step only where the service names
it; the service checks again when the form comes back.
"""

from __future__ import annotations

import re
import uuid

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.alert_forms import VersionForm
from gateway.web.alert_pages import (
    authority_names,
    error_texts,
    idempotency_key,
    posted_form,
    problem_notice,
)
from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.notification_content import (
    content_rows,
    form_name,
    form_values,
    read_content,
    type_title,
)
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.common.reference import EEA_COUNTRIES

PAGES = (
    PageRoute("notifications_page", "GET", "/notifications"),
    PageRoute("new_notification_form", "GET", "/notifications/new"),
    PageRoute("new_notification_submit", "POST", "/notifications/new"),
    PageRoute("notification_page", "GET", "/notifications/<notification_id>"),
    PageRoute("notification_edit_form", "GET", "/notifications/<notification_id>/edit"),
    PageRoute("notification_action", "POST", "/notifications/<notification_id>/actions/<action>"),
)

PAGE_SIZE = 25
NOTIFICATION_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
TYPE_KEY = re.compile(r"[a-z][a-z0-9_]{0,45}")
# the lists of generic notifications (the notifications service's boxes)
NOTIFICATION_BOXES = ("all", "incoming", "outgoing")
NOTIFICATION_STATUSES = ("draft", "broadcast", "withdrawn", "closed")
# the steps of a notification's workflow (services.notifications.generic.Action); the two
# that change the content are taken on the content's form, the others on the page itself
ACTIONS = ("edit_draft", "broadcast", "modify", "comment", "withdraw", "close")
CONTENT_ACTIONS = ("edit_draft", "modify")
CHOSEN_STATES = "chosen_states"


class NotificationListLink(FormSchema):
    box = fields.String(load_default="all", validate=validate.OneOf(NOTIFICATION_BOXES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10000))


class NewNotificationLink(FormSchema):
    type = fields.String(load_default=None, validate=validate.Regexp(TYPE_KEY))


class NotificationLink(FormSchema):
    done = fields.String(load_default=None, validate=validate.OneOf(ACTIONS))


class NewNotificationForm(FormSchema):
    form_key = fields.String(required=True, validate=validate.Length(1, 64),
                             error_messages=REQUIRED)  # fmt: skip
    type_key = fields.String(required=True, validate=validate.Regexp(TYPE_KEY),
                             error_messages=REQUIRED)  # fmt: skip


class CommentForm(VersionForm):
    text = fields.String(
        required=True,
        validate=validate.Length(1, 4000, error="web.form.too_long"),
        error_messages=REQUIRED,
    )


class NotificationPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``notifications`` and
    ``directory``)."""

    @page
    def notifications_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(NotificationListLink, request.args.to_dict())
        listed = self.notifications.list_notifications(
            actor, {"box": link["box"], "page": link["page"], "page_size": PAGE_SIZE}
        )
        types = {item["key"]: item
                 for item in self.notifications.notification_types(actor, {})["items"]}  # fmt: skip
        return visit.page(
            "alert_notifications.html", box=link["box"], boxes=NOTIFICATION_BOXES,
            notifications=listed["items"], types=types, page_number=link["page"],
            more=listed["total"] > link["page"] * PAGE_SIZE,
            may_write=any(may_send(visit, kind) for kind in types.values()),
            member_state_names=member_state_names(visit.language),
        )  # fmt: skip

    # --- writing ------------------------------------------------------------------------------

    @page
    def new_notification_form(self, request: Request) -> Response:
        """Without a type, the types the visitor may write, by area; with one, its form."""
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(NewNotificationLink, request.args.to_dict())
        if link["type"] is None:
            found = self.notifications.notification_types(actor, {})["items"]
            writable = [kind for kind in found if may_send(visit, kind)]
            writable.sort(key=lambda kind: (kind["area"], type_title(visit.t, kind)))
            return visit.page("notification_types.html", types=writable)
        kind = self._writable_type(visit, link["type"])
        form = {"form_key": uuid.uuid4().hex, "type_key": kind["key"]}
        return self._content_form(visit, 200, kind, form, {}, None)

    @page
    def new_notification_submit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        values, errors = read_form(NewNotificationForm, form)
        if errors:
            raise ValidationFailed.from_fields(errors)
        kind = self._writable_type(visit, values["type_key"])
        content, errors = read_content(kind["fields"], form)
        if errors:
            return self._content_form(visit, 400, kind, form, error_texts(visit, errors), None)
        body = {"type_key": kind["key"], "content": content}
        if kind["receivers"] == CHOSEN_STATES:
            body["member_states"] = sorted(set(form.get("member_states") or []))
        key = idempotency_key(actor, request.path, values["form_key"], body)
        try:
            created = self.notifications.using(idempotency_key=key).create_notification(actor, body)
        except ValidationFailed as exc:
            return self._content_form(visit, 400, kind, form, _refused(visit, exc),
                                      problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._content_form(visit, exc.status, kind, form, {}, problem_notice(exc))
        return visit.redirect(f"/notifications/{created['id']}")

    @page
    def notification_edit_form(self, request: Request, notification_id: str) -> Response:
        """The content's form filled with the content read: a draft's (its member states too)
        or a broadcast notification's, whichever step the service offers this reader."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        shown = self._notification(visit, notification_id)
        step = _content_step(shown)
        kind = self.notifications.notification_type(visit.actor, shown["type_key"])
        form = {**form_values(shown["content"]), "version": str(shown["version"]),
                "member_states": shown["member_states"]}  # fmt: skip
        return self._content_form(visit, 200, kind, form, {}, None, shown=shown, step=step)

    def _writable_type(self, visit, type_key: str) -> dict:
        kind = self.notifications.notification_type(visit.actor, type_key)
        if not may_send(visit, kind):
            raise Forbidden(
                "Your rights do not allow sending notifications of this type.",
                "generic.role_missing",
            )
        return kind

    def _content_form(
        self, visit, status: int, kind: dict, form: dict, errors: dict, problem, *,
        shown: dict | None = None, step: str | None = None,
    ) -> Response:  # fmt: skip
        """The content's form: a new notification's, or the step ``step`` on ``shown``."""
        names = member_state_names(visit.language)
        own = (visit.actor or {}).get("member_state")
        states = sorted((code for code in EEA_COUNTRIES if code != own), key=names.get)
        title = type_title(visit.t, kind)
        return visit.page(
            "notification_form.html", status, kind=kind, title=title,
            heading=visit.t(f"web.notification.action.{step}") if step else title,
            form=form, errors=errors, problem=problem, states=states, member_state_names=names,
            chosen_states=kind["receivers"] == CHOSEN_STATES, notification=shown, step=step,
            form_name=form_name,
        )  # fmt: skip

    # --- reading and acting -------------------------------------------------------------------

    @page
    def notification_page(self, request: Request, notification_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        link = read_link(NotificationLink, request.args.to_dict())
        shown = self._notification(visit, notification_id)
        notice = None
        if link["done"]:
            notice = {"key": "web.alert.done", "action": link["done"], "kind": "info"}
        return self._notification_page(visit, shown, 200, notice=notice)

    @page
    def notification_action(self, request: Request, notification_id: str, action: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = posted_form(visit)
        actor = visit.authenticate()
        if action not in ACTIONS:
            raise NotFound()
        if action in CONTENT_ACTIONS:
            return self._change_content(visit, notification_id, action, form)
        values, errors = read_form(CommentForm if action == "comment" else VersionForm, form)
        if errors:
            shown = self._notification(visit, notification_id)
            return self._notification_page(visit, shown, 400, acting=action, form=form,
                                           errors=error_texts(visit, errors))  # fmt: skip
        try:
            self.notifications.act_on_notification(actor, notification_id, action, values)
        except ValidationFailed as exc:
            shown = self._notification(visit, notification_id)
            return self._notification_page(visit, shown, 400, acting=action, form=form,
                                           errors=_refused(visit, exc),
                                           notice=problem_notice(exc))  # fmt: skip
        except (Conflict, Forbidden) as exc:
            shown = self._notification(visit, notification_id)
            return self._notification_page(visit, shown, exc.status, acting=action, form=form,
                                           notice=problem_notice(exc))  # fmt: skip
        return visit.redirect(f"/notifications/{notification_id}?done={action}")

    def _change_content(self, visit, notification_id: str, action: str, form: dict) -> Response:
        """edit_draft and modify: the whole content again (and a draft's member states), from
        the content's form, which comes back with its messages where something is wrong."""
        shown = self._notification(visit, notification_id)
        kind = self.notifications.notification_type(visit.actor, shown["type_key"])
        version, errors = read_form(VersionForm, form)
        content, content_errors = read_content(kind["fields"], form)
        errors.update(content_errors)
        if errors:
            return self._content_form(visit, 400, kind, form, error_texts(visit, errors), None,
                                      shown=shown, step=action)  # fmt: skip
        body = {"version": version["version"], "content": content}
        if action == "edit_draft" and kind["receivers"] == CHOSEN_STATES:
            body["member_states"] = sorted(set(form.get("member_states") or []))
        try:
            self.notifications.act_on_notification(visit.actor, notification_id, action, body)
        except ValidationFailed as exc:
            return self._content_form(visit, 400, kind, form, _refused(visit, exc),
                                      problem_notice(exc), shown=shown, step=action)  # fmt: skip
        except (Conflict, Forbidden) as exc:
            return self._content_form(visit, exc.status, kind, form, {}, problem_notice(exc),
                                      shown=shown, step=action)  # fmt: skip
        return visit.redirect(f"/notifications/{notification_id}?done={action}")

    def _notification(self, visit, notification_id: str) -> dict:
        if not NOTIFICATION_ID.fullmatch(notification_id):
            raise NotFound()
        return self.notifications.notification(visit.actor, notification_id)

    def _notification_page(self, visit, shown: dict, status: int, *, acting: str | None = None,
                           form: dict | None = None, errors: dict | None = None,
                           notice=None) -> Response:  # fmt: skip
        kind = self.notifications.notification_type(visit.actor, shown["type_key"])
        states = {item["authority_id"]: item["member_state"] for item in shown["recipients"]}
        states[shown["sender_authority"]] = shown["sender_state"]
        ids = set(states) | {item["authority_id"] for item in shown["comments"]}
        ids |= {item["authority_id"] for item in shown["history"]}
        return visit.page(
            "alert_notification.html", status, notification=shown,
            rows=content_rows(visit.t, kind["fields"], shown["content"]),
            title=type_title(visit.t, kind),
            actions=[action for action in ACTIONS if action in shown["actions"]],
            acting=acting, form=form or {}, errors=errors or {}, notice=notice,
            authority_names=authority_names(self.directory, visit.actor, ids),
            authority_states=states, member_state_names=member_state_names(visit.language),
        )  # fmt: skip


def may_send(visit, kind: dict) -> bool:
    """Whether the visitor holds one of the type's sending rights in its area, and the type
    takes new notifications (the service also checks that their authority takes part in the
    area's notifications)."""
    grants = (visit.actor or {}).get("grants", ())
    return kind["active"] and any(
        grant["right"] in kind["senders"] and grant.get("area") in (None, kind["area"])
        for grant in grants
    )


def _content_step(shown: dict) -> str:
    """The step that changes this notification's content for this reader, or the service's
    refusal where it offers none."""
    for step in CONTENT_ACTIONS:
        if step in shown["actions"]:
            return step
    raise Conflict(
        "This notification's content cannot be changed now.",
        "generic.action_not_allowed",
        {"action": "modify", "status": shown["status"]},
    )


def _refused(visit, exc: ValidationFailed) -> dict[str, str]:
    """The fields the service refused, each with the page's message for a refused value, by
    their form names (the service names a content field ``content.<name>``)."""
    refused = exc.extra.get("errors") or {}
    return {name.replace("content.", "content_", 1): visit.t("web.form.invalid")
            for name in refused}  # fmt: skip
