"""The delivery log of emails (docs/notifications.md): each email's state and every attempt
to hand it to the mail server, for the Commission's administrators; never an email's text."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.notifications.schemas import MailLogPageSchema, MailLogQuerySchema

ROUTES = (
    Route(
        "read_mail_log", "GET", f"{API}/mail-log",
        "The emails the system sent or is sending, newest first, with every delivery attempt "
        "and the mail server's answer (Commission administrators)", "notifications",
        query=MailLogQuerySchema, response=MailLogPageSchema, authenticated=True,
        errors=(403,),
    ),
)  # fmt: skip


class MailApi:
    """Entry points of GatewayService (which provides ``gate`` and ``notifications``)."""

    @api
    def read_mail_log(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.mail_log(call.actor, call.query)
