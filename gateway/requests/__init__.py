"""The requests service's part of the HTTP API: question sets (question_sets.py), requests
(requests.py) and their statistics (statistics.py), each module with its rows of the route
table (``ROUTES``) and a mixin of GatewayService holding their entry points."""

from gateway.requests import question_sets, requests, statistics

ROUTES = question_sets.ROUTES + requests.ROUTES + statistics.ROUTES
MIXINS = (question_sets.QuestionSetsApi, requests.RequestsApi, statistics.RequestStatisticsApi)
