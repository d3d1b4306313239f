"""The statistics of requests through the gateway, on the training environment's data (the
demo requests and the two years of past requests behind them): Italy's national coordinator
reads its member state's figures as JSON and one of them as CSV, the same rows; a request
handler is refused with a code."""

from __future__ import annotations

import csv
import io

import pytest

from services.identity.demo import load_demo_users
from services.identity.demo_roster import demo_user
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from services.requests.demo import load_demo_requests
from services.requests.demo_history import load_demo_history
from tests.databases import prepare
from tests.e2e.stack import API, Stack, User


def demo_with_history(uri: str) -> None:
    prepare(
        "requests", uri, publish_shipped_sets, publish_shipped_lists, load_demo_requests,
        load_demo_history,
    )  # fmt: skip


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path) -> dict:
    requests_uri = prepared_sqlite(
        "e2e_requests_history", demo_with_history, tmp_path / "history-r.db"
    )
    return {**e2e_config, "RPC_TIMEOUT": 20,
            "DB_URIS": {**e2e_config["DB_URIS"], "requests": requests_uri}}  # fmt: skip


@pytest.fixture(autouse=True)
def demo_users_loaded(e2e_config, prepared_admin) -> None:
    load_demo_users(e2e_config["DB_URIS"]["identity"], e2e_config["IDENTITY"]["KEY_DIR"])


def log_in(stack: Stack, username: str) -> User:
    person = demo_user(username)
    user = User(person.username, person.password, id=person.id,
                security_code=person.security_code)  # fmt: skip
    answer = stack.login(user)
    assert answer.status_code == 200, answer.text
    user.access_token = answer.json()["access_token"]
    return user


def answered(stack: Stack, user: User, path: str, eventually):
    """The answer to a GET once the fresh installation's first busy seconds are over (a call
    may meanwhile wait for the service's database connection and get a 503: docs/demo.md)."""

    def served():
        answer = stack.web.get(f"{API}{path}", headers=user.auth)
        assert answer.status_code != 503, answer.text
        return answer

    return eventually(served, timeout=90, interval=0.5)


def test_a_national_coordinator_reads_its_member_state_s_figures_as_json_and_csv(
    stack: Stack, eventually
):
    coordinator = log_in(stack, "it-coordinator")

    answer = answered(stack, coordinator, "/request-statistics", eventually)
    as_csv = stack.web.get(
        f"{API}/request-statistics/by_member_state.csv", headers=coordinator.auth
    )

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["scope"]["member_state"] == "IT"
    (italy,) = [row for row in found["by_member_state"] if row["member_state"] == "IT"]
    # every request counted was sent or received by Italy, none within Italy
    assert italy["sent"] + italy["received"] == sum(row["requests"] for row in found["by_area"])
    assert italy["sent"] > 100
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    assert rows == [{name: str(value) for name, value in row.items()}
                    for row in found["by_member_state"]]  # fmt: skip


def test_a_request_handler_is_refused_the_statistics_with_a_code(stack: Stack, eventually):
    handler = log_in(stack, "it-roma-handler")

    answer = answered(stack, handler, "/request-statistics/scoreboard.csv", eventually)

    assert answer.status_code == 403
    assert answer.json()["code"] == "request.statistics_not_allowed"
