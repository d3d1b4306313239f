"""Pure rules of the catalogue: statuses, what is outdated, fallback, and what a translation
must respect (its length, its placeholders) before it is accepted. No I/O here."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES

KEY_PATTERN = re.compile(r"[a-z0-9_]+(\.[A-Za-z0-9_-]+)+")
NAMESPACE_PATTERN = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
KEY_MAX_LENGTH = 160
# A letter of the Latin, Greek or Cyrillic script somewhere in a text: what a language of the
# EEA is recognised by. Spelled out, not \w: the pattern means the same to marshmallow's match,
# to JSON Schema's (ECMA-262) search and to detection.py.
LETTER = r"^[\s\S]*?[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0386-\u03ff\u0400-\u04ff]"
SOURCE = "source"


class Status(StrEnum):
    """Where a language's text of an entry stands."""

    MISSING = "missing"
    MACHINE = "machine"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"


class State(StrEnum):
    """What a translator filters on: a status, or ``outdated`` (any text older than its
    source), or ``all``."""

    ALL = "all"
    MISSING = "missing"
    MACHINE = "machine"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"
    OUTDATED = "outdated"


def is_outdated(status: str, translated_version: int, source_version: int) -> bool:
    """A text exists but translates an older version of the source."""
    return status != Status.MISSING and translated_version < source_version


def matches(state: State, status: str, outdated: bool) -> bool:
    if state == State.ALL:
        return True
    if state == State.OUTDATED:
        return outdated
    return status == state.value


@dataclass(frozen=True)
class Resolved:
    """A text as a reader gets it: the translation, or the source when there is none."""

    text: str
    status: str
    fallback: bool
    outdated: bool = False


def resolve(
    language: str,
    source_language: str,
    source_text: str,
    source_version: int,
    translation: tuple[str | None, str, int] | None,
) -> Resolved:
    """The text to show in ``language``; ``translation`` is (text, status, source version).

    The source language reads the source itself. A missing translation falls back to the
    source with ``fallback`` set, so the caller can say the text is not in the reader's
    language. An outdated translation is still shown (it is closer to the reader than the
    source), flagged ``outdated``.
    """
    if language == source_language:
        return Resolved(source_text, SOURCE, False)
    if translation is None or translation[1] == Status.MISSING or not translation[0]:
        return Resolved(source_text, Status.MISSING.value, True)
    text, status, version = translation
    return Resolved(text, status, False, is_outdated(status, version, source_version))


# --- what a text must respect ----------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a text (``{{`` is a literal brace)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return set()


def text_problems(text: str, source_text: str, max_length: int | None) -> list[str]:
    """Why ``text`` cannot stand for ``source_text`` (an empty list when it can)."""
    problems = []
    if not text.strip():
        problems.append("The text is empty.")
    if max_length is not None and len(text) > max_length:
        problems.append(f"The text is longer than {max_length} characters.")
    wanted, found = placeholders(source_text), placeholders(text)
    if wanted != found:
        problems.append(
            "The text must use the placeholders of the source exactly: "
            + ", ".join(f"{{{name}}}" for name in sorted(wanted))
            + (" (none)" if not wanted else "")
            + "."
        )
    return problems


def check_text(text: str, source_text: str, max_length: int | None) -> str:
    """The text to store, or ValidationFailed naming every problem."""
    problems = text_problems(text, source_text, max_length)
    if problems:
        raise ValidationFailed.from_fields({"text": problems}, "The translation is not accepted.")
    return text


def check_language(language: str, source_language: str) -> None:
    if language not in SUPPORTED_LANGUAGES:
        raise ValidationFailed.from_fields(
            {"language": [f"One of {', '.join(SUPPORTED_LANGUAGES)} is expected."]},
            "The language is not supported.",
        )
    if language == source_language:
        raise ValidationFailed.from_fields(
            {"language": ["This is the entry's source language: change the source instead."]},
            "The source language has no translation.",
        )


def check_key(key: str, namespace: str) -> None:
    """A key is dotted words (the codes of reference lists may have capitals) and starts
    with its namespace."""
    errors = {}
    if len(key) > KEY_MAX_LENGTH or not KEY_PATTERN.fullmatch(key):
        errors["key"] = ["Dotted words are expected, at most 160 characters."]
    elif not key.startswith(namespace + "."):
        errors["key"] = [f"The key must start with its namespace {namespace!r}."]
    if not NAMESPACE_PATTERN.fullmatch(namespace):
        errors["namespace"] = ["Dotted lower-case words are expected."]
    if errors:
        raise ValidationFailed.from_fields(errors, "The entry's key is not valid.")


def check_review(status: str, outdated: bool, translated_by: str | None, reviewer: str) -> None:
    """A translator approves or rejects someone else's current translation, never their own."""
    if status not in (Status.TRANSLATED, Status.MACHINE):
        raise Conflict(
            f"A {status} text cannot be reviewed.", "translation.not_reviewable", {"status": status}
        )
    if outdated:
        raise Conflict(
            "The source changed since this text was written: translate it again first.",
            "translation.outdated",
        )
    if translated_by == reviewer:
        raise Forbidden(
            "A translator cannot review their own translation.", "translation.own_review"
        )
