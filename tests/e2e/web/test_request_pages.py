"""The request pages over plain HTTP, against the whole stack with the demo data: a form
without its CSRF token changes nothing, a wrong create form is a 400 with a message beside
each wrong field, a user without request rights gets a 403 page, a save over someone else's
is a 409 that names who saved first and keeps the input, the other party's free text is
machine-translated beside its original (a LibreTranslate stand-in on a local port), a saved
draft is edited, and the PDF report holds the parts the reader ticks."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pypdf
import pytest
from babel.dates import format_datetime

from services.common.reference import SUPPORTED_LANGUAGES
from services.identity.demo_roster import DemoUser, demo_user
from tests.conftest import HttpSession
from tests.e2e.stack import API, Stack, shipped_text
from tests.e2e.test_demo_through_gateway import log_in as api_log_in
from tests.e2e.test_demo_through_gateway import settled
from tests.requests.sample_files import pdf
from tests.translation.machine_harness import libretranslate


@pytest.fixture(scope="module")
def engine():
    with libretranslate(SUPPORTED_LANGUAGES) as server:
        yield server


@pytest.fixture
def e2e_config(e2e_config, engine) -> dict:
    return {**e2e_config, "TRANSLATION": {"ENGINE": "libretranslate",
                                          "LIBRETRANSLATE_URL": engine.url}}  # fmt: skip


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def web_log_in(stack: Stack, person: DemoUser, language: str) -> HttpSession:
    """A browser's session of ``person``, reading in ``language``: the two login forms."""
    session = HttpSession(f"http://{stack.config['WEB_SERVER_ADDRESS']}")
    session.get(f"/language/{language}")
    form = session.get("/login")
    code = session.post("/login", data={"username": person.username, "csrf_token": csrf(form)})
    assert code.status_code == 200, code.text
    data = {
        "csrf_token": csrf(code), "username": person.username, "password": person.password,
        "challenge_id": re.search(r'name="challenge_id" value="([^"]+)"', code.text)[1],
        "next": "/",
    }  # fmt: skip
    labels = re.findall(r'<label class="ecl-form-label" for="field-digit(\d)">([^<]+)</label>',
                        code.text)  # fmt: skip
    for index, label in labels:
        data[f"digit{index}"] = person.security_code[int(re.search(r"\d+", label)[0]) - 1]
    done = session.post("/login/verify", data=data, allow_redirects=False)
    assert done.status_code == 303, done.text
    return session


def shown(stack: Stack, web: HttpSession, path: str):
    """A page, once the fresh stack answers it (it may answer 503 while it takes in the demo
    data's events)."""

    def answered():
        answer = web.get(path)
        assert answer.status_code == 200, answer.text
        return answer

    return stack.eventually(answered, timeout=60)


def requests_of(stack: Stack, user, status: str | None = None, box: str = "outgoing") -> list[dict]:
    """The user's requests through the API, once the fresh stack answers (it may answer 503
    while it takes in the demo data's events)."""
    query = {"box": box, **({"status": status} if status else {})}

    def listed() -> list[dict]:
        answer = stack.web.get(f"{API}/requests", params=query, headers=user.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    return stack.eventually(listed, timeout=60)


def test_an_action_form_without_its_csrf_token_changes_nothing(stack: Stack):
    handler = demo_user("it-roma-handler")
    api_user = api_log_in(stack, handler)
    [draft, *_] = requests_of(stack, api_user, "draft")
    web = web_log_in(stack, handler, "it")
    page = shown(stack, web, f"/requests/{draft['id']}")
    assert page.status_code == 200, page.text
    assert shipped_text("web.request_action.send", "it") in page.text

    forged = web.post(f"/requests/{draft['id']}/actions/withdraw", data={"version": "1"})

    assert forged.status_code == 403
    assert shipped_text("web.error.forbidden", "it") in forged.text
    after = stack.web.get(f"{API}/requests/{draft['id']}", headers=api_user.auth).json()
    assert after["status"] == "draft"
    assert after["version"] == draft.get("version", after["version"])


def test_a_wrong_create_form_is_a_400_with_a_message_beside_each_wrong_field(stack: Stack):
    handler = demo_user("it-roma-handler")
    api_user = api_log_in(stack, handler)
    before = len(requests_of(stack, api_user, "draft"))
    web = web_log_in(stack, handler, "it")
    form = shown(stack, web, "/requests/new?set=services")
    assert form.status_code == 200, form.text
    assert shipped_text("web.request_form.personal_data", "it") in form.text

    answer = web.post("/requests/new", data={
        "csrf_token": csrf(form), "set_key": "services", "date_of_birth": "not a date",
        "nationality": "Italy", "button": "send",
    })  # fmt: skip

    assert answer.status_code == 400
    for field in ("questions", "full_name", "date_of_birth"):
        assert f'id="error-{field}"' in answer.text, field
    assert 'aria-invalid="true"' in answer.text
    assert shipped_text("web.request_form.questions_missing", "it") in answer.text
    assert len(requests_of(stack, api_user, "draft")) == before


def test_a_user_without_request_rights_gets_a_403_page(stack: Stack):
    viewer = web_log_in(stack, demo_user("it-roma-viewer"), "it")
    home = shown(stack, viewer, "/requests")

    form = viewer.get("/requests/new")
    created = viewer.post("/requests/new", data={
        "csrf_token": csrf(home), "set_key": "services", "questions": "1.1",
        "full_name": "Rossi Mario", "button": "save",
    })  # fmt: skip

    for answer in (form, created):
        assert answer.status_code == 403
        assert shipped_text("web.error.forbidden", "it") in answer.text
    assert "/requests/new" not in home.text  # no way to it in the list either


def test_a_save_over_someone_else_s_is_a_409_naming_who_saved_first_and_keeping_the_input(
    stack: Stack,
):
    handler = demo_user("it-roma-handler")
    colleague = api_log_in(stack, demo_user("it-roma-lda"))
    [draft, *_] = requests_of(stack, colleague, "draft")
    web = web_log_in(stack, handler, "it")
    page = shown(stack, web, f"/requests/{draft['id']}")
    read = int(re.search(r'name="version" value="(\d+)"', page.text)[1])
    edited = stack.web.put(
        f"{API}/requests/{draft['id']}/draft",
        headers=colleague.auth_json,
        json={"version": read, "description": "Descrizione aggiornata."},
    )
    assert edited.status_code == 200, edited.text

    reason = "Il prestatore ha cessato l'attività."
    answer = web.post(f"/requests/{draft['id']}/actions/withdraw", data={
        "csrf_token": csrf(page), "version": str(read), "reason": reason,
    })  # fmt: skip

    assert answer.status_code == 409
    assert "it-roma-lda" in answer.text
    assert shipped_text("web.request_page.conflict", "it").split("{name}")[1][:20] in answer.text
    assert reason.replace("'", "&#39;") in answer.text  # kept in its field
    assert f'name="version" value="{read + 1}"' in answer.text  # submitting again saves
    after = stack.web.get(f"{API}/requests/{draft['id']}", headers=colleague.auth).json()
    assert after["status"] == "draft"


def test_the_other_party_s_text_is_machine_translated_beside_its_original(stack: Stack, engine):
    person = demo_user("hu-budapest-handler")
    api_user = api_log_in(stack, person)
    settled(stack, api_user, stack.eventually)
    incoming = requests_of(stack, api_user, box="incoming")

    def read(item: dict) -> dict:
        answer = stack.web.get(f"{API}/requests/{item['id']}", headers=api_user.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    views = (stack.eventually(lambda item=item: read(item), timeout=60) for item in incoming)
    request = next(view for view in views
                   if (view.get("description") or {}).get("language") == "it")  # fmt: skip
    web = web_log_in(stack, person, "hu")
    page = shown(stack, web, f"/requests/{request['id']}")
    assert shipped_text("web.request_page.mt_button", "hu") in page.text

    answer = web.post(f"/requests/{request['id']}/translations",
                      data={"csrf_token": csrf(page), "text": "description"})  # fmt: skip

    assert answer.status_code == 200, answer.text
    assert shipped_text("web.request_page.mt_label", "hu") in answer.text
    original = request["description"]["text"].replace("'", "&#39;")
    assert f'lang="it">{original}</p>' in answer.text  # the original, kept
    assert '<p class="ecl-u-type-paragraph-m" lang="hu">[hu] ' in answer.text


def test_a_file_goes_up_through_the_page_a_wrong_one_is_refused_and_the_report_comes_down(
    stack: Stack,
):
    handler = demo_user("it-roma-handler")
    api_user = api_log_in(stack, handler)
    [draft, *_] = requests_of(stack, api_user, "draft")
    web = web_log_in(stack, handler, "it")
    page = shown(stack, web, f"/requests/{draft['id']}")
    document = pdf("Visura camerale")

    attached = web.post(
        f"/requests/{draft['id']}/attachments",
        data={"csrf_token": csrf(page), "language": "it"},
        files={"file": ("visura camerale.pdf", document, "application/pdf")},
        allow_redirects=False,
    )
    disguised = web.post(
        f"/requests/{draft['id']}/attachments",
        data={"csrf_token": csrf(page), "language": "it"},
        files={"file": ("visura.pdf", b"plain text, not a PDF", "application/pdf")},
    )
    missing = web.post(f"/requests/{draft['id']}/attachments",
                       data={"csrf_token": csrf(page), "language": "it"})  # fmt: skip

    assert attached.status_code == 303, attached.text
    after = web.get(attached.headers["Location"])
    found = rf'href="(/requests/{draft["id"]}/attachments/[0-9a-f-]+)">visura camerale'
    link = re.search(found, after.text)
    assert link, "the file is listed on the request page"
    assert web.get(link[1]).content == document
    assert disguised.status_code == 400
    assert shipped_text("attachment.type_mismatch", "it") in disguised.text
    assert missing.status_code == 400
    assert 'id="error-file"' in missing.text
    listed = stack.web.get(f"{API}/requests/{draft['id']}/attachments", headers=api_user.auth)
    assert [item["name"] for item in listed.json()["items"]] == ["visura camerale.pdf"]

    report = web.get(f"/requests/{draft['id']}/report")
    assert report.status_code == 200
    assert report.headers["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")
    assert report.headers["Cache-Control"] == "no-store"


def test_the_urgency_list_is_a_labelled_tab_of_the_request_lists(stack: Stack):
    web = web_log_in(stack, demo_user("it-roma-handler"), "it")

    lists = shown(stack, web, "/requests")
    urgent = shown(stack, web, "/requests?box=urgent")  # a busy stack may answer 503 first

    label = shipped_text("web.requests.box.urgent", "it")
    assert f'href="/requests?box=urgent">{label}</a>' in lists.text
    assert urgent.status_code == 200
    assert f'href="/requests?box=urgent" aria-current="page">{label}</a>' in urgent.text
    assert f'<caption class="imi-visually-hidden">{label}</caption>' in urgent.text or (
        shipped_text("web.requests.none", "it") in urgent.text
    )


def test_forwarding_needs_an_authority_and_then_hands_the_request_on(stack: Stack):
    person = demo_user("hu-budapest-handler")
    api_user = api_log_in(stack, person)
    [incoming, *_] = requests_of(stack, api_user, "sent", box="incoming")
    web = web_log_in(stack, person, "hu")
    page = shown(stack, web, f"/requests/{incoming['id']}")
    assert f'action="/requests/{incoming["id"]}/actions/forward"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)[1]

    unnamed = web.post(f"/requests/{incoming['id']}/actions/forward",
                       data={"csrf_token": csrf(page), "version": version})  # fmt: skip
    forwarded = web.post(
        f"/requests/{incoming['id']}/actions/forward",
        data={"csrf_token": csrf(page), "version": version,
              "to": demo_user("hu-coordinator").authority.id},
        allow_redirects=False,
    )  # fmt: skip

    assert unnamed.status_code == 400
    assert '<details class="imi-action__details" open>' in unnamed.text
    assert shipped_text("web.form.required", "hu") in unnamed.text
    assert forwarded.status_code == 303, forwarded.text
    assert forwarded.headers["Location"] == "/requests?box=all"
    gone = stack.web.get(f"{API}/requests/{incoming['id']}", headers=api_user.auth)
    assert gone.status_code == 404  # the forwarder no longer sees it


def test_a_saved_draft_is_edited_in_its_form_and_a_colleague_s_save_first_is_named(
    stack: Stack,
):
    handler = demo_user("it-roma-handler")
    colleague = api_log_in(stack, demo_user("it-roma-lda"))
    [draft] = [item for item in requests_of(stack, colleague, "draft")
               if item["subject_name"] == "Varga István"]  # fmt: skip
    web = web_log_in(stack, handler, "it")
    listed = shown(stack, web, "/requests?box=outgoing")
    page = web.get(f"/requests/{draft['id']}")
    edit_link = f'href="/requests/{draft["id"]}/draft"'
    assert edit_link in listed.text
    assert edit_link in page.text

    form = web.get(f"/requests/{draft['id']}/draft")

    assert form.status_code == 200, form.text
    assert shipped_text("web.request_form.edit_title", "it") in form.text
    assert 'value="Varga István"' in form.text  # the subject, pre-filled
    assert 'value="1.5" checked' in form.text
    assert 'value="2.4" checked' not in form.text
    assert 'name="responder_id" value="' in form.text  # Budapest, chosen
    assert "Verifica della data di iscrizione" in form.text
    read = re.search(r'name="version" value="(\d+)"', form.text)[1]
    changed = stack.web.put(
        f"{API}/requests/{draft['id']}/draft", headers=colleague.auth_json,
        json={"version": int(read), "description": "Prima la collega."},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    edit = {
        "csrf_token": csrf(form), "version": read, "set_key": "services",
        "questions": ["1.1", "1.2", "1.5", "2.4"], "full_name": "Varga István Péter",
        "business_name": "Varga Festő Kft.", "nationality": "HU",
        "responder_id": re.search(r'name="responder_id" value="([^"]+)"', form.text)[1],
        "description": "Verifica anche dell'iscrizione all'albo.", "language": "it",
        "button": "save",
    }  # fmt: skip

    conflict = web.post(f"/requests/{draft['id']}/draft", data=edit)

    assert conflict.status_code == 409
    assert "it-roma-lda" in conflict.text
    assert 'value="Varga István Péter"' in conflict.text  # what was typed, kept
    assert f'name="version" value="{int(read) + 1}"' in conflict.text
    again = {**edit, "version": str(int(read) + 1)}
    saved = web.post(f"/requests/{draft['id']}/draft", data=again, allow_redirects=False)
    assert saved.status_code == 303, saved.text
    after = web.get(saved.headers["Location"])
    assert "Varga István Péter" in after.text
    assert "Verifica anche dell&#39;iscrizione all&#39;albo." in after.text
    assert '<span class="imi-question__number">2.4</span>' in after.text
    held = stack.web.get(f"{API}/requests/{draft['id']}", headers=colleague.auth).json()
    assert held["status"] == "draft"
    assert held["subject"]["full_name"] == "Varga István Péter"
    assert [question["number"] for question in held["questions"]] == ["1.1", "1.2", "1.5", "2.4"]
    assert held["description"]["text"] == "Verifica anche dell'iscrizione all'albo."


def pdf_text(content: bytes) -> str:
    """A PDF's text as pypdf reads it, its white space as single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_report_holds_the_parts_ticked_and_without_the_subject_not_its_name(stack: Stack):
    handler = demo_user("it-roma-handler")
    api_user = api_log_in(stack, handler)
    [draft] = [item for item in requests_of(stack, api_user, "draft")
               if item["subject_name"] == "Varga István"]  # fmt: skip
    web = web_log_in(stack, handler, "it")
    page = shown(stack, web, f"/requests/{draft['id']}")
    assert f'action="/requests/{draft["id"]}/report"' in page.text
    for part in ("subject", "description", "questions", "answers", "history"):
        assert f'name="part" value="{part}" checked' in page.text, part
    report = f"/requests/{draft['id']}/report"
    others = ["description", "questions", "answers", "comments", "attachments", "history"]

    full = web.get(report, params={"chosen": "1", "part": ["subject", *others]})
    without = web.get(report, params={"chosen": "1", "part": others})
    nothing = web.get(report, params={"chosen": "1"})

    for answer in (full, without):
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"] == "application/pdf"
        assert "Verifica della data di iscrizione" in pdf_text(answer.content)
    assert "Varga István" in pdf_text(full.content)
    assert "Varga" not in pdf_text(without.content)
    assert nothing.status_code == 400
    assert shipped_text("web.request_page.report_parts_missing", "it") in nothing.text
    assert 'id="error-report"' in nothing.text


def test_a_request_is_copied_into_a_new_draft_by_its_requester_only(stack: Stack):
    handler = demo_user("it-roma-handler")
    api_user = api_log_in(stack, handler)
    [original] = [item for item in requests_of(stack, api_user, box="outgoing")
                  if item["subject_name"] == "Kovács Péter"]  # fmt: skip
    held = stack.web.get(f"{API}/requests/{original['id']}", headers=api_user.auth).json()
    web = web_log_in(stack, handler, "it")
    page = shown(stack, web, f"/requests/{original['id']}")
    copy = f"/requests/{original['id']}/copy"
    assert f'action="{copy}"' in page.text
    responder = web_log_in(stack, demo_user("hu-budapest-handler"), "hu")
    theirs = shown(stack, responder, f"/requests/{original['id']}")
    assert f'action="{copy}"' not in theirs.text

    nothing = web.post(copy, data={"csrf_token": csrf(page)})
    refused = responder.post(copy, data={"csrf_token": csrf(theirs), "elements": "questions"})
    copied = web.post(copy, data={"csrf_token": csrf(page), "elements": ["questions", "subject"]},
                      allow_redirects=False)  # fmt: skip

    assert nothing.status_code == 400
    assert 'id="error-copy"' in nothing.text
    assert shipped_text("web.request_page.copy_missing", "it") in nothing.text
    assert refused.status_code == 403
    assert shipped_text("request.copy_not_allowed", "hu") in refused.text
    assert copied.status_code == 303, copied.text
    new_id = re.fullmatch(r"/requests/([0-9a-f-]+)/draft\?copied=1", copied.headers["Location"])[1]
    form = web.get(copied.headers["Location"])
    assert form.status_code == 200, form.text
    assert shipped_text("web.request_form.copied", "it") in form.text
    assert 'value="Kovács Péter"' in form.text
    draft = stack.web.get(f"{API}/requests/{new_id}", headers=api_user.auth).json()
    assert draft["status"] == "draft"
    assert draft["subject"]["full_name"] == "Kovács Péter"
    assert [q["number"] for q in draft["questions"]] == [q["number"] for q in held["questions"]]
    assert draft["description"] is None
    assert draft["responder"] is None


def test_an_allocator_chooses_the_request_handlers_by_name(stack: Stack):
    allocator = demo_user("de-muenchen-allocator")
    handler = demo_user("de-muenchen-handler")
    api_user = api_log_in(stack, allocator)

    def allocatable() -> dict:
        for item in requests_of(stack, api_user, box="incoming"):
            view = stack.web.get(f"{API}/requests/{item['id']}", headers=api_user.auth).json()
            if "allocate" in view.get("actions", ()):
                return view
        raise AssertionError("no request München's allocator may allocate yet")

    request = stack.eventually(allocatable, timeout=60)
    web = web_log_in(stack, allocator, "de")
    page = shown(stack, web, f"/requests/{request['id']}")
    handler_box = f'name="handlers" value="{handler.id}"'
    allocated = web.post(
        f"/requests/{request['id']}/actions/allocate",
        data={"csrf_token": csrf(page), "version": request["version"], "handlers": handler.id},
        allow_redirects=False,
    )  # fmt: skip

    assert handler_box in page.text
    assert f">{handler.full_name}</label>" in page.text
    assert allocated.status_code == 303, allocated.text
    after = stack.web.get(f"{API}/requests/{request['id']}", headers=api_user.auth).json()
    assert after["version"] > request["version"]


def test_a_colleague_opening_the_reply_form_is_told_who_works_on_it_until_that_step_is_done(
    stack: Stack,
):
    """Budapest's handler opens a request it answers in part; its local data administrator,
    opening the same request, reads at the top of the reply form who works on it and since
    when. Once the handler has saved the reply, the notice is gone; the administrator, marked
    in turn, says they no longer work on it and the handler is told of nobody."""
    handler, colleague = demo_user("hu-budapest-handler"), demo_user("hu-budapest-lda")
    api_colleague = api_log_in(stack, colleague)

    def view(item: dict) -> dict:
        answer = stack.web.get(f"{API}/requests/{item['id']}", headers=api_colleague.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    incoming = requests_of(stack, api_colleague, box="incoming")
    request = next(shown_view for shown_view in (view(item) for item in incoming)
                   if "save_reply_draft" in shown_view["actions"])  # fmt: skip
    path = f"/requests/{request['id']}"
    heading = shipped_text("web.request_editing.heading", "hu")
    first = web_log_in(stack, handler, "hu")
    opened = shown(stack, first, path)
    assert f'action="{path}/reply"' in opened.text
    assert heading not in opened.text  # nobody else works on it yet

    second = web_log_in(stack, colleague, "hu")
    seen = second.get(path)

    assert seen.status_code == 200, seen.text
    [editor] = view(request)["being_edited_by"]
    assert editor["username"] == handler.username
    since = format_datetime(datetime.fromisoformat(editor["since"]), "medium", locale="hu")
    named = shipped_text("web.request_page.being_edited", "hu").format(
        name=handler.username, since=since
    )
    reply = seen.text[seen.text.index('id="reply"') : seen.text.index(f'action="{path}/reply"')]
    assert heading in reply
    assert named in reply  # at the top of the reply form, with the time in Hungarian
    assert 'class="imi-notice imi-notice--warning imi-editing" role="status"' in reply
    assert 'id="stop-editing"' in seen.text

    question, reason = re.search(
        r'name="cannot-([0-9.]+)">\s*<option value=""></option>\s*<option value="([^"]+)"',
        opened.text,
    ).groups()
    version = re.search(r'name="version" value="(\d+)"', opened.text)[1]
    saved = first.post(f"{path}/reply", allow_redirects=False, data={
        "csrf_token": csrf(opened), "version": version, f"cannot-{question}": reason,
        "button": "save",
    })  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert saved.headers["Location"].endswith(f"{path}?done=save_reply")
    done = first.get(saved.headers["Location"])
    assert shipped_text("web.request_action.save_reply", "hu") in done.text

    after = second.get(path)
    assert after.status_code == 200
    assert heading not in after.text
    assert handler.username not in after.text.split('id="reply"')[1].split("</form>")[0]
    assert view(request)["being_edited_by"] == []

    api_handler = api_log_in(stack, handler)
    seen_by_handler = stack.web.get(f"{API}/requests/{request['id']}", headers=api_handler.auth)
    assert [item["username"] for item in seen_by_handler.json()["being_edited_by"]] == [
        colleague.username
    ]
    stopped = second.post(f"{path}/editing", data={"csrf_token": csrf(after)})
    assert stopped.status_code == 200, stopped.text
    assert shipped_text("web.request_editing.stopped", "hu") in stopped.text
    assert 'id="stop-editing"' not in stopped.text  # the page telling of it marks nobody
    left = stack.web.get(f"{API}/requests/{request['id']}", headers=api_handler.auth).json()
    assert left["being_edited_by"] == []
