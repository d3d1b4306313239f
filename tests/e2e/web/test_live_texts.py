"""A text a translator changes in the catalogue reaches the pages without a new release: the
gateway hears the catalogue's ``texts_changed`` and reads what changed over the shipped texts."""

from __future__ import annotations

from tests.e2e.stack import API, Stack
from tests.e2e.test_translation_through_gateway import translators  # noqa: F401

NEW_TITLE = "Logáil isteach in IMI"


def login_title(stack: Stack, language: str) -> str:
    page = stack.web.get("/login", cookies={"imi_language": language})
    assert page.status_code == 200
    return page.text.split('<h1 class="ecl-u-type-heading-1">', 1)[1].split("</h1>", 1)[0]


def test_a_translators_new_text_shows_on_the_page_in_its_language_only(stack, translators):  # noqa: F811
    _admin, (writer, _reviewer) = translators
    key = "web.login.title"
    before = {language: login_title(stack, language) for language in ("ga", "en")}
    listed = stack.web.get(
        f"{API}/translations/ga/entries", params={"namespace": "web.login"}, headers=writer.auth
    )
    version = next(item for item in listed.json()["items"] if item["key"] == key)["version"]

    submitted = stack.web.put(
        f"{API}/translations/ga/entries/{key}", json={"text": NEW_TITLE, "version": version},
        headers=writer.auth_json,
    )  # fmt: skip

    assert submitted.status_code == 200, submitted.text
    assert before["ga"] != NEW_TITLE
    stack.eventually(lambda: assert_title(stack, "ga", NEW_TITLE), timeout=10)
    assert login_title(stack, "en") == before["en"]


def assert_title(stack: Stack, language: str, expected: str) -> None:
    assert login_title(stack, language) == expected
