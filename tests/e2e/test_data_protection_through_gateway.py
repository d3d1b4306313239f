"""The data protection routes of requests through the gateway (docs/requests-data-protection.md):
the Commission administrator asks for a data subject's report, by name and date of birth or by
identity number, and is refused a report asked both ways or neither; a request nobody may see
has no audit trail nor contested mark to read or set; the list of inactive requests of an
authority that coordinates none is empty."""

from __future__ import annotations

from tests.e2e.stack import API, Stack

UNKNOWN = f"{API}/requests/00000000-0000-4000-8000-000000000000"


def test_the_data_protection_routes_answer_their_readers_and_refuse_the_rest(stack: Stack):
    admin = stack.activate(stack.admin)
    reports = f"{API}/data-subject-reports"

    by_name = stack.web.post(reports, json={"full_name": "Mario Rossi",
                                            "date_of_birth": "1980-05-03"},
                             headers=admin.auth_json)  # fmt: skip
    by_number = stack.web.post(reports, json={"identity_number": "CA12345AB"},
                               headers=admin.auth_json)  # fmt: skip
    both_ways = stack.web.post(reports, json={"identity_number": "CA12345AB",
                                              "full_name": "Mario Rossi"},
                               headers=admin.auth_json)  # fmt: skip
    no_way = stack.web.post(reports, json={}, headers=admin.auth_json)
    trail = stack.web.get(f"{UNKNOWN}/personal-data-audit", headers=admin.auth)
    contested = stack.web.put(f"{UNKNOWN}/contested", headers=admin.auth)
    inactive = stack.web.get(f"{API}/inactive-requests", headers=admin.auth)

    assert by_name.status_code == 200, by_name.text
    assert by_name.json()["requests"] == []
    assert by_name.json()["complete"] is True
    assert by_number.status_code == 200, by_number.text
    assert both_ways.status_code == 400, both_ways.text
    assert "identity_number" in both_ways.json()["errors"]
    assert no_way.status_code == 400, no_way.text
    assert (trail.status_code, trail.json()["code"]) == (404, "request.unknown")
    assert (contested.status_code, contested.json()["code"]) == (404, "request.unknown")
    assert inactive.status_code == 200, inactive.text
    assert inactive.json() == {"days": 90, "items": [], "next_cursor": None}
