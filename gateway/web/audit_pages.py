"""The audit trail of an authority's users (DOMAIN.md sections 3 and 8): who did what to which
account and when, who read whose personal data, read with identity's ``audit`` and the
visitor's actor. Identity lets those who administer the authority's users read it (an
authority's local data administrators, its validating coordinator's data administrators, the
Commission's administrators for its own authorities) and refuses the others (a 403 page).

The trail names people by id; the page names them from the authority's list of users (read
with ``list_users``, which identity records as a reading of personal data, as it is).

A GET form narrows it to a user, a period of days (UTC, both included) and a kind of entry,
identity's own filters; the paging links keep them. A filter that does not fit is the form
again with its message beside the field (400) and the trail without period and kind.
"""

from __future__ import annotations

from urllib.parse import urlencode

from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import paging
from gateway.web.forms import FormSchema, read_form, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import Texts
from services.identity.domain import AuditAction

PAGES = (PageRoute("users_audit", "GET", "/users/audit"),)

PAGE_SIZE = 25
NAMES_READ = 100  # the most users one list call returns (services/common/schemas.py)
ID = validate.Regexp(r"^[0-9A-Za-z_-]{1,64}$")
ALL_AREAS = "*"  # how identity writes a right held in every area
CHANGED_FIELDS = ("full_name", "email", "phone", "language")
# what someone does before logging in: an entry of these without an actor is that person's,
# any other without one is the system's (a registered authority's first user, a block)
ANONYMOUS = ("login_failed", "password_reset_requested")
KINDS = tuple(action.value for action in AuditAction)
INVALID = {"invalid": "web.form.invalid"}


class AuditLink(FormSchema):
    authority_id = fields.String(load_default=None, validate=ID)
    user_id = fields.String(load_default=None, validate=ID)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))


class AuditFilter(FormSchema):
    """The form's period (days, UTC, both included) and kind of entry."""

    since = fields.Date(load_default=None, error_messages=INVALID)
    until = fields.Date(load_default=None, error_messages=INVALID)
    kind = fields.String(
        load_default=None, validate=validate.OneOf(KINDS, error="web.form.invalid")
    )

    @validates_schema
    def _a_period(self, data, **kwargs):
        if data["since"] and data["until"] and data["since"] > data["until"]:
            raise ValidationError("web.auditfilters.ends_before_start", "until")


def filter_query(values: dict) -> dict:
    """The form's values as identity's query takes them."""
    query = {name: values[name].isoformat() for name in ("since", "until") if values.get(name)}
    if values.get("kind"):
        query["kind"] = [values["kind"]]
    return query


def _rights(t: Texts, grants: list) -> str:
    """``right@area`` as identity writes a grant, in words."""
    named = []
    for grant in grants:
        right, _, area = str(grant).partition("@")
        text = t(f"web.users.right.{right}")
        if area and area != ALL_AREAS:
            text += f" ({t(f'directory.legislative_area.{area}')})"
        named.append(text)
    return ", ".join(named) if named else t("web.audit.no_rights")


def entry_details(t: Texts, details: dict) -> list[str]:
    """What an entry's details say, in the reader's language; details a reader cannot act on
    (a session's id) are left out."""
    said = []
    if details.get("previous_username"):
        said.append(t("web.audit.previous_username", username=details["previous_username"]))
    if details.get("fields"):
        changed = [t(f"web.users.{name}") for name in details["fields"] if name in CHANGED_FIELDS]
        said.append(t("web.audit.fields", fields=", ".join(changed)))
    if "before" in details:
        said.append(t("web.audit.rights_before", rights=_rights(t, details["before"])))
    if "after" in details:
        said.append(t("web.audit.rights_after", rights=_rights(t, details["after"])))
    if "rights" in details:
        said.append(t("web.audit.rights_given", rights=_rights(t, details["rights"])))
    if details.get("first_user"):
        said.append(t("web.audit.first_user"))
    if "user_ids" in details:
        said.append(t("web.audit.people_read", count=t.number(len(details["user_ids"]))))
    reason = details.get("reason")
    if reason and t.has(f"web.audit.reason.{reason}"):
        said.append(t(f"web.audit.reason.{reason}"))
    if details.get("temporary_password"):
        said.append(t("web.audit.with_temporary_password"))
    if details.get("self_service"):
        said.append(t("web.audit.self_service"))
    return said


def kept_query(link: dict, values: dict) -> str:
    """What the paging links carry: the authority, the user and the filters that fit."""
    kept = {name: value for name, value in link.items() if value and name != "page"}
    kept.update({name: str(value) for name, value in values.items() if value})
    return urlencode(kept)


class AuditPages:
    """Entry points of GatewayService (``web``, ``gate`` and ``identity``)."""

    @page
    def users_audit(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        t = visit.t
        link = read_link(AuditLink, request.args.to_dict())
        values, errors = read_form(AuditFilter, request.args.to_dict())
        filters = filter_query(values)  # none when the form does not fit
        query = {"page": link["page"], "page_size": PAGE_SIZE, **filters}
        scope = {"authority_id": link["authority_id"]} if link["authority_id"] else {}
        if link["user_id"]:
            query["user_id"] = link["user_id"]
        trail = self.identity.audit(actor, {**query, **scope})
        users = self.identity.list_users(actor, {"page": 1, "page_size": NAMES_READ, **scope})
        names = {user["id"]: user["full_name"] for user in users["items"]}
        entries = [
            {**entry, "said": entry_details(t, entry["details"])} for entry in trail["items"]
        ]
        kept = kept_query(link, values)
        return visit.page(
            "users_audit.html", 400 if errors else 200,
            trail=trail, entries=entries, link=link, names=names,
            users=sorted(users["items"], key=lambda user: user["full_name"]),
            pages=paging(trail), anonymous=ANONYMOUS,
            filters=request.args.to_dict(),
            errors={name: t(key) for name, key in errors.items()},
            kinds=[(kind, t(f"web.audit.action.{kind}")) for kind in KINDS],
            base=f"/users/audit?{kept}&" if kept else "/users/audit?",
        )  # fmt: skip
