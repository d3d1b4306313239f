"""Schemathesis hooks for bench/conformance.py: every request as the Commission administrator.

Loaded by Schemathesis (SCHEMATHESIS_HOOKS), in its own process: the credentials come from
the environment bench/conformance.py sets. A token is fetched by the ordinary login
(challenge, password and the digits asked for) and fetched again whenever an answer is a 401:
the fuzzer calls logout too, which ends the session its token belongs to. The login routes
themselves are fuzzed without it, as a client that is not logged in calls them.
"""

from __future__ import annotations

import os

import schemathesis

from bench.login import log_in

LOGIN_ROUTES = r"^/api/v1/auth/(?!logout$)"


@schemathesis.auth(retry_on=[401]).skip_for(path_regex=LOGIN_ROUTES)
class CommissionAdministrator:
    def get(self, case, context) -> str:
        environ = os.environ
        return log_in(
            environ["IMI_CONFORMANCE_BASE"],
            environ["IMI_CONFORMANCE_USERNAME"],
            environ["IMI_CONFORMANCE_PASSWORD"],
            environ["IMI_CONFORMANCE_CODE"],
        )

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
