"""A coordinator's lists of the authorities it coordinates (DOMAIN.md section 2): every one,
those without active users (none of their users has ever logged in) and those with fewer than
two local data administrators, from the directory's ``list_authorities`` with the visitor's
actor. The directory decides who is a coordinator and refuses the others (a 403 page)."""

from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from gateway.web.directory_pages import PAGE_SIZE, paging
from gateway.web.forms import FormSchema, read_link
from gateway.web.page import PageRoute, page
from gateway.web.texts import member_state_names

PAGES = (PageRoute("directory_coordinated", "GET", "/directory/coordinated"),)

LISTS = ("coordinated", "without_active_users", "few_administrators")


class CoordinatedLink(FormSchema):
    which = fields.String(load_default="coordinated", validate=validate.OneOf(LISTS))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1000))


class CoordinatedPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity`` and ``directory``)."""

    @page
    def directory_coordinated(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(CoordinatedLink, request.args.to_dict())
        listed = self.directory.list_authorities(
            actor, {"which": link["which"], "page": link["page"], "page_size": PAGE_SIZE}
        )
        return visit.page(
            "directory_coordinated.html", listed=listed, link=link, lists=LISTS,
            pages=paging(listed), member_state_names=member_state_names(visit.language),
        )  # fmt: skip
