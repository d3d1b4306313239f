"""The journeys of a request in a real browser. The first: an Italian handler creates a request
in Italian from the Services question set to a Hungarian authority found in the directory and
sends it; the Hungarian handler reads it in Hungarian, accepts it and answers every question;
the Italian handler reads the answers in Italian and accepts the reply. A split: Budapest's
handler keeps some questions of a request it received and hands the others on to Hungary's
national coordinator, found in the directory. A draft: Roma's handler opens its saved draft
from the list of its requests, changes it and saves it again. Working on it: Budapest's
administrator is told that its handler works on a request. The forms and the request page
pass axe-core; the main pages are saved as screenshots."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Browser, Page, expect

from services.directory.bootstrap import prepare_directory
from services.directory.demo import load_demo
from services.identity.demo_roster import demo_user
from tests.databases import prepare
from tests.e2e.stack import API, Stack, shipped_text
from tests.e2e.test_demo_through_gateway import log_in as api_log_in
from tests.e2e.test_demo_through_gateway import settled
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_pages_in_browser import choose_language, log_in

DESCRIPTION = "Verifica dello stabilimento di un'impresa edile ungherese attiva a Roma."
ANSWER = "Épületgépészeti és villanyszerelési tevékenység 2019 óta."


@pytest.fixture
def e2e_config(e2e_config, prepared_sqlite, tmp_path) -> dict:
    """The directory with its demo authorities, which the handlers find by name, as an
    installation with demo data has them. The other services' demo data already know these
    authorities, so the directory's announcements of them are not sent again: the test does
    not wait for some 480 events to be taken in."""
    uri = prepared_sqlite("e2e_directory_demo", directory_with_demo, tmp_path / "demo-d.db")
    return {**e2e_config, "DB_URIS": {**e2e_config["DB_URIS"], "directory": uri}}


def directory_with_demo(uri: str) -> None:
    prepare("directory", uri, prepare_directory, load_demo)
    with sqlite3.connect(uri.removeprefix("sqlite:///")) as connection:
        connection.execute("DELETE FROM outbox")
    connection.close()


def status(key: str, language: str) -> str:
    return shipped_text(f"requests.list.request_statuses.{key}", language)


def button(page: Page, action: str, language: str):
    return page.get_by_role(
        "button", name=shipped_text(f"web.request_action.{action}", language), exact=True
    )


def field(page: Page, element_id: str):
    return page.locator(f'[id="{element_id}"]')


# one journey of two users across the whole stack, in a browser: longer than the suite's
# default limit on a busy machine
@pytest.mark.timeout(300)
def test_an_italian_request_is_answered_in_hungarian_and_its_reply_accepted_in_italian(
    page: Page, browser: Browser, stack: Stack, axe_source: str
):
    italian, hungarian = demo_user("it-roma-handler"), demo_user("hu-budapest-handler")
    settled(stack, api_log_in(stack, italian), stack.eventually)
    api = api_log_in(stack, italian)
    questions = {
        language: stack.web.get(
            f"{API}/question-sets/services", params={"language": language}, headers=api.auth
        ).json()["groups"]
        for language in ("it", "hu")
    }
    first_question = {language: groups[0]["questions"][0]["text"]["text"]
                      for language, groups in questions.items()}  # fmt: skip
    legal_form = questions["it"][0]["questions"][3]
    assert legal_form["number"] == "1.4"
    company = {option["key"]: option["text"]["text"] for option in legal_form["options"]}

    # the Italian handler creates the request in Italian and sends it
    page.goto("/requests/new")
    choose_language(page, "it")
    log_in(page, italian, "it")
    expect(page).to_have_url(re.compile(r"/requests/new$"))
    page.get_by_label(shipped_text("web.request_form.question_set", "it")).select_option("services")
    page.get_by_role("button", name=shipped_text("web.request_form.choose", "it")).click()
    expect(page.locator("label[for='question-1.1']")).to_contain_text(first_question["it"])
    for number in ("1.1", "1.4", "2.4"):
        field(page, f"question-{number}").check()
    field(page, "field-full_name").fill("Fekete Ádám")
    field(page, "field-business_name").fill("Fekete Kft.")
    field(page, "field-responder_search").fill("Budapest")
    button_search = page.get_by_role("button", name=shipped_text("web.request_form.search", "it"))
    button_search.click()
    field(page, f"responder-{hungarian.authority.id}").check()
    field(page, "field-description").fill(DESCRIPTION)
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-new-it")
    button(page, "send", "it").click()

    expect(page).to_have_url(re.compile(r"/requests/[0-9a-f-]+\?done=send$"))
    request_path = re.search(r"/requests/[0-9a-f-]+", page.url)[0]
    expect(page.locator("dd.imi-status")).to_have_text(status("sent", "it"))
    expect(page.locator("h1")).to_have_text("Fekete Ádám")

    # the Hungarian handler reads it in Hungarian, accepts it and answers every question
    context = browser.new_context(base_url=f"http://{stack.config['WEB_SERVER_ADDRESS']}")
    other = context.new_page()
    other.goto(request_path)
    choose_language(other, "hu")
    log_in(other, hungarian, "hu")
    expect(other.locator("dd.imi-status")).to_have_text(status("sent", "hu"))
    expect(other.locator("h1")).to_have_text(shipped_text("web.request.withheld", "hu"))
    expect(other.locator(".imi-question__text").first).to_contain_text(first_question["hu"])
    expect(other.locator(".imi-free-text__original").first).to_have_text(DESCRIPTION)
    expect(other.locator(".imi-free-text__original").first).to_have_attribute("lang", "it")
    translate = shipped_text("web.request_page.mt_button", "hu")
    expect(other.get_by_role("button", name=translate).first).to_be_visible()
    assert accessibility_violations(other, axe_source) == []
    screenshot(other, "request-actions-hu")
    button(other, "accept", "hu").click()

    expect(other.locator("dd.imi-status")).to_have_text(status("accepted", "hu"))
    expect(other.locator("h1")).to_have_text("Fekete Ádám")  # personal data once accepted
    field(other, "answer-1.1-yes").check()
    field(other, "field-answer-1.4").select_option("private_limited_company")
    field(other, "field-answer-2.4").fill(ANSWER)
    screenshot(other, "request-reply-form-hu")
    button(other, "send_full_reply", "hu").click()
    expect(other.locator("dd.imi-status")).to_have_text(status("answered", "hu"))
    context.close()

    # the Italian handler reads the answers in Italian and accepts the reply
    page.goto(request_path)
    expect(page.locator("dd.imi-status")).to_have_text(status("answered", "it"))
    answers = page.locator(".imi-question")
    expect(answers.nth(0).locator(".imi-answer__value")).to_have_text(
        shipped_text("requests.list.answer_values.yes", "it")
    )
    expect(answers.nth(1).locator(".imi-answer__value")).to_have_text(
        company["private_limited_company"]
    )
    expect(answers.nth(2).locator(".imi-free-text__original")).to_have_text(ANSWER)
    translate = shipped_text("web.request_page.mt_button", "it")
    expect(answers.nth(2).get_by_role("button", name=translate)).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-reply-it")
    button(page, "close", "it").click()

    expect(page.locator("dd.imi-status")).to_have_text(status("closed", "it"))
    closed = stack.web.get(f"{API}{request_path}", headers=api.auth).json()
    assert closed["status"] == "closed"
    steps = {"send", "accept", "save_reply_draft", "send_full_reply", "close"}
    assert [entry["action"] for entry in closed["history"] if entry["action"] in steps] == [
        "send", "accept", "save_reply_draft", "send_full_reply", "close"
    ]  # fmt: skip


@pytest.mark.timeout(300)
def test_budapest_keeps_some_questions_and_splits_the_others_off_to_its_coordinator(
    page: Page, stack: Stack, axe_source: str
):
    hungarian = demo_user("hu-budapest-handler")
    italian = api_log_in(stack, demo_user("it-roma-handler"))
    settled(stack, italian, stack.eventually)
    # found among Roma's, which see the subject (Budapest sees it once it accepts)
    [received] = [
        item for item in stack.web.get(
            f"{API}/requests", params={"box": "outgoing", "status": "sent"},
            headers=italian.auth,
        ).json()["items"]
        if item["subject_name"] == "Nagy Gábor"
    ]  # fmt: skip
    coordinator = demo_user("hu-coordinator").authority.id

    page.goto(f"/requests/{received['id']}")
    choose_language(page, "hu")
    log_in(page, hungarian, "hu")
    expect(page.locator("dd.imi-status")).to_have_text(status("sent", "hu"))
    field(page, "find-split").fill("Igazságügyi")
    field(page, "find-split").press("Enter")
    field(page, f"split-to-{coordinator}").check()
    for number in ("2.1", "2.2", "2.3"):
        field(page, f"split-q-{number}").check()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-split-hu")
    page.locator("#action-split .imi-action__body button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"\?done=split$"))
    expect(page.locator("dd.imi-status")).to_have_text(status("accepted", "hu"))
    expect(page.locator("#request-questions ~ ol .imi-question__number")).to_have_text(
        ["1.1", "4.1"]
    )
    kept = stack.web.get(f"{API}/requests/{received['id']}", headers=italian.auth).json()
    [linked_id] = kept["linked_requests"]
    linked = stack.web.get(f"{API}/requests/{linked_id}", headers=italian.auth).json()
    assert linked["status"] == "sent"
    assert linked["responder"]["authority_id"] == coordinator
    assert [question["number"] for question in linked["questions"]] == ["2.1", "2.2", "2.3"]


def test_roma_opens_its_saved_draft_from_its_list_and_saves_it_changed(
    page: Page, stack: Stack, axe_source: str
):
    italian = demo_user("it-roma-handler")
    settled(stack, api_log_in(stack, italian), stack.eventually)
    edit = shipped_text("web.request_action.edit_draft", "it")
    added = "Si chiede anche la data dell'ultima variazione."

    page.goto("/requests?box=outgoing")
    choose_language(page, "it")
    log_in(page, italian, "it")
    row = page.locator("tr", has_text="Varga István")
    row.get_by_role("link", name=re.compile(re.escape(edit))).click()
    expect(page.locator("h1")).to_have_text(shipped_text("web.request_form.edit_title", "it"))
    expect(field(page, "field-full_name")).to_have_value("Varga István")
    expect(field(page, "question-1.5")).to_be_checked()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-draft-edit-it")
    field(page, "field-description").fill(added)
    button(page, "save_draft", "it").click()

    expect(page).to_have_url(re.compile(r"/requests/[0-9a-f-]+\?done=save_draft$"))
    expect(page.locator("dd.imi-status")).to_have_text(status("draft", "it"))
    expect(page.locator(".imi-free-text__original").first).to_have_text(added)


def test_budapest_s_administrator_is_told_in_hungarian_that_its_handler_works_on_a_request(
    page: Page, stack: Stack, axe_source: str
):
    handler = api_log_in(stack, demo_user("hu-budapest-handler"))
    colleague = demo_user("hu-budapest-lda")
    italian = api_log_in(stack, demo_user("it-roma-handler"))
    settled(stack, italian, stack.eventually)
    [answered] = [
        item for item in stack.web.get(
            f"{API}/requests", params={"box": "outgoing"}, headers=italian.auth,
        ).json()["items"]
        if item["subject_name"] == "Szabó Eszter"
    ]  # fmt: skip
    marked = stack.web.put(f"{API}/requests/{answered['id']}/editing", headers=handler.auth)
    assert marked.status_code == 200, marked.text

    page.goto(f"/requests/{answered['id']}")
    choose_language(page, "hu")
    log_in(page, colleague, "hu")

    notice = page.locator("#reply .imi-editing")
    expect(notice).to_contain_text(shipped_text("web.request_editing.heading", "hu"))
    expect(notice).to_contain_text(handler.username)
    expect(page.locator("#request-actions ~ .imi-editing")).to_contain_text(handler.username)
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "request-editing-hu")
    page.get_by_role("button", name=shipped_text("web.request_editing.stop", "hu")).click()

    expect(page).to_have_url(re.compile(r"\?done=stop_editing$"))
    expect(page.locator(".imi-notice--info")).to_have_text(
        shipped_text("web.request_editing.stopped", "hu")
    )
