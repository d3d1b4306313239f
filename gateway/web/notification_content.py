"""A generic notification's content as a form: one field per field of its type (a type is
data, docs/generic-notifications.md), read back into the values the notifications service
takes, and a stored content shown again in the form or as (label, value) rows.

A form field is named ``content_<name>``: a type's field names cannot then meet the form's
own fields (the CSRF token, the version, the member states).
"""

from __future__ import annotations

import math
from datetime import date

# the longest text and the largest number the service takes (services.notifications.generic)
TEXT_MAX = 4000
NUMBER_MAX = 10**15
YES, NO = "yes", "no"


def form_name(field_name: str) -> str:
    return f"content_{field_name}"


def label(t, item: dict) -> str:
    """A type's text in the reader's language, else its English source (a type a Commission
    administrator defined after the release, until translators reach it)."""
    return t(item["label_key"]) if t.has(item["label_key"]) else item["label"]


def type_title(t, kind: dict) -> str:
    return t(kind["title_key"]) if t.has(kind["title_key"]) else kind["title"]


def read_content(type_fields: list[dict], form: dict) -> tuple[dict, dict[str, str]]:
    """The content the form gives, and per wrong field (by its form name) the catalogue key of
    its message; an empty optional field is left out, as the service leaves it out."""
    content, errors = {}, {}
    for item in type_fields:
        name = form_name(item["name"])
        raw = form.get(name, "")
        if not raw.strip():
            if item["required"]:
                errors[name] = "web.form.required"
            continue
        value = _value(item, raw)
        if isinstance(value, _Refused):
            errors[name] = value.key
        else:
            content[item["name"]] = value
    return content, errors


class _Refused:
    def __init__(self, key: str):
        self.key = key


def _value(item: dict, raw: str):
    kind = item["kind"]
    if kind == "text":
        return raw if len(raw) <= TEXT_MAX else _Refused("web.form.too_long")
    if kind == "boolean":
        return {YES: True, NO: False}.get(raw, _Refused("web.form.invalid"))
    if kind == "choice":
        known = raw in {option["value"] for option in item["options"]}
        return raw if known else _Refused("web.form.invalid")
    if kind == "date":
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            return _Refused("web.form.invalid")
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        return _Refused("web.form.invalid")
    if not math.isfinite(number) or abs(number) > NUMBER_MAX:
        return _Refused("web.form.invalid")
    return int(number) if number.is_integer() else number


def form_values(content: dict) -> dict[str, str]:
    """A stored content as the form shows it to be changed."""
    values = {}
    for name, value in content.items():
        if isinstance(value, bool):
            value = YES if value else NO
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        values[form_name(name)] = str(value)
    return values


def content_rows(t, type_fields: list[dict], content: dict) -> list[tuple[str, str]]:
    """A notification's content as (label, value) in the reader's language, in the order of
    its type's fields; a choice by its option's label, true or false as yes or no; a field
    the type no longer names last, by its name."""
    rows = []
    for item in type_fields:
        if item["name"] not in content:
            continue
        value = content[item["name"]]
        options = {option["value"]: label(t, option) for option in item["options"]}
        if isinstance(value, bool):
            shown = t(f"requests.list.answer_values.{YES if value else NO}")
        elif isinstance(value, int | float):
            shown = t.number(value)
        elif item["kind"] == "date":
            shown = t.date(value)
        else:
            shown = options.get(str(value), str(value))
        rows.append((label(t, item), shown))
    named = {item["name"] for item in type_fields}
    rows += [(name, str(value)) for name, value in content.items() if name not in named]
    return rows
