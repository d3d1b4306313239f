"""Reference data every service shares: member states and languages, named in every language.

Only the lists of codes are typed here; every name comes from Babel (the Unicode CLDR), a
maintained source, so no one has to proofread 26 x 31 country names by hand. Nothing is built
at import time: the tables are built on first use and cached.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypedDict

from babel import Locale

EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
SUPPORTED_LANGUAGES: tuple[str, ...] = (*EU_LANGUAGES, "is", "no")

EU_MEMBER_STATES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
EEA_COUNTRIES: tuple[str, ...] = (*EU_MEMBER_STATES, "IS", "LI", "NO")
COMMISSION = "EU"
FALLBACK_LANGUAGE = "en"

# Where the EU's codes differ from CLDR's: Babel has no plain "no" locale (Norwegian is
# "nb", Bokmål) and CLDR names Greece by its ISO code "GR", not the EU's "EL".
_BABEL_LOCALES = {"no": "nb"}
_ISO_CODES = {"EL": "GR"}
ALIASES = {"GR": "EL"}


class MemberState(TypedDict):
    code: str
    iso_code: str
    eu_member: bool
    names: dict[str, str]
    untranslated: list[str]


class Language(TypedDict):
    code: str
    names: dict[str, str]
    untranslated: list[str]


def member_states() -> list[MemberState]:
    """The 30 EEA countries and the Commission, each named in the 26 supported languages.

    A copy of the cached table, so a caller that edits its result cannot corrupt it for others.
    """
    return copy.deepcopy(list(_member_states()))


def languages() -> list[Language]:
    """The 26 supported languages, each named in each of them (a copy of the cached table)."""
    return copy.deepcopy(list(_languages()))


def normalise_member_state(code: str) -> str:
    """The EU's code for a member state: upper case, with Greece as EL (GR accepted as alias).

    Raises ValueError for a code that is neither an EEA country nor the Commission.
    """
    upper = code.strip().upper()
    upper = ALIASES.get(upper, upper)
    if upper not in EEA_COUNTRIES and upper != COMMISSION:
        raise ValueError(f"Unknown member state code: {code!r}")
    return upper


def export(folder: Path) -> tuple[Path, Path]:
    """Write member_states.json and languages.json into ``folder`` for the services to load."""
    folder.mkdir(parents=True, exist_ok=True)
    states = _write_json(folder / "member_states.json", member_states())
    langs = _write_json(folder / "languages.json", languages())
    return states, langs


def _write_json(path: Path, data: object) -> Path:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path


@cache
def _member_states() -> tuple[MemberState, ...]:
    return tuple(_member_state(code) for code in (*EEA_COUNTRIES, COMMISSION))


@cache
def _languages() -> tuple[Language, ...]:
    return tuple(_language(code) for code in SUPPORTED_LANGUAGES)


def _member_state(code: str) -> MemberState:
    iso_code = _ISO_CODES.get(code, code)
    names, untranslated = _names(lambda locale: locale.territories.get(iso_code))
    return {
        "code": code,
        "iso_code": iso_code,
        "eu_member": code in EU_MEMBER_STATES,
        "names": names,
        "untranslated": untranslated,
    }


def _language(code: str) -> Language:
    names, untranslated = _names(lambda locale: locale.languages.get(code))
    return {"code": code, "names": names, "untranslated": untranslated}


def _names(lookup: Callable[[Locale], str | None]) -> tuple[dict[str, str], list[str]]:
    """A name in each supported language, English where CLDR lacks one (listed as untranslated)."""
    english = lookup(babel_locale(FALLBACK_LANGUAGE))
    names: dict[str, str] = {}
    untranslated: list[str] = []
    for language in SUPPORTED_LANGUAGES:
        name = lookup(babel_locale(language))
        if not name:
            untranslated.append(language)
        names[language] = name or english
    return names, untranslated


@cache
def babel_locale(language: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES.get(language, language))
