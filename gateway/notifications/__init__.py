"""The notifications service's part of the HTTP API: the delivery log of emails (mail.py),
with its rows of the route table (``ROUTES``) and a mixin of GatewayService holding their
entry points."""

from gateway.notifications import mail

ROUTES = mail.ROUTES
MIXINS = (mail.MailApi,)
