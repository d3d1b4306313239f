"""An email in its reader's language: the template's subject and body from the translation
catalogue (``email.<template>.subject`` and ``.body``), its placeholders filled with values
resolved in that language, and the headers a mail server and a mail program expect.

A placeholder's value is plain text, or one of:
``{"label": key}`` (a catalogue text, e.g. a request status; with ``"source"``, the text to
show while the catalogue does not have the key yet), ``{"date": "2026-12-06"}`` or
``{"date": "<ISO datetime>"}`` (written as the reader's locale writes dates),
``{"authority": id}`` (the authority's informal title in the language, else its official name),
``{"request": id}`` (the link to the request), ``{"alert": id}`` (the link to the alert),
``{"member_state": code}`` (the member state's name in the language), ``{"path": "/…"}`` (a
link into the system), ``{"lines": [{"label": key, "count": n}, …]}`` (a list, one line per
catalogue text with its ``{count}``: the items of a digest).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from nameko.extensions import DependencyProvider

from services.common.reference import member_states
from services.notifications.domain import fill
from services.notifications.settings import MailSettings

TEXTS_CACHE_SECONDS = 60.0
# Norwegian is "no" in the catalogue and "nb" (Bokmål) for Babel's locale data.
BABEL_LOCALES = {"no": "nb"}

TextsSource = Callable[[str, list[str]], dict[str, dict]]


class Texts:
    """The catalogue's texts per language and namespace, asked of the translation service and
    kept for a minute: a template a translator improves is used from then on. A namespace the
    catalogue does not have yet (a shared list still on its way) is not kept."""

    def __init__(
        self,
        source: TextsSource,
        cache: dict | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._source = source
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, dict]] = {} if cache is None else cache

    def of(self, language: str, namespace: str) -> dict[str, dict]:
        key = (language, namespace)
        found = self._cache.get(key)
        if found is not None and self._clock() - found[0] < TEXTS_CACHE_SECONDS:
            return found[1]
        texts = self._source(language, [namespace])
        if texts:  # a namespace not in the catalogue yet is asked for again next time
            self._cache[key] = (self._clock(), texts)
        return texts

    def text(self, language: str, key: str) -> str | None:
        namespace = key.rsplit(".", 1)[0]
        found = self.of(language, namespace).get(key)
        return None if found is None else found["text"]


class TextsCache(DependencyProvider):
    """Declare as ``texts = TextsCache()``: one cache of catalogue texts per process, which a
    worker reads through ``self.texts(source)``."""

    def setup(self) -> None:
        self.cache: dict = {}

    def get_dependency(self, worker_ctx) -> Callable[[TextsSource], Texts]:
        return lambda source: Texts(source, self.cache)


class MissingTemplate(LookupError):
    """The catalogue has no subject or body for the template (in any language)."""


def render(
    texts: Texts,
    settings: MailSettings,
    *,
    template: str,
    language: str,
    params: dict,
    titles: Callable[[str, str], str],
) -> tuple[str, str]:
    """The subject and body of ``template`` in ``language``, placeholders filled."""
    subject = texts.text(language, f"{template}.subject")
    body = texts.text(language, f"{template}.body")
    if subject is None or body is None:
        raise MissingTemplate(template)
    values = {
        name: _value(texts, settings, language, value, titles) for name, value in params.items()
    }
    return fill(subject, values), fill(body, values)


def _value(texts, settings, language, value, titles) -> str:
    if not isinstance(value, dict):
        return str(value)
    if "label" in value:
        found = texts.text(language, value["label"])
        return found or value.get("source") or value["label"].rsplit(".", 1)[-1]
    if "lines" in value:
        return "\n".join(
            "- " + fill(texts.text(language, line["label"]) or line["label"],
                        {"count": str(line["count"])})
            for line in value["lines"]
        )  # fmt: skip
    if "date" in value:
        return local_date(value["date"], language)
    if "authority" in value:
        return titles(value["authority"], language)
    if "request" in value:
        return settings.link(f"/requests/{value['request']}")
    if "alert" in value:
        return settings.link(f"/alerts/{value['alert']}")
    if "member_state" in value:
        return member_state_name(value["member_state"], language)
    if "path" in value:
        return settings.link(value["path"])
    return ""


@functools.cache
def _state_names() -> dict[str, dict[str, str]]:
    return {state["code"]: state["names"] for state in member_states()}


def member_state_name(code: str, language: str) -> str:
    """A member state's name in ``language`` (the Commission's is "EU" in any)."""
    names = _state_names().get(code, {})
    return names.get(language) or names.get("en") or code


def local_date(value: str, language: str) -> str:
    """An ISO date or date and time, written as the reader's locale writes a date."""
    day = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    try:
        locale = Locale.parse(BABEL_LOCALES.get(language, language))
    except (UnknownLocaleError, ValueError):
        return day.isoformat()
    return format_date(day, format="long", locale=locale)


def email_message(
    settings: MailSettings,
    *,
    recipient: str,
    language: str,
    subject: str,
    body: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now)
    # an automatic message: out-of-office replies and the like are not sent back (RFC 3834)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = language  # after the content, which clears Content-*
    return message
