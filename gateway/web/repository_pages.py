"""A repository's page: what broadcast generic notifications wrote in it, newest first, each
entry's fields under their labels in the reader's language and its dates in the reader's
locale (docs/generic-notifications.md "Repositories").

The notifications service decides who reads a repository (the Commission's administrators and
the authorities taking part in its area's notifications or repositories); anyone else, like a
repository that does not exist, gets its 404. An entry keeps no personal data.
"""

from __future__ import annotations

import re

from marshmallow import fields, validate
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from gateway.web.alert_pages import authority_names
from gateway.web.forms import FormSchema, read_link
from gateway.web.notification_content import content_rows, type_title
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names
from services.common.reference import EEA_COUNTRIES

PAGES = (PageRoute("repository_page", "GET", "/repositories/<repository>"),)

PAGE_SIZE = 20
REPOSITORY = re.compile(r"[a-z][a-z0-9_]{0,63}")


class RepositoryLink(FormSchema):
    member_state = fields.String(load_default=None, validate=validate.OneOf(EEA_COUNTRIES))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10000))


class RepositoryPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``notifications`` and
    ``directory``)."""

    @page
    def repository_page(self, request: Request, repository: str) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        if not REPOSITORY.fullmatch(repository):
            raise NotFound()
        link = read_link(RepositoryLink, request.args.to_dict())
        query = {"page": link["page"], "page_size": PAGE_SIZE}
        if link["member_state"]:
            query["member_state"] = link["member_state"]
        found = self.notifications.repository_entries(actor, repository, query)
        types = {kind["key"]: kind
                 for kind in self.notifications.notification_types(actor, {})["items"]}  # fmt: skip
        feeding = [kind for kind in types.values() if kind["repository"] == repository]
        names = member_state_names(visit.language)
        entries = [_entry(visit.t, item, types.get(item["type_key"])) for item in found["items"]]
        return visit.page(
            "repository_page.html", repository=repository, entries=entries,
            title=", ".join(type_title(visit.t, kind) for kind in feeding) or repository,
            area=feeding[0]["area"] if feeding else None, member_state=link["member_state"],
            states=sorted(EEA_COUNTRIES, key=names.get), member_state_names=names,
            page_number=link["page"], more=found["total"] > link["page"] * PAGE_SIZE,
            total=found["total"],
            authority_names=authority_names(
                self.directory, actor, {item["authority_id"] for item in found["items"]}
            ),
        )  # fmt: skip


def _entry(t, item: dict, kind: dict | None) -> dict:
    """An entry with its fields as (label, value) rows, labelled by its type's latest version
    (a field that version no longer names shows under its name)."""
    rows = content_rows(t, kind["fields"] if kind else [], item["fields"])
    title = type_title(t, kind) if kind else item["type_key"]
    return {**item, "rows": rows, "type_title": title}
