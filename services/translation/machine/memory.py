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
# Up to how many changed entries an index reads them by key; a larger change (a catalogue
# import) reads the whole catalogue again.
READ_CHANGED_UP_TO = 500
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
    """The human translations of one language pair, ready to look sentences up in; kept up to
    date entry by entry (``update``). Where several entries have the same folded source text,
    the one with the smallest key answers."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.exact: dict[str, str] = {}
        self._pairs: dict[str, tuple[str, str]] = {}  # key: (folded source, target)
        self._keys: dict[str, set[str]] = {}  # folded source: the keys that have it

    def update(self, changed: Iterable[str], pairs: Iterable[tuple[str, str, str]]) -> None:
        """``changed``: the keys of the entries that may have changed; ``pairs``: (key, source
        text, target text) of those that have a pair now."""
        touched = set()
        for key in changed:
            old = self._pairs.pop(key, None)
            if old is not None:
                self._keys[old[0]].discard(key)
                touched.add(old[0])
        for key, source, target in pairs:
            folded = fold(source)
            self._pairs[key] = (folded, target)
            self._keys.setdefault(folded, set()).add(key)
            touched.add(folded)
        for folded in touched:
            keys = self._keys.get(folded)
            if keys:
                self.exact[folded] = self._pairs[min(keys)][1]
            else:
                self.exact.pop(folded, None)
                self._keys.pop(folded, None)

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
    """Indexes of the catalogue per language pair, brought up to date with the entries changed
    since the catalogue revision each was last read at (one per process: lookups are
    frequent, and most catalogue changes, an authority's informal title say, touch a few
    entries and no human translation of the pair). Reading the whole catalogue for every pair
    after every change took 0.4 s of CPU per authority whose titles were translated."""

    def __init__(self, threshold: float = 0.9):
        self.threshold = threshold
        self._indexes: dict[tuple[str, str], tuple[int, MemoryIndex]] = {}

    def index(self, session: Session, source: str, target: str) -> MemoryIndex:
        # Read first: a revision is raised under a row lock held to the change's commit, so
        # every change up to it is committed; one after it is read again next time.
        revision = session.scalar(select(CatalogueRevision.value)) or 0
        cached = self._indexes.get((source, target))
        if cached is not None and cached[0] == revision:
            return cached[1]
        since, index = cached if cached is not None else (None, MemoryIndex(self.threshold))
        index.update(*catalogue_pairs(session, source, target, since))
        self._indexes[(source, target)] = (revision, index)
        return index


def catalogue_pairs(
    session: Session, source: str, target: str, since: int | None = None
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The keys of the entries changed after revision ``since``, or whose text in ``source``
    or ``target`` did (every entry when None), and of those (key, text in ``source``, human
    translation in ``target``) where the entry has both: the entry's own text counts as human
    in its source language."""
    entries = select(Entry.key, Entry.source_language, Entry.source_text, Entry.source_version)
    translations = select(
        Translation.key,
        Translation.language,
        Translation.text,
        Translation.status,
        Translation.source_version,
    ).where(Translation.language.in_((source, target)), Translation.status.in_(HUMAN))
    if since is not None:  # the entry changed, or its text in one of the two languages
        changed = set(session.scalars(select(Entry.key).where(Entry.revision > since)))
        changed.update(
            session.scalars(
                select(Translation.key).where(
                    Translation.revision > since, Translation.language.in_((source, target))
                )
            )
        )
        if not changed:
            return [], []
        if len(changed) <= READ_CHANGED_UP_TO:  # else the whole catalogue, read as at first
            entries = entries.where(Entry.key.in_(changed))
            translations = translations.where(Translation.key.in_(changed))
    rows = session.execute(entries).all()
    versions = {key: version for key, _, _, version in rows}
    human: dict[tuple[str, str], str] = {}
    for key, language, text, status, source_version in session.execute(translations):
        if text and not is_outdated(status, source_version, versions.get(key, 0)):
            human[(key, language)] = text
    pairs = []
    for key, language, text, _ in rows:
        texts = {language: text} | {
            lang: human[(key, lang)] for lang in (source, target) if (key, lang) in human
        }
        if source in texts and target in texts:
            pairs.append((key, texts[source], texts[target]))
    return [key for key, _, _, _ in rows], pairs
