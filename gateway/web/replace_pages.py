"""Replacing a user who left by a newcomer (DOMAIN.md section 3, user management by local data
administrators), with identity's ``replace_user`` and the visitor's actor: the account gets a
new username and the newcomer's details, keeps its rights, and its old username no longer
logs in. The temporary password goes to the newcomer by email only, as for a new user; the
page shows the new username to the administrator, who passes it on.

The details are asked first, then shown with the rights carried over to confirm: a
replacement cannot be undone. Identity decides who may replace whom (those who administer the
authority's users, never themselves); a refusal is a 403 page.
"""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import language_names
from gateway.web.forms import read_form
from gateway.web.page import PageRoute, page
from gateway.web.user_pages import UserForm, VersionForm, _problem, _refused_fields
from services.common.errors import Conflict, Forbidden, ValidationFailed

PAGES = (
    PageRoute("users_replace_form", "GET", "/users/<user_id>/replacement"),
    PageRoute("users_replace", "POST", "/users/<user_id>/replacement"),
)

FIELDS = ("full_name", "email", "phone", "language")


class ReplacementForm(UserForm, VersionForm):
    """The newcomer's details; ``step`` is ``confirm`` once the administrator has seen them."""

    step = fields.String(load_default="check", validate=validate.OneOf(("check", "confirm")))


class ReplacePages:
    """Entry points of GatewayService (``web``, ``gate`` and ``identity``)."""

    @page
    def users_replace_form(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        user = self._replaced(actor, user_id)
        values = {"language": user["language"], "version": user["version"]}
        return self._replacement_page(visit, user, values, {}, None)

    @page
    def users_replace(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        user = self._replaced(actor, user_id)
        values, errors = read_form(ReplacementForm, form)
        if errors:
            kept = {**{name: form.get(name, "") for name in FIELDS}, "version": user["version"]}
            return self._replacement_page(visit, user, kept, errors, None, 400)
        if values["step"] == "check" or form.get("change"):
            return self._replacement_page(visit, user, values, {}, None,
                                          confirm=not form.get("change"))  # fmt: skip
        data = {name: values[name] for name in ("version", "full_name", "email", "language")}
        if values["phone"]:
            data["phone"] = values["phone"]
        try:
            self.identity.replace_user(actor, user_id, data)
        except ValidationFailed as exc:
            return self._replacement_page(visit, user, values, {}, None, 400,
                                          refused=_refused_fields(exc, visit))  # fmt: skip
        except Conflict as exc:
            fresh = {**values, "version": user["version"]}
            return self._replacement_page(visit, user, fresh, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users/{user_id}?done=replaced")

    def _replaced(self, actor: dict, user_id: str) -> dict:
        """The account to hand over: the user pages' own read (an unknown id is a 404, a user
        the visitor does not administer a 403); nobody hands over their own account."""
        user = self._user(actor, user_id)
        if user["id"] == actor["user_id"]:
            raise Forbidden("You cannot hand your own account over.", "user.cannot_replace_self")
        return user

    def _replacement_page(self, visit, user, values, errors, problem, status=200, refused=None,
                          confirm=False):  # fmt: skip
        texts = {name: visit.t(key) for name, key in errors.items()}
        texts.update(refused or {})
        shown = {name: values.get(name) or "" for name in FIELDS}
        return visit.page(
            "users_replace.html", status, user=user, values=shown, errors=texts,
            problem=problem, confirm=confirm, version=values.get("version", user["version"]),
            names_of_languages=language_names(visit.language),
        )  # fmt: skip
