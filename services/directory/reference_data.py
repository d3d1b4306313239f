"""Loading the directory's reference lists from the data files shipped in ./data.

Each file holds one list: entries with a code, an optional parent (the sector of a profession,
the area of a keyword, the NACE section of a division) and names per language. A language
without a name shows the English one and is listed in the entry's ``untranslated``, so a reader
(and the coverage report) can tell. Loading is idempotent: an entry whose names are unchanged is
left alone, so running it at every start costs nothing. It never undoes a Commission
administrator's work: entries absent from the files are kept, and an entry a person changed
(``updated_by`` set) is no longer overwritten by the files.

``python -m services.directory.reference_data --coverage`` prints how many entries of each list
are named in each language (the table of docs/directory-reference-data.md).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from services.common import reference
from services.common.reference import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from services.directory.domain import MEMBER_STATE, TermKind
from services.directory.models import AreaWorkflow, Term

DATA_DIR = Path(__file__).parent / "data"
# In loading order: parents before their children.
FILES = {
    TermKind.WORKFLOW: "workflows.yaml",
    TermKind.ROLE: "roles.yaml",
    TermKind.LEGISLATIVE_AREA: "legislative_areas.yaml",
    TermKind.PROFESSION_SECTOR: "profession_sectors.yaml",
    TermKind.PROFESSION: "professions.yaml",
    TermKind.ECONOMIC_ACTIVITY: "economic_activities.yaml",
    TermKind.POLICY_AREA: "policy_areas.yaml",
    TermKind.KEYWORD: "keywords.yaml",
}


def complete_names(names: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Names in every supported language, the English one standing in where one is missing."""
    english = names[FALLBACK_LANGUAGE]
    untranslated = [language for language in SUPPORTED_LANGUAGES if not names.get(language)]
    full = {language: names.get(language) or english for language in SUPPORTED_LANGUAGES}
    return full, untranslated


def read_entries(kind: TermKind) -> list[dict]:
    path = DATA_DIR / FILES[kind]
    if not path.exists():
        return []
    # libyaml's safe loader: the same documents, read ten times faster at every prepare
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def upsert_term(
    session: Session, kind: TermKind, entry: dict, position: int, now: datetime
) -> Term:
    names, untranslated = complete_names(entry["names"])
    shipped = (names, untranslated, entry.get("parent"))
    term = session.get(Term, (kind.value, entry["code"]))
    if term is None:
        term = Term(kind=kind.value, code=entry["code"], active=True, version=1)
        session.add(term)
    elif term.updated_by is not None or (term.names, term.untranslated, term.parent) == shipped:
        return term
    else:
        term.touch(None, now)
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


# --- coverage -------------------------------------------------------------------------------


def coverage() -> dict[str, tuple[int, dict[str, int]]]:
    """Per list: (entries, {language: entries named in it}), member states included."""
    lists: dict[str, list[list[str]]] = {
        MEMBER_STATE: [state["untranslated"] for state in reference.member_states()]
    }
    for kind in FILES:
        lists[kind.value] = [complete_names(entry["names"])[1] for entry in read_entries(kind)]
    return {
        kind: (
            len(missing),
            {lang: sum(lang not in gaps for gaps in missing) for lang in SUPPORTED_LANGUAGES},
        )
        for kind, missing in lists.items()
    }


def coverage_table() -> str:
    """The coverage as a Markdown table: a row per language, a column per list."""
    counts = coverage()
    header = "| language | " + " | ".join(
        f"{kind} ({total})" for kind, (total, _) in counts.items()
    )
    lines = [header + " |", "| --- " * (len(counts) + 1) + "|"]
    for language in SUPPORTED_LANGUAGES:
        cells = (str(named[language]) for _, named in counts.values())
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--coverage", action="store_true", help="print the names per language and list"
    )
    if parser.parse_args(argv).coverage:
        print(coverage_table())
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
