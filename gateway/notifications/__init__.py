"""The notifications service's part of the HTTP API: the delivery log of emails (mail.py) and
alerts (alerts.py), each with its rows of the route table (``ROUTES``) and a mixin of
GatewayService holding their entry points."""

from gateway.notifications import alerts, mail

ROUTES = (*mail.ROUTES, *alerts.ROUTES)
MIXINS = (mail.MailApi, alerts.AlertsApi)
