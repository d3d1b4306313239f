"""The directory's reference lists a request is classified by: the regulated profession of a
Professional Qualifications request (``profession``, parent: its ``profession_sector``) and the
economic activity of the business a request is about (``economic_activity``, NACE Rev. 2
sections and divisions), read from the files the directory ships (services/directory/data),
as data: no service reads another's database.

A request names a profession or a sector by its code; a code of no shipped entry is refused.
Entries a Commission administrator adds to the directory's lists at run time are not known
here (docs/requests-statistics.md).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from services.common.errors import ValidationFailed
from services.common.reference import FALLBACK_LANGUAGE

DIRECTORY_DATA = Path(__file__).resolve().parent.parent / "directory" / "data"
PROFESSION = "profession"
PROFESSION_SECTOR = "profession_sector"
ECONOMIC_ACTIVITY = "economic_activity"
FILES = {
    PROFESSION: "professions.yaml",
    PROFESSION_SECTOR: "profession_sectors.yaml",
    ECONOMIC_ACTIVITY: "economic_activities.yaml",
}


@cache
def entries(kind: str) -> dict[str, dict]:
    """The shipped entries of one list, by code: ``{code: {parent, names}}``."""
    text = (DIRECTORY_DATA / FILES[kind]).read_text(encoding="utf-8")
    return {
        entry["code"]: {"parent": entry.get("parent"), "names": entry["names"]}
        for entry in yaml.load(text, Loader=yaml.CSafeLoader)
    }


def name(kind: str, code: str, language: str) -> str | None:
    """The entry's name in ``language``, else in English; None for a code of no entry."""
    entry = entries(kind).get(code)
    if entry is None:
        return None
    return entry["names"].get(language) or entry["names"][FALLBACK_LANGUAGE]


def parent(kind: str, code: str) -> str | None:
    entry = entries(kind).get(code)
    return entry["parent"] if entry else None


def check(profession: str | None, sector: str | None, professional_qualifications: bool) -> None:
    """Refuse a profession or sector that is not a code of its list, and a profession on a
    request outside Professional Qualifications; field by field."""
    errors: dict[str, list[str]] = {}
    if profession is not None:
        if not professional_qualifications:
            errors[PROFESSION] = ["Only Professional Qualifications requests name a profession."]
        elif profession not in entries(PROFESSION):
            errors[PROFESSION] = ["Not a profession of the directory's list."]
    if sector is not None and sector not in entries(ECONOMIC_ACTIVITY):
        errors["sector"] = ["Not an economic activity (NACE section or division) of the list."]
    if errors:
        raise ValidationFailed.from_fields(errors)
