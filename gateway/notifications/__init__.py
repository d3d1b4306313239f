"""The notifications service's part of the HTTP API: the delivery log of emails (mail.py),
alerts (alerts.py), generic notifications and their types and repositories (generic.py), each
user's inbox (inbox.py) and the webhook subscriptions of outside systems (webhooks.py), each
module with its rows of the route table (``ROUTES``) and a mixin
of GatewayService holding their entry points."""

from gateway.notifications import alerts, generic, inbox, mail, webhooks

ROUTES = (*mail.ROUTES, *alerts.ROUTES, *generic.ROUTES, *inbox.ROUTES, *webhooks.ROUTES)
MIXINS = (
    mail.MailApi, alerts.AlertsApi, generic.GenericNotificationsApi, inbox.InboxApi,
    webhooks.WebhooksApi,
)  # fmt: skip
