"""XLIFF 2.0 export and import, so translators work in their own tools (OmegaT, Trados,
memoQ, Weblate all read it).

One file holds one target language and the entries of one source language. Each unit is an
entry (its id the key) with one segment; its ``state`` maps to the catalogue's status:

- missing: ``initial`` without a target; machine, or outdated: ``initial`` with the target;
- translated: ``translated``; reviewed: ``reviewed``.

The unit's ``notes`` carry the entry's namespace, description, maximum length and status, and
for a text a reviewer sent back, the reason (``category="rejection_reason"``,
``appliesTo="target"``), so that the translator reads in their tool why the entry is back.
An import reads no note.

An import is all or nothing: every unit is checked first (known key, same source text as the
catalogue holds now, length, placeholders) and one refused unit refuses the file, naming each
refused unit and why. Units in state ``initial`` are skipped; every other target is stored as
``translated``, since approval is a second translator's act in the tool. Files come from
users, so they are parsed by defusedxml: no DTD, no entity, no external reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET  # building only: parsing is defusedxml's

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from services.common.actor import Actor, Right
from services.common.db import UnitOfWork
from services.common.errors import ValidationFailed
from services.translation.catalogue import (
    Changes,
    entries_with_translation,
    in_namespaces,
    write_translation,
)
from services.translation.domain import Status, check_language, is_outdated, text_problems
from services.translation.models import Entry

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF_CONTENT_TYPE = "application/xliff+xml"
_Q = f"{{{XLIFF_NS}}}"
SKIPPED_STATE = "initial"
IMPORTED_STATES = frozenset({"translated", "reviewed", "final"})


def _state(status: str | None, outdated: bool) -> str:
    if status in (Status.TRANSLATED, Status.REVIEWED) and not outdated:
        return status
    return SKIPPED_STATE


def export_xliff(unit: UnitOfWork, actor: Actor, language: str, query: dict) -> dict:
    """The entries of ``language`` (filtered by namespace) as an XLIFF 2.0 document."""
    actor.require(Right.COMMISSION_TRANSLATOR)
    source = query.get("source_language", "en")
    check_language(language, source)
    namespaces = [query["namespace"]] if query.get("namespace") else []
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(f"{_Q}xliff", {"version": "2.0", "srcLang": source, "trgLang": language})
    document = ET.SubElement(root, f"{_Q}file", {"id": "imi"})
    pairs = entries_with_translation(
        unit.session, language, Entry.source_language == source, in_namespaces(namespaces)
    )
    count = 0
    for entry, translation in pairs:
        status = translation.status if translation else None
        outdated = bool(translation) and is_outdated(
            translation.status, translation.source_version, entry.source_version
        )
        element = ET.SubElement(document, f"{_Q}unit", {"id": entry.key})
        notes = ET.SubElement(element, f"{_Q}notes")
        for category, value in (
            ("namespace", entry.namespace),
            ("description", entry.description),
            ("max_length", entry.max_length),
            ("status", "outdated" if outdated else status or Status.MISSING.value),
        ):
            if value is not None:
                note = ET.SubElement(notes, f"{_Q}note", {"category": category})
                note.text = str(value)
        if translation is not None and translation.rejection_reason:
            reason = {"category": "rejection_reason", "appliesTo": "target"}
            ET.SubElement(notes, f"{_Q}note", reason).text = translation.rejection_reason
        segment = ET.SubElement(element, f"{_Q}segment", {"state": _state(status, outdated)})
        ET.SubElement(segment, f"{_Q}source").text = entry.source_text
        if translation is not None and translation.text:
            ET.SubElement(segment, f"{_Q}target").text = translation.text
        count += 1
    content = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return {
        "format": "xliff",
        "content_type": XLIFF_CONTENT_TYPE,
        "filename": f"imi-{source}-{language}.xlf",
        "entries": count,
        "content": content,
    }


@dataclass(frozen=True)
class ParsedUnit:
    key: str
    source: str = ""
    target: str = ""
    problem: str | None = None


def parse_xliff(content: str, language: str) -> tuple[str, list[ParsedUnit]]:
    """The source language and every unit to import; ValidationFailed for a file that is not
    a safe, well-formed XLIFF 2.0 document for ``language``."""
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refused("The file declares a DTD or entities, which are not accepted.") from None
    except ET.ParseError as exc:
        raise _refused(f"The file is not well-formed XML: {exc}.") from None
    if root.tag != f"{_Q}xliff" or root.get("version") != "2.0":
        raise _refused("An XLIFF 2.0 document (urn:oasis:names:tc:xliff:document:2.0) is expected.")
    if root.get("trgLang") != language:
        raise _refused(f"The file is for the language {root.get('trgLang')!r}, not {language!r}.")
    units = []
    for element in root.iter(f"{_Q}unit"):
        key = element.get("id", "")
        segments = element.findall(f"{_Q}segment")
        if len(segments) != 1:
            units.append(ParsedUnit(key, problem="A unit must have exactly one segment."))
            continue
        if segments[0].get("state", SKIPPED_STATE) not in IMPORTED_STATES:
            continue
        source = segments[0].find(f"{_Q}source")
        target = segments[0].find(f"{_Q}target")
        if source is None or target is None or len(source) or len(target):
            units.append(ParsedUnit(key, problem="A source and a plain target are expected."))
            continue
        units.append(ParsedUnit(key, source.text or "", target.text or ""))
    return root.get("srcLang", ""), units


def import_xliff(unit: UnitOfWork, actor: Actor, language: str, content: str) -> dict:
    """Store every translated unit of the file, or nothing (see the module's docstring)."""
    actor.require(Right.COMMISSION_TRANSLATOR)
    source_language, units = parse_xliff(content, language)
    session = unit.session
    refused, accepted, seen = [], [], set()
    for parsed in units:
        entry = session.get(Entry, parsed.key)
        reason = parsed.problem or _unit_problem(entry, parsed, seen, source_language)
        seen.add(parsed.key)
        if reason:
            refused.append({"key": parsed.key, "reason": reason})
        else:
            accepted.append((entry, parsed.target))
    if refused:
        raise ValidationFailed(
            f"{len(refused)} unit(s) of the file are refused; nothing was imported.",
            "translation.import_refused",
            {"refused": refused, "imported": 0},
        )
    changes = Changes(unit)
    imported = []
    for entry, text in accepted:
        row, changed = write_translation(
            unit, changes, entry, language, text, Status.TRANSLATED, actor.user_id
        )
        if changed:
            imported.append(entry.key)
            unit.record_event(
                "translation_submitted", entry.key,
                {"key": entry.key, "language": language, "status": row.status,
                 "source_version": row.source_version, "version": row.version},
            )  # fmt: skip
    if imported:
        unit.record_event(
            "translations_imported", language,
            {"language": language, "keys": imported, "by": actor.user_id},
        )  # fmt: skip
        changes.announce()
    return {
        "language": language,
        "imported": len(imported),
        "unchanged": len(accepted) - len(imported),
        "refused": [],
    }


def _unit_problem(
    entry: Entry | None, parsed: ParsedUnit, seen: set[str], source_language: str
) -> str | None:
    if parsed.key in seen:
        return "The unit appears twice in the file."
    if entry is None:
        return "No entry has this key."
    if entry.source_language != source_language:
        return f"The entry's source language is {entry.source_language}."
    if parsed.source != entry.source_text:
        return "The source text changed since the file was exported: export it again."
    problems = text_problems(parsed.target, entry.source_text, entry.max_length)
    return " ".join(problems) or None


def _refused(detail: str) -> ValidationFailed:
    return ValidationFailed(detail, "translation.file_refused", {"refused": [], "imported": 0})
