"""A coordinator registers an authority of its member state directly (DOMAIN.md section 2),
with its first user, instead of inviting it: the same fields as a self-registration, and the
legislative areas and workflow it takes part in. The directory service decides who may
(a coordinator, the Commission) and validates what it is given; its first user's temporary
password goes by email, never on a page."""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import WORKFLOWS, RegistrationForm, area_codes, language_names
from gateway.web.forms import REQUIRED, read_form
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.errors import ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES

PAGES = (
    PageRoute("authority_new_form", "GET", "/directory/authorities/new"),
    PageRoute("authority_register", "POST", "/directory/authorities/new"),
)
OPTIONAL = ("phone", "website", "street", "postcode", "city", "region")
# where the form shows a field the service refused under its own name
REFUSED_AS = {"first_user": "user_email", "areas": "area"}
FIELDS = (
    "official_name", "email", *OPTIONAL, "user_full_name", "user_email", "user_phone",
    "official_language", "user_language",
)  # fmt: skip


class AuthorityRegistrationForm(RegistrationForm):
    registration_code = fields.String(load_default=None)
    workflow = fields.String(
        required=True, validate=validate.OneOf(WORKFLOWS), error_messages=REQUIRED
    )


class RegistrationPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``directory``)."""

    @page
    def authority_new_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        language = actor["language"]
        values = {"official_language": language, "user_language": language,
                  "workflow": "information_requests"}  # fmt: skip
        return _form(visit, actor, values, {})

    @page
    def authority_register(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        values, errors = read_form(AuthorityRegistrationForm, form)
        chosen = {
            "languages": [code for code in request.form.getlist("languages")
                          if code in SUPPORTED_LANGUAGES],
            "area": [area for area in request.form.getlist("area") if area in area_codes()],
        }  # fmt: skip
        if not chosen["languages"]:
            errors["languages"] = "web.directory.register.languages_required"
        if not chosen["area"]:
            errors["area"] = "web.directory.new.areas_required"
        if errors:
            return _form(visit, actor, {**form, **chosen}, errors, status=400)
        data = {
            "official_name": values["official_name"],
            "official_language": values["official_language"],
            "member_state": actor["member_state"],
            "email": values["email"],
            "languages": chosen["languages"],
            "areas": [{"area": area, "workflow": values["workflow"]} for area in chosen["area"]],
            "first_user": {
                "full_name": values["user_full_name"], "email": values["user_email"],
                "language": values["user_language"],
                **({"phone": values["user_phone"]} if values["user_phone"] else {}),
            },
            **{name: values[name] for name in OPTIONAL if values.get(name)},
        }  # fmt: skip
        try:
            registered = self.directory.register_authority(actor, data)
        except ValidationFailed as exc:
            refused = {
                REFUSED_AS.get(name, name): "web.form.invalid"
                for name in exc.extra.get("errors", {})
            }
            return _form(visit, actor, {**form, **chosen}, refused, status=400)
        return visit.redirect(f"/directory/authorities/{registered['id']}?registered=1")


def _form(visit, actor: dict, values: dict, errors: dict, status: int = 200) -> Response:
    shown = {"languages": [], "area": [], **{name: "" for name in FIELDS}, **values}
    return visit.page(
        "directory_register_new.html", status, values=shown,
        errors={name: visit.t(key) for name, key in errors.items()},
        member_state=actor["member_state"], areas=area_codes(), workflows=WORKFLOWS,
        member_state_names=member_state_names(visit.language),
        names_of_languages=language_names(visit.language),
    )  # fmt: skip
