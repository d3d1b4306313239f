"""The identity service's part of the HTTP API: logging in (authentication.py) and the users
and their audit trail (users.py), each with its rows of the route table (``ROUTES``) and a
mixin of GatewayService holding their entry points."""

from gateway.identity import authentication, users

ROUTES = (*authentication.ROUTES, *users.ROUTES)
MIXINS = (authentication.AuthenticationApi, users.UsersApi)
