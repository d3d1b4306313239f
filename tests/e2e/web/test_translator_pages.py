"""The translators' language management pages: a new source text is missing in every
language; one Commission translator finds it from the overview (in Bulgarian, axe-core
checked), translates it into Greek and downloads the language's XLIFF file, another accepts
the translation. Over plain HTTP: a form without its CSRF token changes nothing, a bad upload
is answered 400, a user who is not a translator cannot submit; a reviewer rejects a text with
a reason, which its translator then reads on the entry's page and in the language's list, and
which the XLIFF export carries as a note on the unit (the file still imports); the machine's
suggestion (a LibreTranslate stand-in on a local port) fills an entry's text area, unsaved."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET  # writing only: parsing is defusedxml's

import pytest
from defusedxml.ElementTree import fromstring
from playwright.sync_api import Browser, Page, expect

from tests.e2e.stack import API, Stack, User, placeholder, shipped_text
from tests.e2e.web.conftest import accessibility_violations, screenshot
from tests.e2e.web.test_dashboard_pages import csrf_token, demo, served, web_login
from tests.e2e.web.test_pages_in_browser import choose_language, log_in
from tests.translation.machine_harness import libretranslate

TRANSLATOR = [{"right": "commission_translator", "area": None}]
NAMESPACE = "demo.tool"
# the whole stack, two translators' first logins and two browser contexts: more than the
# suite's 120 s per test on a busy 2-core machine
pytestmark = pytest.mark.timeout(240)
KEY = "demo.tool.greeting"
SOURCE = "Good morning from IMI"
GREEK = "Καλημέρα από το IMI"
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"


@pytest.fixture(scope="module")
def engine():
    with libretranslate(("en", "el", "de")) as server:
        yield server


@pytest.fixture
def e2e_config(e2e_config, engine) -> dict:
    """The stack's machine translation is the stand-in: its 'translation' is the text with
    the target language in front (tests/translation/machine_harness.py)."""
    return {**e2e_config, "TRANSLATION": {"ENGINE": "libretranslate",
                                          "LIBRETRANSLATE_URL": engine.url}}  # fmt: skip


@pytest.fixture
def new_text(stack: Stack) -> tuple[User, list[User]]:
    """The Commission's administrator adds a source text; two translators are registered."""
    admin = stack.activate(stack.admin)
    entry = {"key": KEY, "namespace": NAMESPACE, "source_text": SOURCE,
             "description": "A greeting on the demo pages.", "max_length": 40}  # fmt: skip

    def added():
        answer = stack.web.post(
            f"{API}/translations/entries", json={"entries": [entry]}, headers=admin.auth_json
        )
        assert answer.status_code != 503, "the installation is still busy"
        return answer

    answer = stack.eventually(added, timeout=90, interval=0.5)
    assert answer.status_code == 200, answer.text
    return admin, [stack.activate(translator(stack, admin)) for _ in range(2)]


def translator(stack: Stack, admin: User) -> User:
    """A Commission translator registered by the administrator, with the temporary password
    their email brought (Stack.create_user, waiting longer: a fresh installation is busy)."""
    email = f"{uuid.uuid4().hex[:8]}@commission.example.eu"
    data = {"full_name": "Eleni Papadopoulou", "email": email, "language": "de",
            "grants": TRANSLATOR}  # fmt: skip
    created = stack.web.post(f"{API}/users", json=data, headers=admin.auth)
    assert created.status_code == 201, created.text

    def arrived() -> str:
        received = stack.mailbox.to(email, "email.temporary_password")
        assert received, f"the temporary password email to {email}"
        return placeholder(received[0], "email.temporary_password", "temporary_password")

    password = stack.eventually(arrived, timeout=60, interval=0.5)
    return User(created.json()["username"], password, id=created.json()["id"], email=email)


def listed_entry(stack: Stack, user: User, language: str) -> dict:
    """The demo entry as the API lists it in ``language``."""
    listed = stack.web.get(
        f"{API}/translations/{language}/entries",
        params={"namespace": NAMESPACE, "state": "all"}, headers=user.auth,
    )  # fmt: skip
    [item] = listed.json()["items"]
    return item


def reviewed_keys(stack: Stack, user: User, language: str) -> list[str]:
    listed = stack.web.get(
        f"{API}/translations/{language}/entries",
        params={"namespace": NAMESPACE, "state": "reviewed"}, headers=user.auth,
    )  # fmt: skip
    return [item["key"] for item in listed.json()["items"]]


def test_a_translator_fills_a_missing_text_and_another_accepts_it(
    page: Page, browser: Browser, stack: Stack, new_text, axe_source
):
    _, (writer, reviewer) = new_text
    page.goto("/translations")
    log_in(page, writer, "en")
    expect(page).to_have_url(re.compile(r"/translations$"))
    choose_language(page, "bg")
    expect(page.locator("h1")).to_have_text(shipped_text("web.translator.title", "bg"))
    menu = page.get_by_role("navigation", name=shipped_text("web.menu.label", "bg"))
    expect(menu.get_by_role("link", name=shipped_text("web.translator.menu", "bg"))).to_be_visible()
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "translator-overview-bg")

    page.locator("a[href='/translations/el?state=missing']").click()
    page.get_by_label(shipped_text("web.translator.namespace", "bg")).fill(NAMESPACE)
    page.get_by_role("button", name=shipped_text("web.dashboard.apply", "bg")).click()
    page.get_by_role("link", name=KEY).click()
    expect(page.locator("h1")).to_have_text(KEY)
    expect(page.locator("dl.imi-summary")).to_contain_text(SOURCE)
    expect(page.locator("dl.imi-summary")).to_contain_text("A greeting on the demo pages.")
    page.locator("#field-text").fill(GREEK)
    page.get_by_role("button", name=shipped_text("web.translator.submit", "bg")).click()
    expect(page.locator(".imi-notice--info")).to_have_text(
        shipped_text("web.translator.done.submitted", "bg")
    )
    expect(page.locator("dl.imi-summary")).to_contain_text(GREEK)
    expect(page.locator("#own-text")).to_be_visible()  # a text is not reviewed by its writer
    assert accessibility_violations(page, axe_source) == []
    screenshot(page, "translator-entry-bg")

    entry = page.url
    page.goto("/translations/el")
    with page.expect_download() as downloading:
        page.get_by_role("link", name=shipped_text("web.translator.export", "bg")).click()
    exported = downloading.value
    content = exported.path().read_text(encoding="utf-8")
    assert exported.suggested_filename.endswith((".xlf", ".xliff"))
    assert "<xliff" in content
    assert KEY in content
    assert GREEK in content

    context = browser.new_context(base_url=page.url.split("/translations")[0], locale="en-GB")
    other = context.new_page()
    other.goto(entry)
    log_in(other, reviewer, "en")
    reader = "de"  # the language of the translators' accounts (Stack.create_user)
    other.get_by_role("button", name=shipped_text("web.translator.accept", reader)).click()
    expect(other.locator(".imi-notice--info")).to_be_visible()
    context.close()

    assert reviewed_keys(stack, writer, "el") == [KEY]


def test_translator_forms_refuse_forgeries_bad_files_and_other_users(stack: Stack, new_text):
    _, (writer, _) = new_text
    session = web_login(stack, writer)
    entry_path = f"/translations/el/entries/{KEY}"
    entry = served(stack, session, entry_path)
    token = csrf_token(entry.text)

    forged = session.post(entry_path, data={"text": "Πλαστό", "version": "0"})
    too_long = session.post(
        entry_path, data={"text": "x" * 41, "version": "0", "csrf_token": token}
    )
    not_text = session.post(
        "/translations/el/import", data={"csrf_token": token},
        files={"file": ("el.xlf", b"\xff\xfe\x00<xliff", "application/xliff+xml")},
    )  # fmt: skip
    not_xliff = session.post(
        "/translations/el/import", data={"csrf_token": token},
        files={"file": ("el.xlf", b"<html>no</html>", "application/xliff+xml")},
    )  # fmt: skip
    no_file = session.post("/translations/el/import", data={"csrf_token": token})
    unknown = session.get("/translations/el/entries/demo.tool.no_such_text")
    handler = web_login(stack, demo("it-roma-handler"))
    handler_entry = handler.get(entry_path)
    handler_submit = handler.post(
        entry_path,
        data={"text": "Καλημέρα", "version": "0", "csrf_token": csrf_token(handler_entry.text)},
    )

    assert entry.status_code == 200
    assert forged.status_code == 403
    assert too_long.status_code == 400
    assert 'aria-invalid="true"' in too_long.text
    for answer in (not_text, not_xliff, no_file):
        assert answer.status_code == 400
        assert answer.headers["Content-Type"].startswith("text/html")
    assert shipped_text("web.translator.import.not_text", "de") in not_text.text
    assert unknown.status_code == 404
    assert handler_entry.status_code == 200  # the service lets every user read the texts
    assert 'id="field-text"' not in handler_entry.text  # but offers no form
    assert handler_submit.status_code == 403
    assert 'href="/translations"' not in handler.get("/").text
    listed = stack.web.get(
        f"{API}/translations/el/entries", params={"namespace": NAMESPACE}, headers=writer.auth
    ).json()["items"]
    assert [(item["key"], item["status"]) for item in listed] == [(KEY, "missing")]


def test_a_reviewer_rejects_a_text_with_a_reason_its_translator_reads(stack: Stack, new_text):
    _, (writer, reviewer) = new_text
    reader = "de"  # the language of the translators' accounts (Stack.create_user)
    entry_path = f"/translations/el/entries/{KEY}"
    reject_path = f"{entry_path}/reject"
    reason = "Too formal for a greeting: say Γεια σας instead"
    writing = web_login(stack, writer)
    written = writing.post(
        entry_path, data={"text": GREEK, "version": "0",
                          "csrf_token": csrf_token(served(stack, writing, entry_path).text)},
    )  # fmt: skip
    reviewing = web_login(stack, reviewer)
    review_page = served(stack, reviewing, entry_path)
    token = csrf_token(review_page.text)

    no_reason = reviewing.post(reject_path, data={"version": "1", "csrf_token": token})
    blank = reviewing.post(reject_path, data={"version": "1", "reason": "  ", "csrf_token": token})
    forged = reviewing.post(reject_path, data={"version": "1", "reason": reason})
    own = writing.post(
        reject_path, data={"version": "1", "reason": reason,
                           "csrf_token": csrf_token(writing.get(entry_path).text)},
    )  # fmt: skip
    api_reject = f"{API}/translations/el/entries/{KEY}/reject"
    api_no_reason = stack.web.post(api_reject, json={"version": 1}, headers=reviewer.auth_json)
    api_too_long = stack.web.post(
        api_reject, json={"version": 1, "reason": "x" * 1001}, headers=reviewer.auth_json
    )
    unchanged = listed_entry(stack, writer, "el")
    rejected = reviewing.post(
        reject_path, data={"version": "1", "reason": reason, "csrf_token": token}
    )
    stale = stack.web.post(
        api_reject, json={"version": 1, "reason": "Another view"}, headers=reviewer.auth_json
    )
    seen_by_writer = writing.get(entry_path)

    assert written.status_code == 200
    assert 'id="field-reason"' in review_page.text
    assert shipped_text("web.translator.reject", reader) in review_page.text
    for refused in (no_reason, blank):
        assert refused.status_code == 400
        assert 'aria-invalid="true"' in refused.text
        assert 'id="error-reason"' in refused.text
        assert shipped_text("web.form.required", reader) in refused.text
    assert forged.status_code == 403
    assert own.status_code == 403
    for refused in (api_no_reason, api_too_long):
        assert refused.status_code == 400, refused.text
        assert "reason" in refused.json()["errors"]
    assert (unchanged["status"], unchanged["version"], unchanged["rejection_reason"]) == (
        "translated", 1, None
    )  # fmt: skip
    assert rejected.status_code == 200
    assert shipped_text("web.translator.done.rejected", reader) in rejected.text
    assert stale.status_code == 409
    assert stale.json()["code"] == "error.stale_version"
    assert seen_by_writer.status_code == 200
    assert f'<dd id="rejection-reason">{reason}</dd>' in seen_by_writer.text
    assert shipped_text("web.translator.state.missing", reader) in seen_by_writer.text
    after = listed_entry(stack, writer, "el")
    assert (after["status"], after["text"], after["rejection_reason"]) == ("missing", GREEK, reason)
    assert after["rejected_by"] == reviewer.id


def rejected_text(stack: Stack, writer: User, reviewer: User, reason: str) -> None:
    """The writer's Greek text, rejected by the reviewer with ``reason`` (the entry's forms)."""
    entry_path = f"/translations/el/entries/{KEY}"
    writing = web_login(stack, writer)
    written = writing.post(
        entry_path, data={"text": GREEK, "version": "0",
                          "csrf_token": csrf_token(served(stack, writing, entry_path).text)},
    )  # fmt: skip
    assert written.status_code == 200, written.text
    reviewing = web_login(stack, reviewer)
    rejected = reviewing.post(
        f"{entry_path}/reject",
        data={"version": "1", "reason": reason,
              "csrf_token": csrf_token(served(stack, reviewing, entry_path).text)},
    )  # fmt: skip
    assert rejected.status_code == 200, rejected.text


def test_a_rejection_s_reason_is_in_the_list_and_the_xliff_file_which_still_imports(
    stack: Stack, new_text
):
    _, (writer, reviewer) = new_text
    reader = "de"  # the language of the translators' accounts (Stack.create_user)
    reason = "Too formal for a greeting: say Γεια σας instead"
    corrected = "Γεια σας από το IMI"
    rejected_text(stack, writer, reviewer, reason)
    session = web_login(stack, writer)

    listed = served(stack, session, "/translations/el", state="missing", namespace=NAMESPACE)
    exported = session.get("/translations/el/export", params={"namespace": NAMESPACE})

    assert listed.status_code == 200
    row = listed.text[listed.text.index(f">{KEY}</a>") :].split("</tr>")[0]
    assert f"<strong>{shipped_text('web.translator.rejection_reason', reader)}</strong>" in row
    assert f'<span class="imi-rejected__reason">{reason}</span>' in row
    assert exported.status_code == 200
    document = fromstring(exported.content)
    [unit] = [unit for unit in document.iter(f"{XLIFF}unit") if unit.get("id") == KEY]
    notes = {note.get("category"): note for note in unit.iter(f"{XLIFF}note")}
    assert notes["rejection_reason"].text == reason
    assert notes["rejection_reason"].get("appliesTo") == "target"
    assert notes["status"].text == "missing"
    assert [child.tag for child in unit] == [f"{XLIFF}notes", f"{XLIFF}segment"]

    segment = unit.find(f"{XLIFF}segment")
    assert (segment.get("state"), segment.find(f"{XLIFF}target").text) == ("initial", GREEK)
    segment.set("state", "translated")  # the translator's tool, once the text is corrected
    segment.find(f"{XLIFF}target").text = corrected
    corrected_file = ET.tostring(document, encoding="unicode", xml_declaration=True)
    imported = session.post(
        "/translations/el/import", data={"csrf_token": csrf_token(listed.text)},
        files={"file": ("el.xlf", corrected_file.encode(), "application/xliff+xml")},
        allow_redirects=False,
    )  # fmt: skip

    assert imported.status_code == 303, imported.text
    assert parse_qs(urlsplit(imported.headers["Location"]).query)["imported"] == ["1"]
    after = listed_entry(stack, writer, "el")
    assert (after["status"], after["text"], after["rejection_reason"]) == (
        "translated", corrected, None
    )  # fmt: skip
    relisted = session.get("/translations/el", params={"state": "all", "namespace": NAMESPACE})
    assert "imi-rejected" not in relisted.text


def test_the_machine_s_suggestion_fills_the_text_area_and_is_saved_only_when_submitted(
    stack: Stack, new_text, engine
):
    _, (writer, _) = new_text
    reader = "de"
    entry_path = f"/translations/el/entries/{KEY}"
    session = web_login(stack, writer)
    page = served(stack, session, entry_path)
    assert shipped_text("web.translator_machine.button", reader) in page.text

    forged = session.post(f"{entry_path}/machine")
    suggested = session.post(f"{entry_path}/machine", data={"csrf_token": csrf_token(page.text)})

    assert forged.status_code == 403
    assert suggested.status_code == 200, suggested.text
    machine_text = f"[el] {SOURCE}"  # what the stand-in answers for the source text
    textarea = re.search(r'<textarea[^>]*id="field-text"[^>]*>([^<]*)</textarea>', suggested.text)
    assert textarea[1] == machine_text
    assert 'aria-describedby="help-text machine-suggestion"' in textarea[0]
    label = shipped_text("web.translator_machine.suggested", reader).format(source="Englisch")
    assert f'<p class="imi-mt__label">{label}</p>' in suggested.text
    asked = [body for method, path, body in engine.requests if path == "/translate"]
    assert {"q": [SOURCE], "source": "en", "target": "el"}.items() <= asked[-1].items()
    unsaved = listed_entry(stack, writer, "el")
    assert (unsaved["status"], unsaved["text"]) == ("missing", None)

    # the stand-in does not translate into Bulgarian: the engine's refusal, on the page
    unsupported = session.post(
        f"/translations/bg/entries/{KEY}/machine", data={"csrf_token": csrf_token(page.text)}
    )
    assert unsupported.status_code == 400
    unsupported_text = shipped_text("error.machine_translation.unsupported_pair", reader)
    assert unsupported_text in unsupported.text
    assert re.search(r'<textarea[^>]*id="field-text"[^>]*></textarea>', unsupported.text)

    submitted = session.post(entry_path, data={
        "text": machine_text, "version": "0", "csrf_token": csrf_token(suggested.text),
    })  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    assert listed_entry(stack, writer, "el")["text"] == machine_text
