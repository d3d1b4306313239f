"""Loading the directory's reference lists from the data files shipped in ./data.

Each file holds one list (``<kind>.yaml``): entries with a code, an optional parent (the sector
of a profession, the area of a keyword) and names per language. A language without a name
shows the English one and is listed in the entry's ``untranslated``, so a reader (and the
coverage report) can tell. Loading is idempotent: an entry whose names are unchanged is left
alone, so running it at every start costs nothing and never undoes a Commission
administrator's additions (entries absent from the files are kept).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from services.common.reference import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from services.directory.domain import TermKind
from services.directory.models import AreaWorkflow, Term

DATA_DIR = Path(__file__).parent / "data"
FILES = {TermKind.LEGISLATIVE_AREA: "legislative_areas.yaml"}


def complete_names(names: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Names in every supported language, the English one standing in where one is missing."""
    english = names[FALLBACK_LANGUAGE]
    untranslated = [language for language in SUPPORTED_LANGUAGES if not names.get(language)]
    full = {language: names.get(language) or english for language in SUPPORTED_LANGUAGES}
    return full, untranslated


def read_entries(kind: TermKind) -> list[dict]:
    path = DATA_DIR / FILES[kind]
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []


def upsert_term(
    session: Session, kind: TermKind, entry: dict, position: int, now: datetime
) -> Term:
    names, untranslated = complete_names(entry["names"])
    term = session.get(Term, (kind.value, entry["code"]))
    if term is None:
        term = Term(kind=kind.value, code=entry["code"], active=True, version=1)
        session.add(term)
    elif (term.names, term.untranslated, term.parent) == (names, untranslated, entry.get("parent")):
        return term
    else:
        term.version += 1
    term.parent = entry.get("parent")
    term.names, term.untranslated = names, untranslated
    term.position, term.updated_at = position, now
    return term


def load_reference_data(session: Session, now: datetime) -> None:
    """Upsert every shipped list, and the workflows of the shipped legislative areas."""
    for kind in FILES:
        for position, entry in enumerate(read_entries(kind)):
            upsert_term(session, kind, entry, position, now)
            if kind == TermKind.LEGISLATIVE_AREA:
                for workflow in entry.get("workflows", ()):
                    if session.get(AreaWorkflow, (entry["code"], workflow)) is None:
                        session.add(
                            AreaWorkflow(area=entry["code"], workflow=workflow, active=True)
                        )
    session.flush()
