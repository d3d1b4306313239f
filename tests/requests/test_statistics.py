"""The statistics of requests for coordinators and the Commission (services/requests/
statistics.py), through the service on SQLite: each figure of a small history with known
times (tests/requests/statistics_world.py) is the one computed by hand; each reader counts
its own scope; the CSV of a figure is its JSON; a request carries its profession and sector,
checked against the directory's lists. The lists and the search over the same history find
what is computed by hand too."""

from __future__ import annotations

import csv
import io

import pytest

from services.common.errors import Forbidden, ValidationFailed
from tests.requests import statistics_world as world
from tests.requests.statistics_world import (
    BUDAPEST_HANDLER,
    COMMISSION_USER,
    HU_COORDINATOR_USER,
    IT_COORDINATOR_USER,
    LAZIO_USER,
    PQ,
    ROMA_HANDLER,
    SERVICES,
)


@pytest.fixture
def requests_config(service_config, service_database, frozen_clock) -> dict:
    from services.translation.bootstrap import prepare_translation

    return {
        **service_config,
        "DB_URIS": {
            "requests": service_database("requests", world.seed, template="requests-statistics"),
            "translation": service_database(
                "translation", lambda uri: prepare_translation(uri, frozen_clock())
            ),
        },
    }


@pytest.fixture
def history(proxy, frozen_clock) -> dict[str, dict]:
    played = world.play(proxy.requests, frozen_clock)
    world.make_pilot(proxy.requests)
    return played


def test_the_commission_s_figures_are_those_computed_by_hand(proxy, history):
    found = proxy.requests.request_statistics(COMMISSION_USER, {})

    world.check_commission_figures(found)
    assert found["computed_at"] == "2026-03-01T12:00:00+00:00"


def test_the_questions_asked_most_in_any_period_are_those_counted_by_hand(
    proxy, history, requests_config
):
    world.check_questions_over_periods(proxy.requests, history)
    world.check_counters_agree(requests_config["DB_URIS"]["requests"])


def test_the_lists_and_the_search_find_what_is_computed_by_hand(proxy, history):
    world.check_lists(proxy.requests, history)


def test_a_pilot_area_is_left_out_of_the_pending_requests_only(proxy, history):
    proxy.requests.change_area_settings(
        COMMISSION_USER, world.POSTING,
        {"forwarding_after_acceptance": False, "pilot": False, "version": 1},
    )  # fmt: skip
    with_pilot_counted = proxy.requests.request_statistics(COMMISSION_USER, {})

    assert with_pilot_counted["pilot_areas"] == []
    assert with_pilot_counted["pending"] == world.PENDING_WITHOUT_PILOT
    assert with_pilot_counted["by_area"] == world.BY_AREA


def test_an_italian_coordinator_counts_only_what_italy_sent_or_received(proxy, history):
    found = proxy.requests.request_statistics(IT_COORDINATOR_USER, {})

    assert found["scope"] == {"kind": "member_state", "member_state": "IT", "coordinator_id": None}
    assert found["by_area"] == [{"area": PQ, "requests": 3}, {"area": SERVICES, "requests": 6}]
    assert found["by_member_state"] == [
        {"member_state": "HU", "sent": 2, "received": 7},
        {"member_state": "IT", "sent": 7, "received": 2},
    ]
    assert found["scoreboard"][0]["received"] == 7  # Hungary's, as Italy's counterpart
    assert found["pending"] == world.PENDING


def test_a_coordinator_of_an_area_counts_the_requests_of_the_authorities_linked_to_it(
    proxy, history
):
    found = proxy.requests.request_statistics(LAZIO_USER, {"figures": "by_area,by_month"})

    assert found["scope"]["kind"] == "coordinator"
    assert found["by_area"] == [{"area": PQ, "requests": 3}]  # Roma's, in the area of the link
    assert found["by_month"] == [{"month": "2026-01", "requests": 2},
                                 {"month": "2026-02", "requests": 1}]  # fmt: skip
    assert "scoreboard" not in found


def test_a_hungarian_coordinator_counts_every_request_of_hungary(proxy, history):
    found = proxy.requests.request_statistics(HU_COORDINATOR_USER, {"figures": "by_area"})

    assert found["by_area"] == world.BY_AREA


def test_a_request_handler_is_refused_the_statistics(proxy, history):
    with pytest.raises(Forbidden) as refused:
        proxy.requests.request_statistics(BUDAPEST_HANDLER, {})

    assert refused.value.code == "request.statistics_not_allowed"


def test_the_period_and_the_area_limit_every_figure(proxy, history):
    january = {"sent_from": "2026-01-01", "sent_to": "2026-01-31"}

    in_january = proxy.requests.request_statistics(COMMISSION_USER, january)
    services = proxy.requests.request_statistics(COMMISSION_USER, {"area": SERVICES})

    assert in_january["by_area"] == [
        {"area": world.POSTING, "requests": 1},
        {"area": PQ, "requests": 2},
        {"area": SERVICES, "requests": 1},
    ]
    assert in_january["by_month"] == [{"month": "2026-01", "requests": 4}]
    assert [row["answered"] for row in in_january["response_times"]] == [1]  # R5
    assert services["by_area"] == [{"area": SERVICES, "requests": 6}]
    assert [row["member_state"] for row in services["scoreboard"]] == ["HU", "IT"]
    assert services["pending"] == []


def test_the_questions_come_with_their_text_in_the_reader_s_language(proxy, history):
    found = proxy.requests.request_statistics(
        COMMISSION_USER, {"figures": "questions", "questions_limit": 2, "language": "it"}
    )

    assert [row["question"] for row in found["questions"]] == [
        "lawfully_established", "diploma_genuine",
    ]  # fmt: skip
    assert all(row["text"] and row["text_fallback"] is False for row in found["questions"])
    assert found["language"] == "it"


@pytest.mark.parametrize("figure", ["by_member_state", "questions", "pending", "scoreboard"])
def test_a_figure_s_csv_has_a_header_row_and_the_rows_of_its_json(proxy, history, figure):
    found = proxy.requests.request_statistics(COMMISSION_USER, {"figures": figure})
    as_csv = proxy.requests.request_statistics_csv(COMMISSION_USER, figure, {})

    rows = list(csv.DictReader(io.StringIO(as_csv["content"], newline="")))
    assert rows
    assert list(rows[0]) == list(found[figure][0])
    assert rows == [{name: _cell(value) for name, value in row.items()} for row in found[figure]]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_an_unknown_figure_is_refused(proxy):
    with pytest.raises(ValidationFailed):
        proxy.requests.request_statistics_csv(COMMISSION_USER, "by_weather", {})


# --- a request's profession and sector -----------------------------------------------------


def _pq_draft(**more) -> dict:
    return {"set_key": PQ, "pq_type": "general", "questions": ["1.1"],
            "subject": {"full_name": "Ada Statistica"}, **more}  # fmt: skip


def test_a_request_names_a_profession_and_a_sector_of_the_directory_s_lists(proxy):
    draft = proxy.requests.create_request(
        ROMA_HANDLER, _pq_draft(profession="pharmacist", sector="86")
    )
    edited = proxy.requests.edit_request_draft(
        ROMA_HANDLER, draft["id"], {"version": draft["version"], "sector": None}
    )
    copied = proxy.requests.copy_request(ROMA_HANDLER, draft["id"], {"elements": ["questions"]})

    assert (draft["profession"], draft["sector"]) == ("pharmacist", "86")
    assert (edited["profession"], edited["sector"]) == ("pharmacist", None)
    assert (copied["profession"], copied["sector"]) == ("pharmacist", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_pq_draft(profession="astronaut"), "profession"),
        (_pq_draft(sector="zz"), "sector"),
        ({"set_key": SERVICES, "questions": ["1.1"], "subject": {"full_name": "Ada"},
          "profession": "architect"}, "profession"),
    ],
)  # fmt: skip
def test_a_profession_or_sector_of_no_list_is_refused(proxy, data, field):
    with pytest.raises(ValidationFailed) as refused:
        proxy.requests.create_request(ROMA_HANDLER, data)

    assert list(refused.value.extra["errors"]) == [field]
