"""The directory's pages: the search of authorities, for every user; the invitations a
coordinator sends in batches, the self-registrations it validates; and the public
self-registration of an invited authority with its registration code. An authority's own page
and its changes are in gateway/web/authority_pages.py.

Each page calls the directory's RPC methods the API calls (gateway/directory/), with the
visitor's actor: the directory decides who may invite, validate or read what. Two answers are
shown at once instead of after a redirect, because they exist only in the service's answer:
a batch's rejected invitations (to edit and re-submit) and a self-registration's summary
(the first user's username, shown there only).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.forms import REQUIRED, FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names, shipped_texts
from services.common.actor import Right
from services.common.errors import Conflict, ValidationFailed
from services.common.errors import NotFound as ServiceNotFound
from services.common.reference import COMMISSION, EEA_COUNTRIES, SUPPORTED_LANGUAGES, languages
from services.directory.domain import CompetenceKind, InvitationStatus, Rejection, Role, Workflow

PAGES = (
    PageRoute("directory_search", "GET", "/directory"),
    PageRoute("directory_invitations", "GET", "/directory/invitations"),
    PageRoute("directory_invite", "POST", "/directory/invitations"),
    PageRoute("directory_resubmit", "POST", "/directory/invitations/<invitation_id>/resubmission"),
    PageRoute("directory_release", "POST", "/directory/invitations/release"),
    PageRoute("directory_pending", "GET", "/directory/pending"),
    PageRoute("directory_validate", "POST", "/directory/authorities/<authority_id>/validation"),
    PageRoute("directory_register_form", "GET", "/register", public=True),
    PageRoute("directory_register", "POST", "/register", public=True),
)

PAGE_SIZE = 20
ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
AREA_PREFIX = "directory.legislative_area."
EMAIL = {"invalid": "invitation.invalid_email", **REQUIRED}
TOO_LONG = "web.form.too_long"
ROLES = tuple(role.value for role in Role)
WORKFLOWS = tuple(workflow.value for workflow in Workflow)
REJECTIONS = tuple(reason.value for reason in Rejection)
INVITATION_STATUSES = tuple(status.value for status in InvitationStatus)
MAX_BATCH_LINES = 100
COMPETENCES = tuple(kind.value for kind in CompetenceKind)
FILTERS = ("text", "member_state", "region", "area", "workflow", "role", *COMPETENCES,
           "coordinator_id")  # fmt: skip
MORE_FILTERS = ("region", *COMPETENCES)


def area_codes() -> list[str]:
    """The legislative areas the directory names (its shipped list)."""
    return sorted(key[len(AREA_PREFIX) :] for key in shipped_texts() if key.startswith(AREA_PREFIX))


def language_names(language: str) -> dict[str, str]:
    """Each supported language named in ``language``."""
    return {item["code"]: item["names"].get(language) or item["code"] for item in languages()}


# --- forms and links ----------------------------------------------------------------------


class SearchLink(FormSchema):
    text = fields.String(load_default=None, validate=validate.Length(1, 200, error=TOO_LONG))
    member_state = fields.String(load_default=None, validate=validate.OneOf(EEA_COUNTRIES))
    area = fields.String(load_default=None, validate=validate.Length(1, 64))
    workflow = fields.String(load_default=None, validate=validate.OneOf(WORKFLOWS))
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    region = fields.String(load_default=None, validate=validate.Length(1, 120, error=TOO_LONG))
    keyword = fields.String(load_default=None, validate=validate.Length(1, 64))
    economic_activity = fields.String(load_default=None, validate=validate.Length(1, 64))
    policy_area = fields.String(load_default=None, validate=validate.Length(1, 64))
    profession = fields.String(load_default=None, validate=validate.Length(1, 64))
    coordinator_id = fields.String(load_default=None, validate=validate.Regexp(ID))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))


class PageLink(FormSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))
    status = fields.String(load_default=None, validate=validate.OneOf(INVITATION_STATUSES))
    released = fields.Integer(load_default=None, validate=validate.Range(0, MAX_BATCH_LINES))


class InvitationForm(FormSchema):
    """A batch: one email a line, in one language, for the same areas and workflow."""

    emails = fields.String(
        required=True, validate=validate.Length(1, 20000, error=TOO_LONG), error_messages=REQUIRED
    )
    language = fields.String(
        required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES), error_messages=REQUIRED
    )
    workflow = fields.String(
        required=True, validate=validate.OneOf(WORKFLOWS), error_messages=REQUIRED
    )
    official_name = fields.String(
        load_default=None, validate=validate.Length(1, 300, error=TOO_LONG)
    )


class RegistrationCodeLink(FormSchema):
    code = fields.String(load_default=None, validate=validate.Length(1, 64))


def _text(longest: int, required: bool = True) -> fields.String:
    length = validate.Length(1, longest, error=TOO_LONG)
    if required:
        return fields.String(required=True, validate=length, error_messages=REQUIRED)
    return fields.String(load_default=None, validate=length)


PHONE = validate.Regexp(r"^\+?[0-9 ()./-]{4,40}$", error="web.directory.phone_invalid")


class RegistrationForm(FormSchema):
    registration_code = _text(64)
    official_name = _text(300)
    official_language = fields.String(
        required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES), error_messages=REQUIRED
    )
    email = fields.Email(required=True, validate=validate.Length(max=254), error_messages=EMAIL)
    street = _text(200, required=False)
    postcode = _text(20, required=False)
    city = _text(120, required=False)
    region = _text(120, required=False)
    phone = fields.String(load_default=None, validate=PHONE)
    website = fields.Url(
        load_default=None, schemes={"http", "https"},
        error_messages={"invalid": "web.directory.website_invalid"},
    )  # fmt: skip
    user_full_name = _text(200)
    user_email = fields.Email(
        required=True, validate=validate.Length(max=254), error_messages=EMAIL
    )
    user_phone = fields.String(load_default=None, validate=PHONE)
    user_language = fields.String(
        required=True, validate=validate.OneOf(SUPPORTED_LANGUAGES), error_messages=REQUIRED
    )


class DirectoryPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``directory``)."""

    # --- search ---------------------------------------------------------------------------

    @page
    def directory_search(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(SearchLink, request.args.to_dict())
        searched = any(link.get(name) for name in FILTERS)
        found = None
        if searched:
            query = {name: value for name, value in link.items() if value and name != "page"}
            query.update(page=link["page"], page_size=PAGE_SIZE, language=visit.language)
            found = self.directory.search_authorities(actor, query)
        coordinator = None
        if link["coordinator_id"]:
            coordinator = self.directory.get_authority(actor, link["coordinator_id"])
        competences = {
            kind: [(item["code"], item["name"]) for item in self.directory.list_terms(
                actor, {"kind": kind, "language": visit.language})["items"]]
            for kind in COMPETENCES
        }  # fmt: skip
        return visit.page(
            "directory_search.html", link=link, found=found, searched=searched,
            competences=competences, coordinator=coordinator,
            more_filters=any(link.get(name) for name in MORE_FILTERS),
            pages=paging(found), areas=area_codes(), roles=ROLES, workflows=WORKFLOWS,
            member_states=EEA_COUNTRIES, member_state_names=member_state_names(visit.language),
            names_of_languages=language_names(visit.language),
            query_without_page=_query(link, without="page"),
        )  # fmt: skip

    # --- invitations ------------------------------------------------------------------------

    @page
    def directory_invitations(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(PageLink, request.args.to_dict())
        query = {"page": link["page"], "page_size": PAGE_SIZE}
        if link["status"]:
            query["status"] = link["status"]
        listed = self.directory.list_invitations(actor, query)
        return self._invitations_page(visit, listed, link, values={}, errors={}, result=None)

    @page
    def directory_invite(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        values, errors = read_form(InvitationForm, form)
        chosen_areas = [area for area in request.form.getlist("area") if area in area_codes()]
        emails = [line.strip() for line in values.get("emails", "").splitlines() if line.strip()]
        if not errors and not emails:
            errors["emails"] = "web.form.required"
        if len(emails) > MAX_BATCH_LINES:
            errors["emails"] = "web.directory.invite.too_many"
        if errors:
            listed = self.directory.list_invitations(actor, {"page": 1, "page_size": PAGE_SIZE})
            shown = {**form, "area": chosen_areas}
            first = {"page": 1, "status": None}
            return self._invitations_page(visit, listed, first, values=shown, errors=errors,
                                          result=None, status=400)  # fmt: skip
        areas = [{"area": area, "workflow": values["workflow"]} for area in chosen_areas]
        batch = [
            {"email": email, "language": values["language"], "areas": areas,
             **({"official_name": values["official_name"]} if values["official_name"] else {})}
            for email in emails
        ]  # fmt: skip
        result = self.directory.invite(actor, {"invitations": batch})
        listed = self.directory.list_invitations(actor, {"page": 1, "page_size": PAGE_SIZE})
        return self._invitations_page(visit, listed, {"page": 1, "status": None}, values={},
                                      errors={}, result=result)  # fmt: skip

    @page
    def directory_resubmit(self, request: Request, invitation_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        actor = visit.authenticate()
        if not ID.fullmatch(invitation_id):
            raise NotFound()
        change = {}
        email = form.get("email", "").strip()
        if email:
            change["email"] = email[:1000]
        try:
            self.directory.resubmit_invitation(actor, invitation_id, change)
        except ValidationFailed:
            return visit.redirect("/directory/invitations?status=expired&failed=1")
        return visit.redirect("/directory/invitations?status=sent")

    @page
    def directory_release(self, request: Request) -> Response:
        """A Commission administrator releases held invitations: they are sent now."""
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        chosen = [item for item in request.form.getlist("invitation") if ID.fullmatch(item)]
        if not chosen or len(chosen) > MAX_BATCH_LINES:
            query = {"page": 1, "page_size": PAGE_SIZE, "status": InvitationStatus.HELD.value}
            listed = self.directory.list_invitations(actor, query)
            held = {"page": 1, "status": InvitationStatus.HELD.value}
            errors = {"release": "web.directory.release.none_chosen"}
            return self._invitations_page(visit, listed, held, values={}, errors=errors,
                                          result=None, status=400)  # fmt: skip
        released = self.directory.release_invitations(actor, {"invitation_ids": chosen})
        return visit.redirect(f"/directory/invitations?status=held&released={released['released']}")

    def _invitations_page(self, visit, listed, link, values, errors, result, status=200):
        releases = (visit.actor or {}).get("member_state") == COMMISSION and (
            Right.COMMISSION_ADMINISTRATOR.value in visit.rights()
        )
        return visit.page(
            "directory_invitations.html", status, invitations=listed, link=link,
            values=values, errors={name: visit.t(key) for name, key in errors.items()},
            result=result, areas=area_codes(), workflows=WORKFLOWS, statuses=INVITATION_STATUSES,
            names_of_languages=language_names(visit.language), pages=paging(listed),
            failed=visit.request.args.get("failed") == "1", releases=releases,
            released=link.get("released"),
        )  # fmt: skip

    # --- validation of self-registrations ----------------------------------------------------

    @page
    def directory_pending(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(PageLink, request.args.to_dict())
        listed = self.directory.list_authorities(
            actor, {"which": "pending_validation", "page": link["page"], "page_size": PAGE_SIZE}
        )
        return visit.page(
            "directory_pending.html", listed=listed, pages=paging(listed),
            member_state_names=member_state_names(visit.language),
            validated=request.args.get("validated") == "1",
        )  # fmt: skip

    @page
    def directory_validate(self, request: Request, authority_id: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        if not ID.fullmatch(authority_id):
            raise NotFound()
        self.directory.validate_authority(actor, authority_id)
        return visit.redirect("/directory/pending?validated=1")

    # --- self-registration (public) ---------------------------------------------------------

    @page
    def directory_register_form(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        link = read_link(RegistrationCodeLink, request.args.to_dict())
        if not link["code"]:
            return visit.page("directory_register_code.html", errors={}, problem=None, code="")
        self.gate.limit_logins(request)
        try:
            invitation = self.directory.check_registration_code(link["code"])
        except (ServiceNotFound, ValidationFailed):
            return visit.page("directory_register_code.html", 404, errors={}, code=link["code"],
                              problem="invitation.code_unusable")  # fmt: skip
        values = {
            "registration_code": link["code"],
            "official_name": invitation.get("official_name") or "",
            "email": invitation["email"], "official_language": invitation["language"],
            "user_language": invitation["language"],
        }  # fmt: skip
        return self._registration_page(visit, invitation, values, {})

    @page
    def directory_register(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        form = visit.form()
        languages_chosen = [code for code in request.form.getlist("languages")
                            if code in SUPPORTED_LANGUAGES]  # fmt: skip
        values, errors = read_form(RegistrationForm, form)
        if not languages_chosen:
            errors["languages"] = "web.directory.register.languages_required"
        self.gate.limit_logins(request)
        code = form.get("registration_code", "")[:64]
        try:
            invitation = self.directory.check_registration_code(code)
        except (ServiceNotFound, ValidationFailed):
            return visit.page("directory_register_code.html", 404, errors={}, code="",
                              problem="invitation.code_unusable")  # fmt: skip
        if errors:
            shown = {**form, "languages": languages_chosen}
            return self._registration_page(visit, invitation, shown, errors, status=400)
        data = {
            "registration_code": code,
            "official_name": values["official_name"],
            "official_language": values["official_language"],
            "email": values["email"],
            "languages": languages_chosen,
            "first_user": {
                "full_name": values["user_full_name"], "email": values["user_email"],
                "language": values["user_language"],
                **({"phone": values["user_phone"]} if values["user_phone"] else {}),
            },
        }  # fmt: skip
        for name in ("street", "postcode", "city", "region", "phone", "website"):
            if values.get(name):
                data[name] = values[name]
        try:
            summary = self.directory.self_register(data)
        except (ServiceNotFound, Conflict) as exc:
            status = 404 if isinstance(exc, ServiceNotFound) else 409
            problem = exc.code if visit.t.has(exc.code) else "web.error.conflict"
            return visit.page("directory_register_code.html", status, errors={}, code="",
                              problem=problem)  # fmt: skip
        except ValidationFailed as exc:
            refused = {name: "web.form.invalid" for name in exc.extra.get("errors", {})}
            shown = {**form, "languages": languages_chosen}
            return self._registration_page(visit, invitation, shown, refused, status=400)
        return visit.page(
            "directory_register_done.html", 201, summary=summary,
            member_state_names=member_state_names(visit.language),
            names_of_languages=language_names(visit.language),
        )  # fmt: skip

    def _registration_page(self, visit, invitation, values, errors, status=200):
        values = {"languages": [], **values}
        for name in ("registration_code", "official_name", "email", "street", "postcode", "city",
                     "region", "phone", "website", "user_full_name", "user_email", "user_phone",
                     "official_language", "user_language"):  # fmt: skip
            values.setdefault(name, "")
        return visit.page(
            "directory_register.html", status, invitation=invitation, values=values,
            errors={name: visit.t(key) for name, key in errors.items()},
            member_state_names=member_state_names(visit.language),
            names_of_languages=language_names(visit.language), all_languages=SUPPORTED_LANGUAGES,
        )  # fmt: skip


def paging(listed: dict | None) -> dict | None:
    """Where a paged list is: its page, the number of pages."""
    if not listed:
        return None
    size = listed["page_size"] or 1
    last = max(1, -(-listed["total"] // size))
    return {"number": listed["page"], "last": last}


def _query(link: dict, without: str) -> str:
    return urlencode({k: v for k, v in link.items() if v and k != without})
