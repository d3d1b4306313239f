"""Comparing words as people write the same name or month differently: in any letter case,
with or without accents, and transliterated between the Latin, Greek and Cyrillic scripts.

``fold`` drops case and accents but keeps the script (Kovács, KOVACS → kovacs). ``sound_key``
goes further, to a coarse ASCII spelling shared by the usual transliterations (Ковач, Kovács
and Κόβατς all become kovak; Мюлер and Müller muler); ``skeleton`` keeps only its consonants,
for transliterations that also change the vowels (Александър, Aleksander). The keys are made
for comparing names, never shown.
"""

# Greek and Cyrillic letters in the tables are meant (RUF001 takes them for Latin look-alikes).
# ruff: noqa: RUF001

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

LATIN, GREEK, CYRILLIC = "latin", "greek", "cyrillic"

# Greek letter pairs read as one sound, before anyascii spells letter by letter.
_GREEK_SOUNDS = {
    "ου": "u", "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng", "τσ": "ts", "τζ": "dz",
    "αι": "e", "ει": "i", "οι": "i", "αυ": "av", "ευ": "ev", "χ": "h", "υ": "i", "η": "i",
    "ω": "o", "θ": "t", "β": "v",
}  # fmt: skip
_GREEK_PAIRS = re.compile("|".join(sorted(_GREEK_SOUNDS, key=len, reverse=True)))
# Bulgarian ъ is a vowel (Александър → Aleksandar); anyascii writes it as an apostrophe.
_CYRILLIC_SOUNDS = str.maketrans({"ъ": "a"})
# Latin spellings of one sound, longest first, to one letter.
_LATIN_SOUNDS = {
    "tsch": "c", "shch": "s", "sch": "s", "sh": "s", "sz": "s", "zs": "z", "zh": "z",
    "cs": "c", "cz": "c", "ch": "c", "kh": "h", "ts": "c", "tz": "c", "ph": "f", "th": "t",
    "gh": "g", "ck": "k", "qu": "kv", "ou": "u", "q": "k", "x": "ks", "w": "v", "y": "i",
    "j": "i", "c": "k",
}  # fmt: skip
_LATIN_PAIRS = re.compile("|".join(sorted(_LATIN_SOUNDS, key=len, reverse=True)))
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_GLIDE = re.compile(r"i(?=[aeou])")
_VOWELS = re.compile(r"(?<=.)[aeiou]+")
# A value's letters with the other ways they are written: Müller is also Mueller (and Мюлер,
# Μίλερ), Bach also Бах; Schneider also Шнайдер.
_VARIANTS = {
    "ü": ("u", "ue", "i"), "ö": ("o", "oe", "e"), "ä": ("a", "ae", "e"), "ø": ("o", "oe"),
    "å": ("a", "aa"), "æ": ("ae", "e"), "ß": ("ss",), "ch": ("ch", "h"), "ei": ("ei", "ai"),
    "eu": ("eu", "oi"),
}  # fmt: skip
_VARIANT_PARTS = re.compile("|".join(sorted(_VARIANTS, key=len, reverse=True)))
MAX_VARIANTS = 16


@lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """``word`` without case and accents, in its own script (ΜΑΐΟΥ → μαιου, Kovács → kovacs)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=8192)
def sound_key(word: str) -> str:
    """A coarse ASCII spelling of ``word`` that its transliterations share."""
    text = _GREEK_PAIRS.sub(lambda m: _GREEK_SOUNDS[m.group()], fold(word))
    text = _NOT_LETTER.sub("", anyascii(text.translate(_CYRILLIC_SOUNDS)).lower())
    text = _LATIN_PAIRS.sub(lambda m: _LATIN_SOUNDS[m.group()], text)
    return _GLIDE.sub("", _DOUBLE.sub(r"\1", text))


def skeleton(key: str) -> str:
    """A sound key without its vowels after the first letter (aleksandar → alksndr)."""
    return _VOWELS.sub("", key)


def script(word: str) -> str:
    """The script ``word`` is written in, by its first letter."""
    code = ord(word[0]) if word else 0
    if 0x370 <= code <= 0x3FF or 0x1F00 <= code <= 0x1FFF:
        return GREEK
    if 0x400 <= code <= 0x52F:
        return CYRILLIC
    return LATIN


def spellings(word: str) -> set[str]:
    """The folded spellings of a value's word: itself and the usual ways of writing its
    umlauts and digraphs (Müller: muller, mueller, miller…), at most ``MAX_VARIANTS``."""
    lowered = word.casefold()
    parts = _VARIANT_PARTS.split(lowered)
    found = _VARIANT_PARTS.findall(lowered)
    spelled = {parts[0]}
    for part, rest in zip(found, parts[1:], strict=True):
        spelled = {f"{start}{choice}{rest}" for start in spelled for choice in _VARIANTS[part]}
        if len(spelled) > MAX_VARIANTS:
            spelled = set(sorted(spelled)[:MAX_VARIANTS])
    return {fold(spelling) for spelling in spelled} | {fold(word)}
