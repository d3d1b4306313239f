"""The caller's own personal data (the subject's names, date of birth, identity numbers,
address…) found in a free text however it is written there: in any letter case, with or
without accents, in either name order, with a case ending (Jánosnak, Virtasen, Jono,
Kowalskiej), and transliterated into another script (Иван ↔ Ivan, Kovács ↔ Ковач ↔ Κόβατς).

A value is split into its words. A word is found on its own when it is a significant one
(three letters or more and not a particle such as "de" or "van", or four digits or more) and
written as a name is (a capital first letter, or all capitals); a word written in lower case,
or a short one, is found only next to another word of the same value ("kovács jános",
"Li Wei", "Rákóczi út 12", "Slovenski cesti 10"). So "mark the box" is no mention of Mark
Green, and "Li" in another sentence is left alone. Neighbouring words of one value become one
span. Values that are codes (identity numbers, IBANs, phone numbers) are found with or without
their spaces, dots and dashes, their letters in any script that looks the same.
Dates are left to dates.py, which finds every date.
"""

# Quotation marks and Greek and Cyrillic look-alikes of Latin letters are meant.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from services.translation.machine.dates import find_dates
from services.translation.machine.folding import (
    LATIN,
    fold,
    script,
    skeleton,
    sound_key,
    spellings,
)

WORD = re.compile(r"\w+")
# What may stand between two words of one value ("Kovács János", "Rákóczi út 12, 1088",
# "„Граф Игнатиев“ № 15").
_JOINT = re.compile(r"[\s,.'’\"„“”«»/№-]{0,4}")
_CODE_SEPARATORS = r"[\s./-]{0,2}"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PARTICLES = frozenset(
    ("von", "van", "der", "den", "de", "du", "des", "di", "da", "del", "della", "dos", "le",
     "la", "zu", "ter", "ten", "af", "av", "y", "i", "e", "und", "and", "et", "bin", "ben",
     "al", "el", "mac", "mc", "ó", "ua", "ní", "nic")
)  # fmt: skip
# Case endings a known name may carry, by the language of the text: a few letters in the
# languages that inflect names, the genitive -s in those that only do that.
_INFLECTING = frozenset(
    ("bg", "cs", "el", "et", "fi", "hr", "hu", "is", "lt", "lv", "pl", "ro", "sk", "sl", "ga")
)
_NOMINATIVE_ENDINGS = (
    "nen", "as", "is", "ys", "us", "os", "es", "ur", "a", "e", "i", "o", "u", "y", "s",
)  # fmt: skip
# Capital letters of codes that look the same in the Latin, Greek and Cyrillic scripts (an
# identity card number "AK 123456" typed as Greek "ΑΚ 123456").
_LOOK_ALIKES = {
    "A": "AΑА", "B": "BΒВ", "C": "CС", "E": "EΕЕ", "H": "HΗН", "I": "IΙІ", "K": "KΚК",
    "M": "MΜМ", "N": "NΝ", "O": "OΟО", "P": "PΡР", "T": "TΤТ", "X": "XΧХ", "Y": "YΥУ",
    "Z": "ZΖ",
}  # fmt: skip
_MIN_SIGNIFICANT = 3
_MIN_DIGITS = 4
_MIN_STEM = 3
_MAX_ENDING = 4
_SOFTENED_STEM = 6


def _ending_limit(stem: str) -> int:
    """How many letters a case ending may have after a stem: fewer after a short one."""
    return 2 if len(stem) <= 3 else 3 if len(stem) == 4 else _MAX_ENDING


@dataclass
class KnownValue:
    """One value the caller asked to mask, and the placeholder letter it gets."""

    text: str
    kind: str
    code: re.Pattern | None = None


@dataclass
class _Run:
    value: int
    start: int
    end: int
    strong: bool
    significant: int


@dataclass
class KnownValues:
    """The values of one request, indexed for looking up each word of a text once."""

    values: list[KnownValue] = field(default_factory=list)
    # folded spelling → (value, significant) for words matched in the same script
    spelled: dict[str, set[tuple[int, bool]]] = field(default_factory=dict)
    # stem → values, for words with a case ending
    stems: dict[str, set[int]] = field(default_factory=dict)
    # sound key and consonant skeleton → (value, significant, script), across scripts
    sounds: dict[str, set[tuple[int, bool, str]]] = field(default_factory=dict)
    skeletons: dict[str, set[tuple[int, bool, str]]] = field(default_factory=dict)
    sound_stems: dict[str, set[int]] = field(default_factory=dict)
    scripts: set[str] = field(default_factory=set)

    def find(self, text: str, words: list[re.Match], language: str | None):
        """(start, end, kind) of every mention of a value in ``text``."""
        spans = [
            (match.start(), match.end(), value.kind)
            for value in self.values
            if value.code is not None
            for match in value.code.finditer(text)
        ]
        runs: dict[int, _Run] = {}
        matches: dict[str, Iterable[tuple[int, bool, bool]]] = {}  # a text repeats its words
        for word in words:
            written = word.group()
            if written not in matches:
                matches[written] = self._matches(written, language)
            for value, strong, significant in matches[written]:
                run = runs.get(value)
                if run and _JOINT.fullmatch(text, run.end, word.start()):
                    run.end = word.end()
                    run.strong |= strong
                    run.significant += significant
                    continue
                if run:
                    spans += self._span(run)
                runs[value] = _Run(value, word.start(), word.end(), strong, int(significant))
        for run in runs.values():
            spans += self._span(run)
        return spans

    def _span(self, run: _Run) -> list[tuple[int, int, str]]:
        if run.strong or run.significant >= 2:
            return [(run.start, run.end, self.values[run.value].kind)]
        return []

    def _matches(self, word: str, language: str | None) -> Iterable[tuple[int, bool, bool]]:
        """(value, strong, significant) for each value ``word`` belongs to."""
        written_as_name = word[0].isupper() or word[0].isdigit()
        folded = fold(word)
        found = self.spelled.get(folded)
        if found:
            return [(value, significant and written_as_name, significant)
                    for value, significant in found]  # fmt: skip
        if word[0].isalpha() and len(folded) > _MIN_STEM:
            inflected = _stem_values(folded, language, self.stems)
            if inflected:  # in lower case, only beside another word of the value
                name = word[0].isupper()
                return [(value, name, name) for value in inflected]
        if word[0].isalpha() and (len(self.scripts) > 1 or script(word) not in self.scripts):
            return self._across_scripts(word, language, written_as_name)
        return ()

    def _across_scripts(self, word: str, language: str | None, written_as_name: bool):
        key = sound_key(word)
        own = script(word)
        found = {(value, sig) for value, sig, other in self.sounds.get(key, ()) if other != own}
        if not found and len(key) >= 5:
            found = {(value, sig) for value, sig, other in self.skeletons.get(skeleton(key), ())
                     if other != own and sig}  # fmt: skip
        if not found and word[0].isupper():
            found = {(value, True) for value in _stem_values(key, language, self.sound_stems)}
        return [(value, significant and written_as_name, significant)
                for value, significant in found]  # fmt: skip


def _stem_values(word: str, language: str | None, stems: dict[str, set[int]]) -> set[int]:
    """The values whose stem ``word`` begins with, followed by an ending the language allows:
    a few letters where names are inflected, only the genitive -s elsewhere."""
    if language is not None and language not in _INFLECTING:
        return stems.get(word[:-1], set()) if word.endswith("s") else set()
    for cut in range(1, _MAX_ENDING + 1):
        stem = word[:-cut]
        if len(stem) < _MIN_STEM:
            break
        if cut <= _ending_limit(stem) and stem in stems:
            return stems[stem]
    return set()


@lru_cache(maxsize=64)
def known_values(values: tuple[str, ...]) -> KnownValues:
    """The index of a request's values (a request's subject is often translated repeatedly)."""
    index = KnownValues()
    for raw in values:
        text = raw.strip()
        if not text or _is_date(text):
            continue
        number = len(index.values)
        if _EMAIL.fullmatch(text):
            index.values.append(KnownValue(text, "E", re.compile(re.escape(text), re.I)))
        elif _is_code(text):
            index.values.append(KnownValue(text, "N", _code_pattern(text)))
        else:
            kind = "A" if any(char.isdigit() for char in text) else "P"
            index.values.append(KnownValue(text, kind))
            for word in WORD.findall(text):
                _index_word(index, number, word)
    return index


def _index_word(index: KnownValues, number: int, word: str) -> None:
    folded = fold(word)
    significant = (
        len(folded) >= _MIN_DIGITS if folded.isdigit()
        else len(folded) >= _MIN_SIGNIFICANT and folded not in _PARTICLES
    )  # fmt: skip
    for spelling in spellings(word) if word[0].isalpha() else {folded}:
        index.spelled.setdefault(spelling, set()).add((number, significant))
        if significant and not folded.isdigit():
            for stem in _stems(spelling):
                index.stems.setdefault(stem, set()).add(number)
    if not word[0].isalpha():
        return
    own = script(word)
    index.scripts.add(own)
    for spelling in spellings(word) if own == LATIN else {folded}:
        key = sound_key(spelling)
        index.sounds.setdefault(key, set()).add((number, significant, own))
        index.skeletons.setdefault(skeleton(key), set()).add((number, significant, own))
        if significant:
            for stem in _stems(key):
                index.sound_stems.setdefault(stem, set()).add(number)


def _stems(word: str) -> set[str]:
    """A name and the stems its case endings attach to (Virtanen → Virta-sen, Jonas → Jon-o,
    Kowalska → Kowalsk-iej); a long stem also without its last consonant, which some endings
    soften (Petraitis → Petrai-čio)."""
    stems = {word}
    for ending in _NOMINATIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            stems.add(word[: -len(ending)])
            break
    shortest = min(stems, key=len)
    if len(shortest) >= _SOFTENED_STEM:
        stems.add(shortest[:-1])
    return stems


def _is_date(text: str) -> bool:
    """A value that is a date as a whole: masked wherever any date is (dates.py)."""
    words = list(WORD.finditer(text))
    return any(start == 0 and end == len(text) for start, end in find_dates(text, words, None))


def _is_code(text: str) -> bool:
    """A number or code (an identity number, an IBAN, a phone number): digits, and no word of
    more than three letters."""
    return any(char.isdigit() for char in text) and not any(
        len(word) > 3 and not any(char.isdigit() for char in word) for word in WORD.findall(text)
    )


def _code_pattern(text: str) -> re.Pattern:
    """The code with or without its separators, its letters in any case and script."""
    characters = [
        f"[{_LOOK_ALIKES[char.upper()]}]" if char.upper() in _LOOK_ALIKES else re.escape(char)
        for char in text
        if char.isalnum()
    ]
    return re.compile(rf"(?<![\w]){_CODE_SEPARATORS.join(characters)}(?![\w])", re.IGNORECASE)
