"""Search over authorities in any supported language.

Texts are folded before they are indexed or searched: lower case, accents removed, every
script transliterated to Latin letters (so a Greek query finds a German title's Greek
translation and its Latin transliteration alike), punctuation made space.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from services.common.db import UnitOfWork
from services.directory.models import Authority, SearchDocument

NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """The form every indexed text and every query is compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    latin = anyascii("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return NOT_WORD.sub(" ", latin.lower().replace("'", "")).strip()


def index_authority(unit: UnitOfWork, authority: Authority) -> None:
    """Rewrite the authority's search document after a change (same transaction)."""
    texts = [authority.official_name, *(title.text for title in authority.titles)]
    folded = " | ".join(dict.fromkeys(fold(text) for text in texts if text))
    document = unit.session.get(SearchDocument, authority.id)
    if document is None:
        unit.session.add(SearchDocument(authority_id=authority.id, folded=folded))
    else:
        document.folded = folded
