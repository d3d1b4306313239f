"""The translation memory: what Commission translators already wrote, reused whole sentences
at a time. Always available, never external, consulted before any engine.

A sentence matches a catalogue text in the source language exactly (after folding case, width
and spaces) or closely (a similarity ratio over the folded texts of at least
``MEMORY_SIMILARITY``, 0.9 by default); the answer is that text's human translation in the
target language. Machine and outdated translations never serve as memory.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.translation.domain import Status, is_outdated
from services.translation.models import CatalogueRevision, Entry, Translation

HUMAN = (Status.TRANSLATED.value, Status.REVIEWED.value)
_SPACES = re.compile(r"\s+")
_END = ".!?:;…。 "


def fold(text: str) -> str:
    """The form sentences are compared in: case, width and spacing do not matter."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip(_END)


@dataclass(frozen=True)
class MemoryMatch:
    text: str
    score: float

    @property
    def exact(self) -> bool:
        return self.score == 1.0


class MemoryIndex:
    """The human translations of one language pair, ready to look sentences up in."""

    def __init__(self, pairs: Iterable[tuple[str, str]], threshold: float):
        self.threshold = threshold
        self.exact: dict[str, str] = {}
        for source, target in pairs:
            self.exact.setdefault(fold(source), target)

    def lookup(self, sentence: str) -> MemoryMatch | None:
        folded = fold(sentence)
        if not folded:
            return None
        found = self.exact.get(folded)
        if found is not None:
            return MemoryMatch(found, 1.0)
        best: MemoryMatch | None = None
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(folded)
        for candidate, target in self.exact.items():
            shortest, total = sorted((len(candidate), len(folded)))[0], len(candidate) + len(folded)
            if 2 * shortest / total < self.threshold:
                continue
            matcher.set_seq1(candidate)
            if (
                matcher.real_quick_ratio() < self.threshold
                or matcher.quick_ratio() < self.threshold
            ):
                continue
            score = matcher.ratio()
            if score >= self.threshold and (best is None or score > best.score):
                best = MemoryMatch(target, round(score, 4))
        return best


class TranslationMemory:
    """Indexes of the catalogue per language pair, rebuilt when the catalogue's revision
    moves (one per process: the catalogue changes rarely, lookups are frequent)."""

    def __init__(self, threshold: float = 0.9):
        self.threshold = threshold
        self._indexes: dict[tuple[str, str], tuple[int, MemoryIndex]] = {}

    def index(self, session: Session, source: str, target: str) -> MemoryIndex:
        revision = session.scalar(select(CatalogueRevision.value)) or 0
        cached = self._indexes.get((source, target))
        if cached is not None and cached[0] == revision:
            return cached[1]
        index = MemoryIndex(catalogue_pairs(session, source, target), self.threshold)
        self._indexes[(source, target)] = (revision, index)
        return index


def catalogue_pairs(session: Session, source: str, target: str) -> Iterable[tuple[str, str]]:
    """(text in ``source``, human translation in ``target``) for every catalogue entry that
    has both: the entry's own text counts as human in its source language."""
    rows = session.execute(
        select(Entry.key, Entry.source_language, Entry.source_text, Entry.source_version)
    ).all()
    human: dict[tuple[str, str], str] = {}
    translations = select(
        Translation.key,
        Translation.language,
        Translation.text,
        Translation.status,
        Translation.source_version,
    ).where(Translation.language.in_((source, target)), Translation.status.in_(HUMAN))
    versions = {key: version for key, _, _, version in rows}
    for key, language, text, status, source_version in session.execute(translations):
        if text and not is_outdated(status, source_version, versions.get(key, 0)):
            human[(key, language)] = text
    for key, language, text, _ in rows:
        texts = {language: text} | {
            lang: human[(key, lang)] for lang in (source, target) if (key, lang) in human
        }
        if source in texts and target in texts:
            yield texts[source], texts[target]
