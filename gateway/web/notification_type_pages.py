"""The pages where a Commission administrator defines generic notification types (DOMAIN.md
section 9: a type per legislative area is data, its fields, who sends it and who receives it,
defined without programming; docs/generic-notifications.md): the list of types, one type, and
the form that creates a type or saves its next version (gateway/web/notification_type_forms.py).

The notifications service lets every user read the types, but only a Commission administrator
define them; these pages are the administrator's tool, so they answer 403 to anyone else (the
menu's rule), and the service checks again on every save.
"""

from __future__ import annotations

import uuid

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.alert_pages import error_texts, idempotency_key
from gateway.web.dashboard_pages import legislative_areas
from gateway.web.forms import FormSchema, read_link
from gateway.web.notification_content import type_title
from gateway.web.notification_type_forms import (
    KINDS,
    NEW_ROWS,
    RECEIVERS,
    SENDERS,
    TYPE_KEY,
    read_type_form,
    refused_fields,
    row_count,
    row_name,
    type_form,
)
from gateway.web.page import PageRoute, page
from services.common.errors import Conflict, Forbidden, ValidationFailed

PAGES = (
    PageRoute("notification_types_page", "GET", "/notification-types"),
    PageRoute("new_notification_type_form", "GET", "/notification-types/new"),
    PageRoute("new_notification_type_submit", "POST", "/notification-types/new"),
    PageRoute("notification_type_page", "GET", "/notification-types/<type_key>"),
    PageRoute("notification_type_edit_form", "GET", "/notification-types/<type_key>/edit"),
    PageRoute("notification_type_edit_submit", "POST", "/notification-types/<type_key>/edit"),
)

ADMINISTRATOR = "commission_administrator"
STALE = "error.stale_version"
EXISTS = "generic.type_exists"


class TypeLink(FormSchema):
    saved = fields.Integer(load_default=None, validate=validate.Range(1, 10**9))


class NotificationTypePages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``notifications``)."""

    @page
    def notification_types_page(self, request: Request) -> Response:
        visit = self._administrator(request)
        found = self.notifications.notification_types(visit.actor, {})["items"]
        areas = [*legislative_areas(), *sorted({kind["area"] for kind in found})]
        groups = [(area, sorted((kind for kind in found if kind["area"] == area),
                                key=lambda kind: kind["key"]))
                  for area in dict.fromkeys(areas)]  # fmt: skip
        groups = [(area, kinds) for area, kinds in groups if kinds]
        return visit.page("notification_type_list.html", groups=groups, type_title=type_title)

    @page
    def notification_type_page(self, request: Request, type_key: str) -> Response:
        visit = self._administrator(request)
        link = read_link(TypeLink, request.args.to_dict())
        kind = self._type(visit, type_key)
        return visit.page(
            "notification_type_page.html", kind=kind, title=type_title(visit.t, kind),
            saved=link["saved"],
        )  # fmt: skip

    # --- creating and changing ----------------------------------------------------------------

    @page
    def new_notification_type_form(self, request: Request) -> Response:
        visit = self._administrator(request)
        form = {"form_key": uuid.uuid4().hex, "active": "yes", "rows": str(NEW_ROWS)}
        return self._form(visit, 200, None, form, NEW_ROWS, {}, None)

    @page
    def new_notification_type_submit(self, request: Request) -> Response:
        visit = self._administrator(request)
        return self._save(visit, None, _posted(visit))

    @page
    def notification_type_edit_form(self, request: Request, type_key: str) -> Response:
        visit = self._administrator(request)
        kind = self._type(visit, type_key)
        form = type_form(kind)
        return self._form(visit, 200, kind, form, row_count(form, 1), {}, None)

    @page
    def notification_type_edit_submit(self, request: Request, type_key: str) -> Response:
        visit = self._administrator(request)
        form = _posted(visit)
        return self._save(visit, self._type(visit, type_key), form)

    def _save(self, visit, kind: dict | None, form: dict) -> Response:
        """Another row asked for: the form again with it; else the type saved (its next
        version), or the form again with what is wrong beside its field."""
        rows = row_count(form, NEW_ROWS)
        if form.get("more"):
            rows = row_count({"rows": rows + 1}, rows)
            return self._form(visit, 200, kind, form, rows, {}, None)
        body, rows_of, errors = read_type_form(form, rows, new=kind is None)
        if kind is not None and not form.get("version", "").isdigit():
            errors["version"] = "web.form.invalid"
        if errors:
            return self._form(visit, 400, kind, form, rows, error_texts(visit, errors), None)
        try:
            if kind is None:
                key = idempotency_key(visit.actor, visit.request.path, form.get("form_key", ""),
                                      body)  # fmt: skip
                saved = self.notifications.using(idempotency_key=key).create_notification_type(
                    visit.actor, body
                )
            else:
                body["version"] = int(form["version"])
                saved = self.notifications.change_notification_type(visit.actor, kind["key"], body)
        except ValidationFailed as exc:
            refused = refused_fields(exc.extra.get("errors") or {}, body, rows_of)
            errors = {name: visit.t("web.form.invalid") for name in refused}
            return self._form(visit, 400, kind, form, rows, errors, _notice(visit, exc))
        except (Conflict, Forbidden) as exc:
            errors = {"key": visit.t(EXISTS)} if exc.code == EXISTS else {}
            if exc.code == STALE and (exc.extra or {}).get("current_version"):
                form["version"] = str(exc.extra["current_version"])  # a second save replaces it
            return self._form(visit, exc.status, kind, form, rows, errors, _notice(visit, exc))
        return visit.redirect(f"/notification-types/{saved['key']}?saved={saved['version']}")

    def _form(self, visit, status: int, kind: dict | None, form: dict, rows: int,
              errors: dict, problem: dict | None) -> Response:  # fmt: skip
        heading = visit.t("web.notiftypes.change_title" if kind else "web.notiftypes.new")
        return visit.page(
            "notification_type_form.html", status, kind=kind, heading=heading, form=form,
            rows=rows, errors=errors, problem=problem, areas=legislative_areas(), kinds=KINDS,
            senders=SENDERS, receivers=RECEIVERS, row_name=row_name,
            title=type_title(visit.t, kind) if kind else None,
        )  # fmt: skip

    def _administrator(self, request: Request):
        visit = self.web.visit(request, self.gate, self.identity)
        visit.authenticate()
        if ADMINISTRATOR not in visit.rights():
            raise Forbidden(
                "Only a Commission administrator defines notification types.",
                "generic.type_forbidden",
            )
        return visit

    def _type(self, visit, type_key: str) -> dict:
        if not TYPE_KEY.fullmatch(type_key):
            raise NotFound()
        return self.notifications.notification_type(visit.actor, type_key)


def _posted(visit) -> dict:
    """The posted form once its CSRF token is this session's, the senders ticked as a list."""
    form = visit.form()
    form["senders"] = visit.request.form.getlist("senders")
    return form


def _notice(visit, exc) -> dict:
    """The service's refusal above the form: its own message where the catalogue has one; a
    stale version with who saved first when the service names them, and the version now
    saved, which the page links to."""
    if exc.code != STALE:
        return {"key": exc.code, "fallback": "web.notiftypes.refused"}
    extra = exc.extra or {}
    version = extra.get("current_version") or ""
    name = extra.get("changed_by_username")
    if name:
        when = visit.t.datetime(extra["changed_at"]) if extra.get("changed_at") else ""
        text = visit.t("web.notiftypes.stale_by", name=name, when=when, version=version)
    else:
        text = visit.t("web.notiftypes.stale", version=version)
    return {"text": text, "version": version}
