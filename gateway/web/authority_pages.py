"""Changing an authority from its page: its data and settings (its local data administrators,
its coordinators, the Commission), its roles per legislative area (its coordinators) and the
coordinators linked to it.

Each form calls the directory's RPC the API calls (``update_authority``, ``set_settings``,
``set_roles``, ``set_links``) with the visitor's actor and the version read; the directory
decides who may. The pages offer a form only to those its rules let change the thing
(``offers``), so nobody is shown what the service would refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import (
    COMPETENCES,
    ID,
    PHONE,
    ROLES,
    TOO_LONG,
    WORKFLOWS,
    area_codes,
    language_names,
)
from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.actor import Right, load_actor
from services.common.errors import Conflict, Forbidden, StaleVersion, ValidationFailed
from services.common.reference import COMMISSION, SUPPORTED_LANGUAGES
from services.directory.domain import CompetenceKind, Direction

PAGES = (
    PageRoute("directory_authority", "GET", "/directory/authorities/<authority_id>"),
    PageRoute("authority_edit_form", "GET", "/directory/authorities/<authority_id>/edit"),
    PageRoute("authority_edit", "POST", "/directory/authorities/<authority_id>/edit"),
    PageRoute("authority_settings", "POST", "/directory/authorities/<authority_id>/settings"),
    PageRoute("authority_confirm", "POST", "/directory/authorities/<authority_id>/confirmation"),
    PageRoute("authority_roles", "POST", "/directory/authorities/<authority_id>/roles"),
    PageRoute("authority_links", "POST", "/directory/authorities/<authority_id>/links"),
)

CONTACT = ("email", "phone", "website", "street", "postcode", "city", "region")
DIRECTIONS = tuple(direction.value for direction in Direction)
MAX_TITLE = 300
MAX_PROFESSIONS = 50
SETTINGS = ("uses_allocation", "coordinator_full_view")
DONE = ("saved", "settings", "confirmed", "roles", "links")
CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
PROFESSIONAL_QUALIFICATIONS = "professional_qualifications"
PAGE_SIZE = 20


@dataclass(frozen=True)
class Offers:
    """What the authority's pages offer a reader, by the directory's rules
    (services/directory/domain.py: ``may_edit``, ``may_set_roles``,
    ``may_change_official_name``; ``confirm_data``'s own administrators), read from the
    authority's coordinators and the reader's rights. The directory decides again on every
    save."""

    edit: bool = False
    roles: bool = False
    rename: bool = False
    confirm: bool = False


def offers(actor: dict, authority: dict) -> Offers:
    who = load_actor(actor)
    validating = (authority.get("validating_coordinator") or {}).get("id")
    coordinators = {validating, *(link["coordinator"]["id"] for link in authority["links"])}
    commission = who.member_state == COMMISSION and who.has_right(Right.COMMISSION_ADMINISTRATOR)
    data_administrator = who.has_right(Right.DATA_ADMINISTRATOR)
    coordinator = data_administrator and who.authority_id in coordinators - {None}
    own = who.authority_id == authority["id"] and who.has_right(Right.LOCAL_DATA_ADMINISTRATOR)
    rename = (
        commission if validating is None else data_administrator and who.authority_id == validating
    )
    return Offers(edit=commission or own or coordinator, roles=commission or coordinator,
                  rename=rename, confirm=own and not authority["data_confirmed"])  # fmt: skip


# --- forms --------------------------------------------------------------------------------


def _optional(longest: int) -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(1, longest, error=TOO_LONG))


class AuthorityForm(FormSchema):
    """The authority's data as the edit form sends it; titles, languages and other
    professions are read beside it (``_lists``)."""

    version = fields.Integer(required=True, error_messages=REQUIRED)
    official_name = _optional(300)
    official_language = fields.String(
        required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES), error_messages=REQUIRED
    )
    email = fields.Email(
        required=True, validate=validate.Length(max=254),
        error_messages={"invalid": "invitation.invalid_email", **REQUIRED},
    )  # fmt: skip
    phone = fields.String(load_default=None, validate=PHONE)
    website = fields.Url(
        load_default=None, schemes={"http", "https"},
        error_messages={"invalid": "web.directory.website_invalid"},
    )  # fmt: skip
    street = _optional(200)
    postcode = _optional(20)
    city = _optional(120)
    region = _optional(120)
    other_professions = _optional(MAX_PROFESSIONS * 201)


class VersionForm(FormSchema):
    version = fields.Integer(required=True, error_messages=REQUIRED)


class SettingsForm(FormSchema):
    version = fields.Integer(required=True, error_messages=REQUIRED)
    uses_allocation = fields.Boolean(load_default=False)
    coordinator_full_view = fields.Boolean(load_default=False)


class RoleForm(FormSchema):
    """A role to add in an area and workflow, or (``remove``) an area and workflow to drop."""

    version = fields.Integer(required=True, error_messages=REQUIRED)
    remove = fields.String(load_default=None, validate=validate.Length(1, 200))
    area = fields.String(load_default=None, validate=validate.OneOf(area_codes()))
    workflow = fields.String(load_default=None, validate=validate.OneOf(WORKFLOWS))
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    direction = fields.String(load_default="both", validate=validate.OneOf(DIRECTIONS))


class LinkForm(FormSchema):
    """A coordinator to link for an area and workflow (``served``: ``area|workflow``), or
    (``unlink``) a link to drop: ``area|workflow|coordinator id``."""

    version = fields.Integer(required=True, error_messages=REQUIRED)
    unlink = fields.String(load_default=None, validate=validate.Length(1, 300))
    served = fields.String(load_default=None, validate=validate.Length(1, 200))
    coordinator_id = fields.String(load_default=None, validate=validate.Length(1, 64))


def _lists(form, errors: dict[str, str]) -> dict:
    """The titles per language, the languages understood and the other professions."""
    titles = {}
    for language in SUPPORTED_LANGUAGES:
        text = form.get(f"title_{language}", "").strip()
        if len(text) > MAX_TITLE:
            errors[f"title_{language}"] = TOO_LONG
        elif text:
            titles[language] = text
    understood = [code for code in form.getlist("languages") if code in SUPPORTED_LANGUAGES]
    if not understood:
        errors["languages"] = "web.directory.register.languages_required"
    professions = [line.strip() for line in form.get("other_professions", "").splitlines()]
    professions = [line for line in professions if line]
    if len(professions) > MAX_PROFESSIONS or any(len(line) > 200 for line in professions):
        errors["other_professions"] = TOO_LONG
    return {"titles": titles, "languages": understood, "other_professions": professions}


def competence_kinds(authority: dict) -> tuple[str, ...]:
    """The areas of competence the edit form offers: regulated professions only to an
    authority in Professional Qualifications (DOMAIN.md section 2), the others to every one."""
    served = {item["area"] for item in authority["areas"]}
    if PROFESSIONAL_QUALIFICATIONS in served:
        return COMPETENCES
    return tuple(kind for kind in COMPETENCES if kind != CompetenceKind.PROFESSION.value)


def _competences(form, authority: dict) -> dict[str, list[str]]:
    """The checked codes of each kind the form offers (the directory checks they exist)."""
    return {kind: sorted({code for code in form.getlist(kind) if CODE.fullmatch(code)})
            for kind in competence_kinds(authority)}  # fmt: skip


def _values_of(authority: dict) -> dict:
    """The edit form's fields as the authority holds them."""
    address = authority["address"]
    return {
        "version": authority["version"], "official_name": authority["official_name"],
        "official_language": authority["official_language"], "email": authority["email"],
        "phone": authority.get("phone") or "", "website": authority.get("website") or "",
        **{name: address.get(name) or "" for name in ("street", "postcode", "city", "region")},
        "languages": list(authority["languages"]),
        "titles": {language: title["text"] for language, title in authority["titles"].items()
                   if title["status"] != "machine"},
        "other_professions": "\n".join(authority["other_professions"]),
        "competences": {kind: list(authority["competences"].get(kind, ())) for kind in COMPETENCES},
        **{name: authority["settings"][name] for name in SETTINGS},
    }  # fmt: skip


def _values_posted(form, current: dict) -> dict:
    """The edit form's fields as the visitor sent them, to show again."""
    return {
        **current,
        **{name: form.get(name, "") for name in
           ("official_name", "official_language", "other_professions", *CONTACT)},
        "languages": form.getlist("languages"),
        "titles": {language: form.get(f"title_{language}", "") for language in SUPPORTED_LANGUAGES},
        "competences": {kind: form.getlist(kind) for kind in COMPETENCES},
    }  # fmt: skip


def _service_fields(exc: ValidationFailed) -> dict[str, str]:
    """The fields the directory refused (``titles.fr``, ``competences.keyword``, ``email``),
    each named as the form names it, with the catalogue's "not valid"."""
    refused = {}
    for name in exc.extra.get("errors") or {}:
        parts = name.split(".")
        if parts[0] == "titles" and len(parts) > 1:
            refused[f"title_{parts[1]}"] = "web.form.invalid"
        elif parts[0] == "competences" and len(parts) > 1:
            refused[parts[1]] = "web.form.invalid"
        else:
            refused[parts[0]] = "web.form.invalid"
    return refused


class AuthorityLink(FormSchema):
    done = fields.String(load_default=None, validate=validate.OneOf(DONE))
    registered = fields.String(load_default=None)
    coordinator = fields.String(load_default=None, validate=validate.Length(1, 200, error=TOO_LONG))


class AuthorityPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``directory``)."""

    # --- the authority's page ----------------------------------------------------------------

    @page
    def directory_authority(self, request: Request, authority_id: str) -> Response:
        return self._authority_page(self.web.visit(request, self.gate, self.identity), authority_id)

    def _authority_page(self, visit, authority_id: str, status: int = 200, *, errors=None,
                        problem=None, form=None, posted=None) -> Response:  # fmt: skip
        """The authority as the reader may see it, with the forms the reader may use; after a
        refused form, that form again with what was sent and why it was refused."""
        actor = visit.authenticate()
        _check_id(authority_id)
        link = read_link(AuthorityLink, visit.request.args.to_dict())
        authority = self.directory.get_authority(actor, authority_id)
        title = authority["titles"].get(visit.language) or authority.get("title")
        coordinators = {}
        if authority.get("validating_coordinator"):
            coordinator = authority["validating_coordinator"]
            coordinators[coordinator["id"]] = coordinator
        for item in authority["links"]:
            coordinators.setdefault(item["coordinator"]["id"], item["coordinator"])
        allowed = offers(actor, authority)
        candidates = dict(coordinators)
        if allowed.edit and link["coordinator"]:
            found = self.directory.search_authorities(actor, {
                "text": link["coordinator"], "member_state": authority["member_state"],
                "page": 1, "page_size": PAGE_SIZE, "language": visit.language,
            })  # fmt: skip
            for item in found["items"]:
                if item["id"] != authority["id"]:
                    candidates.setdefault(item["id"], item)
        competences = self._competence_names(actor, authority, visit.language)
        return visit.page(
            "directory_authority.html", status, authority=authority, title=title,
            competences=competences,
            coordinators=list(coordinators.values()), candidates=list(candidates.values()),
            offers=allowed, done=link["done"], registered=link["registered"] == "1",
            coordinator_query=link["coordinator"] or "", form=form, posted=posted or {},
            errors={name: visit.t(key) for name, key in (errors or {}).items()}, problem=problem,
            areas=area_codes(), roles=ROLES, workflows=WORKFLOWS, directions=DIRECTIONS,
            member_state_names=member_state_names(visit.language),
            names_of_languages=language_names(visit.language),
        )  # fmt: skip

    def _competence_names(self, actor: dict, authority: dict, language: str) -> dict:
        """The authority's areas of competence by kind, each named in ``language``."""
        named = {}
        for kind, codes in authority["competences"].items():
            if codes:
                listed = self.directory.list_terms(actor, {"kind": kind, "language": language})
                names = {item["code"]: item["name"] for item in listed["items"]}
                named[kind] = [names.get(code, code) for code in codes]
        return named

    # --- the authority's data ----------------------------------------------------------------

    @page
    def authority_edit_form(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        authority = self._editable(actor, authority_id)
        return self._edit_page(visit, actor, authority, _values_of(authority), {}, None)

    @page
    def authority_edit(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _check_id(authority_id)
        authority = self.directory.get_authority(actor, authority_id)
        values, errors = read_form(AuthorityForm, form)
        lists = _lists(request.form, errors)
        shown = _values_posted(request.form, _values_of(authority))
        if errors:
            shown["version"] = form.get("version", "")
            return self._edit_page(visit, actor, authority, shown, errors, None, 400)
        change = {"version": values["version"], "official_language": values["official_language"],
                  **{name: values[name] for name in CONTACT}, **lists,
                  "competences": _competences(request.form, authority)}  # fmt: skip
        if values["official_name"] and values["official_name"] != authority["official_name"]:
            change["official_name"] = values["official_name"]
        shown["version"] = values["version"]
        try:
            self.directory.update_authority(actor, authority_id, change)
        except StaleVersion as exc:
            shown["version"] = exc.extra.get("current_version") or values["version"]
            return self._edit_page(visit, actor, authority, shown, {}, _conflict(visit, exc), 409)
        except ValidationFailed as exc:
            return self._edit_page(visit, actor, authority, shown, _service_fields(exc),
                                   visit.t("web.directory.change.refused"), 400)  # fmt: skip
        except Conflict as exc:
            return self._edit_page(visit, actor, authority, shown, {}, _problem(visit, exc), 409)
        return visit.redirect(f"/directory/authorities/{authority_id}?done=saved")

    @page
    def authority_settings(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _check_id(authority_id)
        values, errors = read_form(SettingsForm, form)
        if errors:
            raise ValidationFailed.from_fields(errors)
        try:
            self.directory.set_settings(actor, authority_id, values)
        except StaleVersion as exc:
            authority = self.directory.get_authority(actor, authority_id)
            shown = {**_values_of(authority), **{name: values[name] for name in SETTINGS}}
            shown["version"] = exc.extra.get("current_version") or values["version"]
            return self._edit_page(visit, actor, authority, shown, {}, _conflict(visit, exc), 409)
        return visit.redirect(f"/directory/authorities/{authority_id}?done=settings")

    @page
    def authority_confirm(self, request: Request, authority_id: str) -> Response:
        """Its own administrators confirm the authority's data is right (what a coordinator
        typed at registration): the first login's request to check it (DOMAIN.md section 2)."""
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _check_id(authority_id)
        values, errors = read_form(VersionForm, form)
        if errors:
            raise ValidationFailed.from_fields(errors)
        try:
            self.directory.confirm_authority_data(actor, authority_id, values)
        except StaleVersion as exc:
            return self._authority_page(visit, authority_id, 409, problem=_conflict(visit, exc))
        return visit.redirect(f"/directory/authorities/{authority_id}?done=confirmed")

    def _editable(self, actor: dict, authority_id: str) -> dict:
        """The authority, if the directory lets this reader edit it; else a 403 page."""
        _check_id(authority_id)
        authority = self.directory.get_authority(actor, authority_id)
        if not offers(actor, authority).edit:
            raise Forbidden(
                "Only the authority's local data administrators or its coordinators may edit it.",
                "authority.not_editor",
            )
        return authority

    def _edit_page(self, visit, actor, authority, values, errors, problem, status=200):
        terms = {
            kind: self.directory.list_terms(actor, {"kind": kind, "language": visit.language})
            for kind in competence_kinds(authority)
        }
        return visit.page(
            "directory_authority_edit.html", status, authority=authority, values=values,
            competences={kind: [(item["code"], item["name"]) for item in listed["items"]]
                         for kind, listed in terms.items()},
            errors={name: visit.t(key) for name, key in errors.items()}, problem=problem,
            offers=offers(actor, authority), all_languages=SUPPORTED_LANGUAGES,
            names_of_languages=language_names(visit.language),
        )  # fmt: skip

    # --- roles and links ---------------------------------------------------------------------

    @page
    def authority_roles(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _check_id(authority_id)
        values, errors = read_form(RoleForm, form)
        if (
            not errors
            and not values["remove"]
            and not (values["area"] and values["workflow"] and values["role"])
        ):
            errors = {name: "web.form.required" for name in ("area", "workflow", "role")
                      if not values[name]}  # fmt: skip
        if errors:
            return self._authority_page(visit, authority_id, 400, errors=errors, form="roles",
                                        posted=form)  # fmt: skip
        authority = self.directory.get_authority(actor, authority_id)
        areas = _changed_areas(authority["areas"], values)
        try:
            self.directory.set_roles(actor, authority_id,
                                     {"version": values["version"], "areas": areas})  # fmt: skip
        except StaleVersion as exc:
            return self._authority_page(visit, authority_id, 409, problem=_conflict(visit, exc),
                                        form="roles", posted=form)  # fmt: skip
        except ValidationFailed:
            refused = visit.t("web.directory.change.roles_refused")
            return self._authority_page(visit, authority_id, 400, form="roles", posted=form,
                                        problem=refused)  # fmt: skip
        return visit.redirect(f"/directory/authorities/{authority_id}?done=roles#authority-areas")

    @page
    def authority_links(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        _check_id(authority_id)
        values, errors = read_form(LinkForm, form)
        if not errors and not values["unlink"]:
            errors = {name: "web.form.required" for name in ("served", "coordinator_id")
                      if not values[name]}  # fmt: skip
        if errors:
            return self._authority_page(visit, authority_id, 400, errors=errors, form="links",
                                        posted=form)  # fmt: skip
        authority = self.directory.get_authority(actor, authority_id)
        links = _changed_links(authority["links"], values)
        try:
            self.directory.set_links(actor, authority_id,
                                     {"version": values["version"], "links": links})  # fmt: skip
        except StaleVersion as exc:
            return self._authority_page(visit, authority_id, 409, problem=_conflict(visit, exc),
                                        form="links", posted=form)  # fmt: skip
        except ValidationFailed:
            refused = {"coordinator_id": "web.directory.change.not_linkable"}
            return self._authority_page(visit, authority_id, 400, form="links", posted=form,
                                        errors=refused)  # fmt: skip
        return visit.redirect(
            f"/directory/authorities/{authority_id}?done=links#authority-coordinators"
        )


def _changed_areas(current: list[dict], values: dict) -> list[dict]:
    """The authority's areas with the role added, or without the area and workflow removed."""
    areas = [{"area": item["area"], "workflow": item["workflow"], "roles": list(item["roles"]),
              "direction": item["direction"]} for item in current]  # fmt: skip
    if values["remove"]:
        return [item for item in areas if f"{item['area']}|{item['workflow']}" != values["remove"]]
    for item in areas:
        if (item["area"], item["workflow"]) == (values["area"], values["workflow"]):
            item["roles"] = sorted({*item["roles"], values["role"]})
            item["direction"] = values["direction"]
            return areas
    return [*areas, {"area": values["area"], "workflow": values["workflow"],
                     "roles": [values["role"]], "direction": values["direction"]}]  # fmt: skip


def _changed_links(current: list[dict], values: dict) -> list[dict]:
    """The authority's links with the coordinator linked, or without the link removed."""
    links = [{"area": link["area"], "workflow": link["workflow"],
              "coordinator_id": link["coordinator"]["id"]} for link in current]  # fmt: skip
    if values["unlink"]:
        return [link for link in links
                if "|".join((link["area"], link["workflow"], link["coordinator_id"]))
                != values["unlink"]]  # fmt: skip
    area, _, workflow = values["served"].partition("|")
    return [*links, {"area": area, "workflow": workflow,
                     "coordinator_id": values["coordinator_id"]}]  # fmt: skip


def _conflict(visit, exc: StaleVersion) -> str:
    """The conflict as the directory tells it: who saved first, and when."""
    name = exc.extra.get("changed_by_username")
    when = visit.t.datetime(exc.extra["changed_at"]) if exc.extra.get("changed_at") else ""
    if name:
        return visit.t("web.directory.change.conflict", name=name, when=when)
    return visit.t("web.directory.change.conflict_unknown")


def _problem(visit, exc: Exception) -> str:
    code = getattr(exc, "code", "")
    return visit.t(code if code and visit.t.has(code) else "web.error.conflict")


def _check_id(authority_id: str) -> None:
    if not ID.fullmatch(authority_id):
        raise NotFound()
