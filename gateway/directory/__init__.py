"""The directory's part of the HTTP API: one module per area, each with its rows of the route
table (``ROUTES``) and a mixin of GatewayService holding their entry points."""
