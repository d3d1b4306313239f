"""The directory's part of the HTTP API: one module per area, each with its rows of the route
table (``ROUTES``) and a mixin of GatewayService holding their entry points."""

from gateway.directory import (
    authorities,
    invitations,
    public,
    registers,
    request_policies,
    search,
    terms,
)

ROUTES = (
    *authorities.ROUTES,
    *registers.ROUTES,
    *public.ROUTES,
    *search.ROUTES,
    *invitations.ROUTES,
    *terms.ROUTES,
    *request_policies.ROUTES,
)
MIXINS = (
    authorities.AuthoritiesApi,
    registers.RegistersApi,
    public.PublicApi,
    search.SearchApi,
    invitations.InvitationsApi,
    terms.TermsApi,
    request_policies.RequestPoliciesApi,
)
