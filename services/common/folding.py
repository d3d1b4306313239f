"""One form to compare names and search words in, whatever their case, accents or script."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents off, other scripts transliterated to Latin, words single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text)
    latin = anyascii("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return NOT_WORD.sub(" ", latin.lower().replace("'", "")).strip()
