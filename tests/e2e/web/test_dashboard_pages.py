"""The coordinators' dashboard on the training environment's data (the demo requests and the
two years of past requests behind them): Italy's national coordinator reads its member
state's figures as charts with their tables, filters them, reads them in Greek (axe-core
checked) and downloads one as CSV; a request handler is refused the page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from gateway.web.texts import member_state_names
from services.directory.bootstrap import prepare_directory
from services.directory.demo import plan_authorities
from services.identity.demo_roster import demo_user
from tests.conftest import HttpSession
from tests.e2e.conftest import prepared
from tests.e2e.stack import API, Stack, User, shipped_text
from tests.e2e.test_request_statistics_through_gateway import demo_with_history
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_alert_pages import demo_authorities
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

# the module's first test prepares two years of past requests, then starts the whole stack and
# a browser: on a busy 2-core machine that is more than the suite's 120 s per test
pytestmark = pytest.mark.timeout(300)

ITALIAN_AUTHORITIES = 8


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path) -> dict:
    requests_uri = prepared_sqlite(
        "e2e_requests_history", demo_with_history, tmp_path / "history-r.db"
    )
    directory_uri = prepared_sqlite(
        "e2e_directory_italy",
        prepared("directory", prepare_directory, italian_authorities),
        tmp_path / "directory-it.db",
    )
    uris = {**e2e_config["DB_URIS"], "requests": requests_uri, "directory": directory_uri}
    return {**e2e_config, "DB_URIS": uris}


def italian_authorities(uri: str) -> None:
    """Italy's national coordinator in the directory, and the first Italian demo authorities
    it registered, none of whose users has logged in."""
    coordinator = demo_user("it-coordinator").authority.id
    registered = [
        entry["id"] for entry in plan_authorities()
        if entry["member_state"] == "IT" and entry["id"] != coordinator
    ][:ITALIAN_AUTHORITIES]  # fmt: skip
    demo_authorities(uri, {coordinator, *registered})


def web_login(stack: Stack, user: User, language: str = "en") -> HttpSession:
    """A session logged in through the login pages, as a browser without script would; again
    while the fresh installation's first busy seconds answer 503 (docs/demo.md)."""

    def logged_in() -> HttpSession:
        session = _web_login(stack, user, language)
        assert session is not None, "the installation is still busy"
        return session

    return stack.eventually(logged_in, timeout=90, interval=0.5)


def served(stack: Stack, session: HttpSession, path: str, **params):
    """A page's answer once it is not 503 (the installation's first busy seconds)."""

    def answer():
        found = session.get(path, params=params)
        assert found.status_code != 503, "the installation is still busy"
        return found

    return stack.eventually(answer, timeout=90, interval=0.5)


def _web_login(stack: Stack, user: User, language: str) -> HttpSession | None:
    session = HttpSession(stack.web.base_url)
    login = session.get("/login", headers={"Accept-Language": language})
    code_page = session.post(
        "/login", data={"username": user.username, "csrf_token": csrf_token(login.text)}
    )
    if code_page.status_code == 503:
        return None
    assert code_page.status_code == 200, code_page.text
    digits = {}
    for field, label in re.findall(r'for="field-(digit\d)">([^<]+)</label>', code_page.text):
        digits[field] = user.security_code[int(re.search(r"\d+", label)[0]) - 1]
    answer = session.post(
        "/login/verify",
        data={
            "csrf_token": csrf_token(code_page.text), "next": "/",
            "username": user.username, "password": user.password,
            "challenge_id": re.search(r'name="challenge_id" value="([^"]+)"', code_page.text)[1],
            **digits,
        },
    )  # fmt: skip
    if answer.status_code == 503:
        return None
    assert answer.status_code == 200, answer.text
    assert answer.url.endswith("/"), "logged in, at home"
    return session


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def demo(username: str) -> User:
    person = demo_user(username)
    return User(person.username, person.password, security_code=person.security_code)


def test_a_national_coordinator_reads_its_figures_as_charts_and_tables(page: Page, axe_source):
    coordinator = demo_user("it-coordinator")
    page.goto("/dashboard")
    log_in(page, coordinator, "en")

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    language = coordinator.language  # the account's language: Italian
    expect(page.locator("h1")).to_have_text(shipped_text("web.dashboard.title", language))
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", language))
    expect(
        menu.get_by_role("link", name=shipped_text("web.dashboard.menu", language))
    ).to_have_attribute("aria-current", "page")
    scope = shipped_text("web.dashboard.scope_member_state", language).split("{state}")[0].strip()
    expect(page.locator("main")).to_contain_text(scope)
    charts = page.locator("svg.imi-chart[role='img']")
    # per month, per member state, per area, response times, three scoreboard indicators, the
    # questions asked most and the authorities without active users per member state
    expect(charts).to_have_count(9)
    for index in range(9):
        chart = charts.nth(index)
        assert chart.locator("title").first.text_content()
        assert chart.locator("desc").text_content()
        assert chart.locator("rect").count() > 0, "a chart of the demo data has bars"
    months = page.locator("#months-heading ~ .imi-figure__body table tbody tr")
    assert months.count() >= 12, "two years of past requests, month by month"
    counts = page.locator("#months-heading ~ .imi-figure__body table tbody td")
    unfiltered_total = sum(int(re.sub(r"\D", "", text)) for text in counts.all_inner_texts())
    scoreboard = page.locator("#scoreboard-heading ~ .imi-figure__body table tbody tr")
    assert scoreboard.count() >= 1
    assert page.locator("#response-heading ~ .imi-figure__body table tbody tr").count() >= 1
    states = page.locator("#states-heading ~ .imi-figure__body table tbody tr")
    assert states.count() >= 2, "Italy and the member states it exchanged with"
    assert page.locator("#areas-heading ~ .imi-figure__body table tbody tr").count() >= 1
    questions = page.locator(
        "#questions-heading ~ .imi-figure__body table tbody tr td:nth-child(2)"
    )
    assert questions.count() >= 1
    for text in questions.all_inner_texts():  # the question's words, not its catalogue key
        assert " " in text.strip(), text
    never_active = page.locator("#without-users-heading ~ .imi-figure__body table tbody tr")
    expect(never_active).to_have_count(1)  # Italy's authorities only, in one row
    expect(never_active.locator("th")).to_have_text(member_state_names(language)["IT"])
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "dashboard-it")

    page.get_by_label(shipped_text("web.requests.area", language), exact=True).select_option(
        "services"
    )
    page.get_by_role("button", name=shipped_text("web.dashboard.apply", language)).click()
    expect(page).to_have_url(re.compile(r"/dashboard\?.*area=services"))
    filtered_total = sum(int(re.sub(r"\D", "", text)) for text in counts.all_inner_texts())
    assert 0 < filtered_total <= unfiltered_total

    choose_language(page, "el")
    expect(page.locator("h1")).to_have_text(shipped_text("web.dashboard.title", "el"))
    expect(page.locator("#chart-months-desc")).to_have_text(
        shipped_text("web.dashboard.months.desc", "el")
    )
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "dashboard-el")


def test_the_figures_download_as_csv_and_a_request_handler_is_refused(stack: Stack):
    coordinator = web_login(stack, demo("it-coordinator"))
    handler = web_login(stack, demo("it-roma-handler"))
    # every right, but of an authority that coordinates nothing: no statistics
    administrator = web_login(stack, demo("it-roma-lda"))

    dashboard = served(stack, coordinator, "/dashboard", area="services")
    link = re.search(r'href="(/dashboard/by_month\.csv[^"]*)"', dashboard.text)[1]
    download = coordinator.get(link.replace("&amp;", "&"))
    rows = list(csv.DictReader(io.StringIO(download.text)))
    user = demo("it-coordinator")
    user.access_token = stack.login(user).json()["access_token"]
    api = stack.web.get(
        f"{API}/request-statistics", params={"area": "services", "figures": "by_month"},
        headers=user.auth,
    ).json()  # fmt: skip
    handler_home = handler.get("/")
    refused = handler.get("/dashboard")
    refused_csv = handler.get("/dashboard/by_month.csv")
    unknown = coordinator.get("/dashboard/no_such_figure.csv")
    bad_filter = coordinator.get("/dashboard", params={"sent_from": "not-a-day"})

    assert dashboard.status_code == 200
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download.headers["Content-Disposition"]
    assert [(row["month"], int(row["requests"])) for row in rows] == [
        (row["month"], row["requests"]) for row in api["by_month"]
    ]
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("text/html")
    assert shipped_text("web.error.forbidden", "en") in refused.text
    assert 'href="/dashboard"' not in handler_home.text  # no menu entry leads there
    assert 'href="/dashboard"' not in administrator.get("/").text
    assert 'href="/dashboard"' in coordinator.get("/").text
    assert refused_csv.status_code == 403
    assert unknown.status_code == 404
    assert bad_filter.status_code == 400
    assert 'aria-invalid="true"' in bad_filter.text
