"""Each user's inbox of notifications (docs/notifications.md, "The inbox"): what they were told
about the work of their authority, newest first, and marking it read."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.notifications.schemas import InboxPageSchema, InboxQuerySchema, InboxReadSchema

_ALL = f"{API}/inbox"
_TAG = "notifications"

ROUTES = (
    Route(
        "read_inbox", "GET", _ALL,
        "My notifications, newest first, each with its title in my language and where to "
        "look; how many are unread", _TAG,
        query=InboxQuerySchema, response=InboxPageSchema, authenticated=True,
    ),
    Route(
        "mark_inbox_item_read", "POST", f"{_ALL}/{{item_id}}/read",
        "Mark one of my notifications read", _TAG,
        response=InboxReadSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "mark_inbox_read", "POST", f"{_ALL}/read",
        "Mark all my notifications read", _TAG,
        response=InboxReadSchema, authenticated=True,
    ),
)  # fmt: skip


class InboxApi:
    """Entry points of GatewayService (which provides ``gate`` and ``notifications``)."""

    @api
    def read_inbox(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.inbox(call.actor, call.query)

    @api
    def mark_inbox_item_read(self, request: Request, item_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).mark_inbox_read(call.actor, item_id)

    @api
    def mark_inbox_read(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).mark_inbox_read(call.actor, None)
