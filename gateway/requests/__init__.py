"""The requests service's part of the HTTP API: question sets (question_sets.py), requests
(requests.py) and their reports (reports.py), each module with its rows of the route table
(``ROUTES``) and a mixin of GatewayService holding their entry points."""

from gateway.requests import question_sets, reports, requests

ROUTES = question_sets.ROUTES + requests.ROUTES + reports.ROUTES
MIXINS = (question_sets.QuestionSetsApi, requests.RequestsApi, reports.ReportsApi)
