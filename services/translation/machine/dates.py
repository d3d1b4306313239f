"""Dates in the 26 supported languages, found in free text: month names as the Unicode CLDR
writes them (through Babel: wide and abbreviated, format and stand-alone, so the genitive
"maja", "gegužės", "Μαΐου" and "toukokuuta" too), next to a day or a year in the orders the
languages use (3 May 1980, May 3rd, 1980; 3. toukokuuta 1980; 1980. május 3-án; 1980 m.
gegužės 3 d.; 1980. gada 3. maijā; 3 май 1980 г.), and numeric dates (3.5.1980, 1980-05-03,
03/05/1980, 1980. 05. 03., 3 V 1980).

A month name alone is not a date ("May I ask", "mai multe"): it counts only next to a number.
Without a year, an abbreviation counts only in the text's own language, and a month name
that CLDR capitalises (English, German…) only when written so ("Article 3 may apply" is not
a date). In the text's own language, where month names are inflected, a month name may also
carry a case ending ("3. mail", "3. maijā", "3. maja"). The tables are built on first use.
"""

# Greek and Cyrillic letters in the patterns and examples are meant.
# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.machine.folding import fold

_ROMAN = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
NUMERIC = re.compile(
    r"(?<![\w.,])(?:"
    r"\d{4}\s?[-./]\s?\d{1,2}\s?[-./]\s?\d{1,2}(?:\.(?!\d))?"
    r"|\d{1,2}\s?[-./]\s?\d{1,2}\s?[-./]\s?(?:\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?\s?{_ROMAN}\.?\s?\d{{4}}"
    rf"|\d{{4}}\.?\s?{_ROMAN}\.?\s?\d{{1,2}}\.?"
    r")(?:-[^\W\d_]{1,3})?(?![\w/])"
)
# Before a month name: a year (Hungarian, Lithuanian, Latvian order), then a day with its
# ordinal marker ("3.", "3rd", "1er", "3η", "3-ти") and a connecting word ("de", "of", "ta'").
_BEFORE = re.compile(
    r"(?:(?<![\d.,])(?P<year>\d{4})\s*\.?\s*(?:m\.|g\.|gada|г\.)?\s*,?\s*)?"
    r"(?:(?<![\d.,])(?P<day>\d{1,2})(?:\s*\.|[º°ª]|-?[^\W\d_]{1,3}\.?)?\s*"
    r"(?:(?:of|de|di|del|ta['’]|του|the)\s+)?)?\Z",
    re.IGNORECASE,
)
# After a month name: a day (unless one came before) with its marker ("3-án", "3 d."), then
# a year with its own ("1980 г.", "1980 r.", "1980. godine").
_AFTER_DAY = re.compile(
    r"\.?\s*(?P<day>\d{1,2})(?!\d|[.,]\d)(?:-?[^\W\d_]{1,3}\b\.?|\.)?(?:\s*d\.)?"
)
_AFTER_YEAR = re.compile(
    r"\.?\s*,?\s*(?:(?:de|of|ta['’])\s+)?(?P<year>\d{4})(?!\d|[.,]\d)"
    r"(?:\s*(?:г\.|r\.|m\.|\.?\s*godine|\.?\s*gada))?",
    re.IGNORECASE,
)
# Languages whose month names take case endings beyond the forms CLDR gives.
_INFLECTING = frozenset(("cs", "el", "et", "fi", "hr", "hu", "is", "lt", "lv", "pl", "sk", "sl"))
_LOOK_BACK = 32
_STEM_ENDING = 3


@dataclass(frozen=True)
class Month:
    """One CLDR spelling of a month, and what it takes to count as a date."""

    language: str
    abbreviated: bool
    capitalised: bool
    first_words: str = ""  # folded words before the last one ("mean" of "Meán Fómhair")


@cache
def month_names() -> dict[str, tuple[Month, ...]]:
    """Every month spelling of the supported languages, by its folded last word."""
    table: dict[str, list[Month]] = {}
    for language in SUPPORTED_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for name in get_month_names(width, context, locale=language).values():
                    *first, last = fold(name.rstrip(".")).split()
                    month = Month(language, width == "abbreviated", name[:1].isupper(),
                                  " ".join(first))  # fmt: skip
                    if month not in table.setdefault(last, []):
                        table[last].append(month)
    return {word: tuple(months) for word, months in table.items()}


@cache
def month_stems(language: str) -> dict[str, tuple[Month, ...]]:
    """The stems of a language's wide month names, for their case endings: the name, the name
    without its last letter, and without the vowel before its last consonant (maijs → maij-ā,
    marec → marc-a, mai → mai-l)."""
    stems: dict[str, list[Month]] = {}
    for word, months in month_names().items():
        own = [month for month in months if month.language == language and not month.abbreviated]
        if not own or len(word) < 3:
            continue
        forms = {word, word[:-1]}
        if len(word) > 4 and word[-2] in "aeo":
            forms.add(word[:-2] + word[-1])
        for stem in forms:
            if len(stem) >= 3:
                stems.setdefault(stem, []).extend(own)
    return {stem: tuple(months) for stem, months in stems.items()}


def find_dates(text: str, words: list[re.Match], language: str | None) -> list[tuple[int, int]]:
    """The spans of the dates in ``text``, whose words (``\\w+`` matches) are ``words``."""
    spans = [match.span() for match in NUMERIC.finditer(text)]
    names = month_names()
    for index, word in enumerate(words):
        if not word.group()[0].isalpha():
            continue
        folded = fold(word.group())
        months = names.get(folded) or _inflected(folded, language)
        if not months:
            continue
        start = _month_start(text, words, index, months)
        if start is None:
            continue
        span = _around(text, start, word, months, language)
        if span and not any(span[0] < end and begin < span[1] for begin, end in spans):
            spans.append(span)
    return spans


def _inflected(folded: str, language: str | None) -> tuple[Month, ...]:
    if language not in _INFLECTING or len(folded) < 4:
        return ()
    stems = month_stems(language)
    for cut in range(1, _STEM_ENDING + 1):
        stem = folded[:-cut]
        if stem in stems and (len(stem) > 3 or cut < _STEM_ENDING):
            return stems[stem]
    return ()


def _month_start(text: str, words: list[re.Match], index: int, months) -> int | None:
    """Where the month name begins (the first word of a name of several), or None when the
    word is the last word of such a name without the others."""
    if all(not month.first_words for month in months):
        return words[index].start()
    for month in months:
        first = month.first_words.split()
        if not first:
            return words[index].start()
        before = words[index - len(first) : index] if index >= len(first) else []
        if [fold(word.group()) for word in before] == first:
            return before[0].start()
    return None


def _around(
    text: str, start: int, word: re.Match, months: tuple[Month, ...], language: str | None
) -> tuple[int, int] | None:
    """The whole date around a month name, or None when no number makes it one."""
    before = _BEFORE.search(text, max(0, start - _LOOK_BACK), start)
    day = before.group("day") if before else None
    year = before.group("year") if before else None
    end = word.end()
    if day is None:
        after_day = _AFTER_DAY.match(text, end)
        if after_day:
            day, end = after_day.group("day"), after_day.end()
    after_year = _AFTER_YEAR.match(text, end)
    if after_year:
        year, end = after_year.group("year"), after_year.end()
    if day is not None and not 1 <= int(day) <= 31:
        return None
    if year is None and not (day and _a_date_without_year(word.group(), months, language)):
        return None
    begin = min(
        (before.start(group) for group in ("year", "day") if before and before.group(group)),
        default=start,
    )
    return begin, end


def _a_date_without_year(written: str, months: tuple[Month, ...], language: str | None) -> bool:
    """A day and a month name without a year: a date when the name is a full one or of the
    text's language, written with a capital where CLDR writes one."""
    return any(
        (not month.abbreviated or language in (None, month.language))
        and (not month.capitalised or written[0].isupper())
        for month in months
    )
