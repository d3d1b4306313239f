"""The catalogue's texts over the shipped ones, with bundles as the translation service answers
them (given here by a stand-in for the RPC): a language's own texts are taken, a fallback to
English never replaces a shipped translation, and a refresh asks only for what changed."""

from __future__ import annotations

from gateway.web.live_texts import LiveTexts
from gateway.web.texts import Texts


def bundle(language: str, revision: int, **texts: tuple[str, bool]) -> dict:
    return {
        "language": language, "namespaces": ["web"], "revision": revision,
        "texts": {key.replace("_", "."): {"text": text, "status": "translated",
                                          "fallback": fallback, "outdated": False}
                  for key, (text, fallback) in texts.items()},
    }  # fmt: skip


def test_own_texts_are_taken_fallbacks_are_not_and_only_changes_are_asked_for_stand_in_rpc():
    live = LiveTexts()
    asked = []

    def fetch(query: dict) -> dict:
        asked.append(query)
        if "since_revision" not in query:
            return bundle("ga", 7, web_login_title=("Logáil isteach", False),
                          web_login_submit=("Log in", True))  # fmt: skip
        return bundle("ga", 9, web_login_title=("Logáil isteach in IMI", False))

    live.refresh(fetch, ["ga"])
    assert live.text("ga", "web.login.title") == "Logáil isteach"
    assert live.text("ga", "web.login.submit") is None  # the shipped Irish text stays
    live.refresh(fetch, ["ga"])
    assert asked[1] == {"language": "ga", "namespaces": ["web"], "since_revision": 7}
    assert live.text("ga", "web.login.title") == "Logáil isteach in IMI"


def test_an_event_of_another_namespace_or_an_unknown_language_asks_for_nothing():
    live = LiveTexts()
    assert live.wanted({"namespace": "email.invitation", "languages": ["ga"]}) == []
    assert live.wanted({"namespace": "web.login", "languages": ["ga", "xx"]}) == ["ga"]
    assert live.wanted({"namespace": "web", "languages": ["de"]}) == ["de"]


def test_the_pages_read_the_live_text_first_and_the_shipped_one_otherwise(monkeypatch):
    live = LiveTexts()
    live.refresh(lambda query: bundle("el", 3, web_login_title=("Σύνδεση στο IMI", False)), ["el"])
    monkeypatch.setattr("gateway.web.texts.LIVE_TEXTS", live)
    texts = Texts("el")
    assert texts("web.login.title") == "Σύνδεση στο IMI"
    assert texts("web.login.username") == Texts("el")._texts["web.login.username"]["el"]


def test_events_are_noted_and_their_languages_refreshed_once_together_stand_in_rpc():
    live = LiveTexts()
    asked = []
    for namespace in ("web.login", "web.menu", "email.invitation"):
        live.note({"namespace": namespace, "languages": ["ga", "de"]})

    live.refresh_noted(lambda query: asked.append(query) or bundle(query["language"], 5))
    live.refresh_noted(lambda query: asked.append(query) or bundle(query["language"], 5))

    assert [query["language"] for query in asked] == ["de", "ga"]
