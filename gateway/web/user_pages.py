"""User management for an authority's administrators, and the self-service password reset.

The pages call identity's RPC methods the API calls (gateway/identity/), with the visitor's
actor: identity decides who may list, create, change, reset, unblock or delete whom (an
authority's local data administrators, the data administrators of its validating
coordinator), and a refusal is a 403 page. A new user's username is shown to the
administrator, who passes it on; the temporary password goes to the user by email only
(DOMAIN.md section 3), never on a page.

The self-service reset is public: a request for a link (the answer is the same whether or not
the account exists), then the link's page to choose a new password. Identity refuses both
where the deployment does not offer it, and the page says so.
"""

from __future__ import annotations

import re

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import language_names
from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from services.common.actor import Right
from services.common.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from services.common.reference import COMMISSION, SUPPORTED_LANGUAGES

PAGES = (
    PageRoute("users_page", "GET", "/users"),
    PageRoute("users_new_form", "GET", "/users/new"),
    PageRoute("users_create", "POST", "/users/new"),
    PageRoute("users_user", "GET", "/users/<user_id>"),
    PageRoute("users_update", "POST", "/users/<user_id>"),
    PageRoute("users_rights", "POST", "/users/<user_id>/rights"),
    PageRoute("users_reset", "POST", "/users/<user_id>/password-reset"),
    PageRoute("users_unblock", "POST", "/users/<user_id>/unblock"),
    PageRoute("users_delete", "POST", "/users/<user_id>/delete"),
    PageRoute("reset_page", "GET", "/password-reset", public=True),
    PageRoute("reset_request", "POST", "/password-reset/request", public=True),
    PageRoute("reset_complete", "POST", "/password-reset", public=True),
)

PAGE_SIZE = 25
ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
# the rights an administrator gives, in the order the form lists them (the Commission's own
# two only for the Commission's users)
AUTHORITY_RIGHTS = (
    Right.BASIC_USER, Right.REQUEST_HANDLER, Right.ALLOCATOR, Right.ALERT_HANDLER,
    Right.ALERT_AUTHORISER, Right.LOCAL_DATA_ADMINISTRATOR, Right.DATA_ADMINISTRATOR,
)  # fmt: skip
COMMISSION_RIGHTS = (Right.COMMISSION_ADMINISTRATOR, Right.COMMISSION_TRANSLATOR)
RIGHT_NAMES = tuple(right.value for right in Right)
DONE = ("created", "updated", "rights", "reset", "unblocked", "deleted", "replaced")
EMAIL = {"invalid": "invitation.invalid_email", **REQUIRED}
PHONE = validate.Regexp(r"^\+?[0-9 ()./-]{4,40}$", error="web.directory.phone_invalid")
TOO_LONG = "web.form.too_long"
MIN_PASSWORD = 1


class UsersLink(FormSchema):
    authority_id = fields.String(load_default=None, validate=validate.Regexp(f"^{ID.pattern}$"))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))
    done = fields.String(load_default=None, validate=validate.OneOf(DONE))


class UserForm(FormSchema):
    full_name = fields.String(
        required=True, validate=validate.Length(1, 200, error=TOO_LONG), error_messages=REQUIRED
    )
    email = fields.Email(required=True, validate=validate.Length(max=254), error_messages=EMAIL)
    phone = fields.String(load_default=None, validate=PHONE)
    language = fields.String(
        required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES), error_messages=REQUIRED
    )


class NewUserForm(UserForm):
    authority_id = fields.String(load_default=None, validate=validate.Regexp(f"^{ID.pattern}$"))


class VersionForm(FormSchema):
    version = fields.Integer(required=True, strict=False, error_messages=REQUIRED)


class ResetRequestForm(FormSchema):
    username = fields.String(
        required=True, validate=validate.Length(1, 64, error=TOO_LONG), error_messages=REQUIRED
    )
    email = fields.Email(required=True, validate=validate.Length(max=254), error_messages=EMAIL)


class ResetForm(FormSchema):
    token = fields.String(required=True, validate=validate.Length(1, 200), error_messages=REQUIRED)
    new_password = fields.String(
        required=True, validate=validate.Length(1, 256, error=TOO_LONG), error_messages=REQUIRED
    )
    confirm_password = fields.String(
        required=True, validate=validate.Length(1, 256, error=TOO_LONG), error_messages=REQUIRED
    )


class ResetLink(FormSchema):
    token = fields.String(load_default=None, validate=validate.Length(1, 200))
    sent = fields.String(load_default=None)
    done = fields.String(load_default=None)


def _grants_from(request: Request) -> list[dict]:
    """The checked rights: ``right`` for every area, ``right@area`` for one area."""
    grants = []
    for value in request.form.getlist("grant"):
        right, _, area = value.partition("@")
        if right in RIGHT_NAMES and len(area) <= 64:
            grants.append({"right": right, "area": area or None})
    return grants


def _right_options(member_state: str, grants: list[dict]) -> list[tuple[str, str | None]]:
    """Each right the form offers, with its area: every right for every area, and the rights
    the user holds in one area only (so that saving keeps them)."""
    offered = [*AUTHORITY_RIGHTS, *(COMMISSION_RIGHTS if member_state == COMMISSION else ())]
    options = [(right.value, None) for right in offered]
    options += [(grant["right"], grant["area"]) for grant in grants if grant.get("area")]
    return options


def _problem(exc: Exception, visit) -> str:
    code = getattr(exc, "code", "")
    return code if code and visit.t.has(code) else "web.error.conflict"


def _refused_fields(exc: ValidationFailed, visit) -> dict[str, str]:
    refused = {}
    for name, codes in (exc.extra.get("errors") or {}).items():
        first = codes[0] if isinstance(codes, list) and codes else codes
        code = first.get("code") if isinstance(first, dict) else first
        refused[name] = (
            visit.t(code)
            if isinstance(code, str) and visit.t.has(code)
            else visit.t("web.form.invalid")
        )
    return refused


class UserPages:
    """Entry points of GatewayService (``web``, ``gate`` and ``identity``)."""

    # --- the list, and a new user -------------------------------------------------------------

    @page
    def users_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(UsersLink, request.args.to_dict())
        query = {"page": link["page"], "page_size": PAGE_SIZE}
        if link["authority_id"]:
            query["authority_id"] = link["authority_id"]
        listed = self.identity.list_users(actor, query)
        size = listed["page_size"] or 1
        return visit.page(
            "users_list.html", users=listed, link=link, done=link["done"],
            pages={"number": listed["page"], "last": max(1, -(-listed["total"] // size))},
            authority_query=f"authority_id={link['authority_id']}&" if link["authority_id"] else "",
        )  # fmt: skip

    @page
    def users_new_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(UsersLink, request.args.to_dict())
        # the same check as the list's: only those who administer the authority's users
        self.identity.list_users(
            actor,
            {
                "page": 1,
                "page_size": 1,
                **({"authority_id": link["authority_id"]} if link["authority_id"] else {}),
            },
        )
        values = {"authority_id": link["authority_id"] or "", "language": visit.language}
        return self._new_user_page(visit, actor, values, [], {}, None)

    @page
    def users_create(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        values, errors = read_form(NewUserForm, form)
        grants = _grants_from(request)
        if errors:
            return self._new_user_page(visit, actor, form, grants, errors, None, 400)
        data = {name: values[name] for name in ("full_name", "email", "language")}
        if values["phone"]:
            data["phone"] = values["phone"]
        if values["authority_id"]:
            data["authority_id"] = values["authority_id"]
        data["grants"] = grants
        try:
            created = self.identity.create_user(actor, data)
        except ValidationFailed as exc:
            return self._new_user_page(visit, actor, form, grants, {}, "web.users.rights_refused",
                                       400, refused=_refused_fields(exc, visit))  # fmt: skip
        except Conflict as exc:
            return self._new_user_page(visit, actor, form, grants, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users/{created['id']}?done=created")

    def _new_user_page(self, visit, actor, values, grants, errors, problem, status=200,
                       refused=None):  # fmt: skip
        values = {name: values.get(name) or "" for name in
                  ("full_name", "email", "phone", "language", "authority_id")}  # fmt: skip
        member_state = actor["member_state"]
        texts = {name: visit.t(key) for name, key in errors.items()}
        texts.update(refused or {})
        return visit.page(
            "users_new.html", status, values=values, errors=texts, problem=problem,
            right_options=_right_options(member_state, grants),
            checked={(grant["right"], grant["area"]) for grant in grants},
            names_of_languages=language_names(visit.language),
        )  # fmt: skip

    # --- one user -----------------------------------------------------------------------------

    @page
    def users_user(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        user = self._user(actor, user_id)
        link = read_link(UsersLink, request.args.to_dict())
        return self._user_page(visit, user, link["done"], {}, None)

    @page
    def users_update(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        user = self._user(actor, user_id)
        values, errors = read_form(UserForm, form)
        version, version_errors = read_form(VersionForm, form)
        if errors or version_errors:
            shown = {**user, **{name: form.get(name, "") for name in
                                ("full_name", "email", "phone", "language")}}  # fmt: skip
            return self._user_page(visit, shown, None, errors, None, 400)
        change = {"version": version["version"], "full_name": values["full_name"],
                  "email": values["email"], "language": values["language"],
                  "phone": values["phone"] or None}  # fmt: skip
        try:
            self.identity.update_user(actor, user_id, change)
        except Conflict as exc:
            return self._user_page(visit, user, None, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users/{user_id}?done=updated")

    @page
    def users_rights(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        user = self._user(actor, user_id)
        version, version_errors = read_form(VersionForm, form)
        if version_errors:
            return self._user_page(visit, user, None, {}, "web.error.bad_request", 400)
        try:
            self.identity.set_rights(
                actor, user_id, {"version": version["version"], "grants": _grants_from(request)}
            )
        except ValidationFailed:
            return self._user_page(visit, user, None, {}, "web.users.rights_refused", 400)
        except Conflict as exc:
            return self._user_page(visit, user, None, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users/{user_id}?done=rights")

    @page
    def users_reset(self, request: Request, user_id: str) -> Response:
        return self._user_action(request, user_id, "reset_password", "reset")

    @page
    def users_unblock(self, request: Request, user_id: str) -> Response:
        return self._user_action(request, user_id, "unblock_user", "unblocked")

    @page
    def users_delete(self, request: Request, user_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        user = self._user(actor, user_id)
        try:
            self.identity.delete_user(actor, user_id)
        except Conflict as exc:
            return self._user_page(visit, user, None, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users?authority_id={user['authority_id']}&done=deleted")

    def _user_action(self, request: Request, user_id: str, method: str, done: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        user = self._user(actor, user_id)
        try:
            getattr(self.identity, method)(actor, user_id)
        except Conflict as exc:
            return self._user_page(visit, user, None, {}, _problem(exc, visit), 409)
        return visit.redirect(f"/users/{user_id}?done={done}")

    def _user(self, actor: dict, user_id: str) -> dict:
        if not ID.fullmatch(user_id):
            raise NotFound()
        return self.identity.get_user(actor, user_id)

    def _user_page(self, visit, user, done, errors, problem, status=200):
        grants = [{"right": grant["right"], "area": grant.get("area")} for grant in user["grants"]]
        return visit.page(
            "users_user.html", status, user=user, done=done, problem=problem,
            errors={name: visit.t(key) for name, key in errors.items()},
            right_options=_right_options(user["member_state"], grants),
            checked={(grant["right"], grant["area"]) for grant in grants},
            names_of_languages=language_names(visit.language),
            own=visit.actor is not None and visit.actor.get("user_id") == user["id"],
        )  # fmt: skip

    # --- self-service password reset (public) ----------------------------------------------

    @page
    def reset_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        link = read_link(ResetLink, request.args.to_dict())
        if link["token"]:
            return visit.page("users_reset_password.html", token=link["token"], errors={},
                              problem=None)  # fmt: skip
        return visit.page("users_reset_request.html", values={}, errors={}, problem=None,
                          sent=bool(link["sent"]), done=bool(link["done"]))  # fmt: skip

    @page
    def reset_request(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        values, errors = read_form(ResetRequestForm, form)
        if errors:
            shown = {
                "username": form.get("username", "")[:64],
                "email": form.get("email", "")[:254],
            }
            return visit.page("users_reset_request.html", 400, values=shown, problem=None,
                              errors={n: visit.t(k) for n, k in errors.items()}, sent=False,
                              done=False)  # fmt: skip
        self.gate.limit_logins(request)
        try:
            self.identity.request_password_reset(values)
        except Forbidden as exc:
            return visit.page("users_reset_request.html", 403, values=values, errors={},
                              problem=_problem(exc, visit), sent=False, done=False)  # fmt: skip
        return visit.redirect("/password-reset?sent=1")

    @page
    def reset_complete(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        values, errors = read_form(ResetForm, form)
        token = form.get("token", "")[:200]
        if not errors and values["new_password"] != values["confirm_password"]:
            errors = {"confirm_password": "web.first_login.passwords_differ"}
        if errors:
            return visit.page("users_reset_password.html", 400, token=token, problem=None,
                              errors={n: visit.t(k) for n, k in errors.items()})  # fmt: skip
        self.gate.limit_logins(request)
        try:
            self.identity.complete_password_reset(
                {"reset_token": values["token"], "new_password": values["new_password"]}
            )
        except ValidationFailed as exc:
            return visit.page("users_reset_password.html", 400, token=token, problem=None,
                              errors=_refused_fields(exc, visit))  # fmt: skip
        except (Unauthenticated, Forbidden) as exc:
            status = 403 if isinstance(exc, Forbidden) else 401
            return visit.page("users_reset_password.html", status, token=token, errors={},
                              problem=_problem(exc, visit))  # fmt: skip
        return visit.redirect("/password-reset?done=1")
