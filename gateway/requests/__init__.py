"""The requests service's part of the HTTP API: question sets (question_sets.py), each module
with its rows of the route table (``ROUTES``) and a mixin of GatewayService holding their entry
points."""

from gateway.requests import question_sets

ROUTES = question_sets.ROUTES
MIXINS = (question_sets.QuestionSetsApi,)
