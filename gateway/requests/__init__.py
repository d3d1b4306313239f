"""The requests service's part of the HTTP API: question sets (question_sets.py), requests
(requests.py), their reports (reports.py), their data protection (protection.py) and their
statistics (statistics.py), each module with its rows of the route table (``ROUTES``) and a
mixin of GatewayService holding their entry points."""

from gateway.requests import protection, question_sets, reports, requests, statistics

ROUTES = (
    question_sets.ROUTES + requests.ROUTES + reports.ROUTES + protection.ROUTES + statistics.ROUTES
)
MIXINS = (
    question_sets.QuestionSetsApi,
    requests.RequestsApi,
    reports.ReportsApi,
    protection.ProtectionApi,
    statistics.RequestStatisticsApi,
)
