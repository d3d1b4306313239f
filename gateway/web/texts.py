"""Every word of the web pages, in the reader's language, from the translation catalogue.

The pages' texts are catalogue entries (namespaces ``web.*``, shipped in
services/translation/content/web*.yaml with the statuses' names and the error messages), so a
template holds no literal: it names a key (``t("web.login.title")``). The gateway reads the
shipped texts once per process; a text missing in a language falls back to English, the
catalogue's source language. What translators change in the catalogue afterwards is read over
the shipped texts (gateway/web/live_texts.py). Dates and numbers are written as the reader's
locale writes them (Babel, the Unicode CLDR).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache

import yaml
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from gateway.web.live_texts import LIVE_TEXTS
from services.common.reference import (
    FALLBACK_LANGUAGE,
    SUPPORTED_LANGUAGES,
    babel_locale,
    member_states,
)
from services.requests.bootstrap import LISTS_FILE
from services.requests.shared_lists import entries as shared_list_entries
from services.translation.bootstrap import DIRECTORY_DATA_DIR, content_entries, directory_entries

# the content files the pages read: their own texts, the names of statuses, error messages,
# the shipped generic notification types' titles and labels
CONTENT_FILES = ("web*.yaml", "statuses.yaml", "errors*.yaml", "notification_types.yaml")
# the directory's reference lists the pages name items of
DIRECTORY_LISTS = ("legislative_areas.yaml", "workflows.yaml", "roles.yaml")
# the requests service's shared lists the pages name items of
SHARED_LISTS = (
    "request_statuses",
    "report_labels",
    "answer_values",
    "cannot_provide_reasons",
    "decline_reasons",
    "pq_request_types",
    "history_actions",
)


@cache
def shipped_texts() -> Mapping[str, Mapping[str, str]]:
    """``{key: {language: text}}`` of the content files the pages read."""
    texts = {
        entry["key"]: entry["texts"]
        for pattern in CONTENT_FILES
        for entry in content_entries(pattern=pattern)
    }
    lists = yaml.load(LISTS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for name in SHARED_LISTS:
        texts.update(
            (entry["key"], entry["texts"]) for entry in shared_list_entries(name, lists[name])
        )
    for pattern in DIRECTORY_LISTS:
        texts.update(
            (entry["key"], entry["texts"])
            for entry in directory_entries(DIRECTORY_DATA_DIR, pattern)
        )
    return texts


class _Params(dict):
    """Placeholders left as they are where a value is missing, rather than failing a page."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


_FORMATTER = string.Formatter()


class Texts:
    """The texts of one language, with the reader's formats of dates and numbers."""

    def __init__(self, language: str):
        self.language = language if language in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE
        self.locale = babel_locale(self.language)
        self._texts = shipped_texts()

    def __call__(self, key: str, **params: object) -> str:
        """The text of ``key``, its ``{placeholders}`` filled in; the key itself if the
        catalogue has no such entry (a test checks that every key a template names exists)."""
        texts = self._texts.get(key)
        if texts is None:
            return key
        text = (
            LIVE_TEXTS.text(self.language, key)
            or texts.get(self.language)
            or LIVE_TEXTS.text(FALLBACK_LANGUAGE, key)
            or texts[FALLBACK_LANGUAGE]
        )
        return _FORMATTER.vformat(text, (), _Params(params)) if params else text

    def has(self, key: str) -> bool:
        return key in self._texts

    def date(self, value: date | datetime | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_datetime(value, format="medium", locale=self.locale)

    def number(self, value: float | int) -> str:
        return format_decimal(value, locale=self.locale)


@cache
def texts_for(language: str) -> Texts:
    return Texts(language)


@cache
def member_state_names(language: str) -> Mapping[str, str]:
    """Each member state (and the Commission) named in ``language``."""
    return {state["code"]: state["names"].get(language) or state["names"][FALLBACK_LANGUAGE]
            for state in member_states()}  # fmt: skip
