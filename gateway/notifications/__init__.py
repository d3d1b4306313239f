"""The notifications service's part of the HTTP API: the delivery log of emails (mail.py)
and the webhook subscriptions of outside systems (webhooks.py), each module with its rows of
the route table (``ROUTES``) and a mixin of GatewayService holding their entry points."""

from gateway.notifications import mail, webhooks

ROUTES = mail.ROUTES + webhooks.ROUTES
MIXINS = (mail.MailApi, webhooks.WebhooksApi)
