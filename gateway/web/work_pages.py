"""The pages of a logged-in user's daily work: the home page (what waits for them), the inbox
of notifications and the lists of their authority's requests.

Each page asks the services with the user's own actor, exactly as the API would: a list holds
what the requests service lets this user see, and a right the user lacks is a 403 page.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from gateway.web.forms import RequestListLink, read_link
from gateway.web.page import PageRoute, page

PAGES = (
    PageRoute("home", "GET", "/"),
    PageRoute("inbox_page", "GET", "/inbox"),
    PageRoute("inbox_read_all", "POST", "/inbox/read"),
    PageRoute("requests_page", "GET", "/requests"),
)

# the lists of requests a user can switch between, in the order of the tabs
REQUEST_BOXES = ("actions", "incoming", "outgoing", "urgent", "all")
HOME_ITEMS = 5


class WorkPages:
    """Entry points of GatewayService (``web``, ``gate``, ``identity``, ``notifications`` and
    ``requests``)."""

    @page
    def home(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        me = self.identity.me(actor)
        inbox = self.notifications.inbox(actor, {"page_size": HOME_ITEMS})
        actions = []
        if visit.rights() & {"request_handler", "allocator", "basic_user"}:
            listed = self.requests.list_requests(actor, {"box": "actions", "limit": HOME_ITEMS})
            actions = listed["items"]
        return visit.page("home.html", me=me, inbox=inbox, actions=actions)

    @page
    def inbox_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        inbox = self.notifications.inbox(actor, {"page_size": 50})
        return visit.page("inbox.html", inbox=inbox)

    @page
    def inbox_read_all(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        visit.form()
        actor = visit.authenticate()
        self.notifications.mark_inbox_read(actor, None)
        return visit.redirect("/inbox")

    @page
    def requests_page(self, request: Request) -> Response:
        visit = self.web.visit(request, self.gate, self.identity)
        actor = visit.authenticate()
        link = read_link(RequestListLink, request.args.to_dict())
        query = {"box": link["box"], "limit": 25}
        if link["cursor"]:
            query["cursor"] = link["cursor"]
        listed = self.requests.list_requests(actor, query)
        return visit.page(
            "requests.html", box=link["box"], boxes=REQUEST_BOXES,
            requests=listed["items"], next_cursor=listed.get("next_cursor"),
        )  # fmt: skip
