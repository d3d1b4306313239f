"""A notification type as a form (docs/web.md "Defining notification types"): the type's own
fields (key, area, title, senders, receivers, repository, active) and one row per field of
its content, read back into the body the notifications service takes, and a stored type shown
again in the form. The page checks what it can say beside a field; the service checks all of
it again (services/notifications/generic.py) and its refusals are tied back to the rows here.

A row is named ``field_<row>_<part>``; a row left without name and label is left out,
so the form may hold more rows than the type has fields. A choice's answers are one per line,
``code: English label``.
"""

from __future__ import annotations

import re

from gateway.web.dashboard_pages import legislative_areas

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
TYPE_KEY = re.compile(r"[a-z][a-z0-9_]{0,45}")
LABEL_MAX = 200
KINDS = ("text", "date", "number", "choice", "boolean")
SENDERS = ("request_handler", "alert_handler")
RECEIVERS = ("chosen_states", "all_states", "commission")

MAX_ROWS = 50
NEW_ROWS = 3
MAX_OPTIONS = 50
YES = "yes"
# the type's own fields the service may name in a refusal, as the form names them
TOP_FIELDS = ("key", "area", "title", "senders", "receivers", "repository", "active")


def row_name(row: int, part: str) -> str:
    return f"field_{row}_{part}"


def row_count(form: dict, default: int) -> int:
    """How many rows the form shows: as many as it was sent with (and one more when its
    sender asked for it), at least one, at most the service's limit."""
    try:
        rows = int(form.get("rows", default))
    except ValueError:
        rows = default
    return max(1, min(rows, MAX_ROWS))


def read_type_form(form: dict, rows: int, *, new: bool) -> tuple[dict, list[int], dict]:
    """The type's body for the service, the row of each of its fields, and per wrong field (by
    its form name) the catalogue key of its message."""
    errors: dict[str, str] = {}
    body: dict = {}
    if new:
        body["key"] = _code(form, "key", TYPE_KEY, errors, required=True)
    body["area"] = _choice(form, "area", legislative_areas(), errors)
    body["title"] = _label(form.get("title", ""), "title", errors)
    senders = [right for right in SENDERS if right in form.get("senders", [])]
    if not senders:
        errors["senders"] = "web.form.required"
    body["senders"] = senders
    body["receivers"] = _choice(form, "receivers", RECEIVERS, errors)
    body["repository"] = _code(form, "repository", KEY, errors, required=False)
    body["active"] = form.get("active") == YES
    body["fields"], rows_of = _fields(form, rows, errors)
    if not body["fields"] and not errors.get("fields"):
        errors["fields"] = "web.notiftypes.fields_needed"
    return body, rows_of, errors


def _code(form: dict, name: str, pattern: re.Pattern, errors: dict, *, required: bool):
    value = form.get(name, "").strip()
    if not value:
        if required:
            errors[name] = "web.form.required"
        return None
    if not pattern.fullmatch(value):
        errors[name] = "web.notiftypes.code_invalid"
    return value


def _choice(form: dict, name: str, allowed, errors: dict) -> str | None:
    value = form.get(name, "")
    if value not in allowed:
        errors[name] = "web.form.required"
        return None
    return value


def _label(value: str, name: str, errors: dict) -> str:
    value = value.strip()
    if not value:
        errors[name] = "web.form.required"
    elif len(value) > LABEL_MAX:
        errors[name] = "web.form.too_long"
    return value


def _fields(form: dict, rows: int, errors: dict) -> tuple[list[dict], list[int]]:
    fields, rows_of, seen = [], [], {}
    for row in range(rows):
        name = form.get(row_name(row, "name"), "").strip()
        label = form.get(row_name(row, "label"), "")
        options_text = form.get(row_name(row, "options"), "")
        if not (name or label.strip()):
            continue
        if not name:
            errors[row_name(row, "name")] = "web.form.required"
        elif not NAME.fullmatch(name):
            errors[row_name(row, "name")] = "web.notiftypes.code_invalid"
        elif name in seen:
            errors[row_name(row, "name")] = "web.notiftypes.duplicate_name"
        seen.setdefault(name, row)
        kind = _choice(form, row_name(row, "kind"), KINDS, errors)
        item = {"name": name, "label": _label(label, row_name(row, "label"), errors),
                "kind": kind, "required": form.get(row_name(row, "required")) == YES,
                "personal_data": form.get(row_name(row, "personal_data")) == YES}  # fmt: skip
        options = _options(options_text, row, errors)
        if (kind == "choice") != bool(options) and row_name(row, "options") not in errors:
            errors[row_name(row, "options")] = "web.notiftypes.options_needed"
        if options:
            item["options"] = list(options)
            item["option_labels"] = options
        fields.append(item)
        rows_of.append(row)
    return fields, rows_of


def _options(text: str, row: int, errors: dict) -> dict[str, str]:
    """A choice's answers, ``code: label`` one per line (the label the code's when left out)."""
    options: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _colon, label = line.partition(":")
        code, label = code.strip(), label.strip() or code.strip()
        if not NAME.fullmatch(code) or len(label) > LABEL_MAX or code in options:
            errors[row_name(row, "options")] = "web.notiftypes.options_invalid"
            continue
        options[code] = label
    if len(options) > MAX_OPTIONS:
        errors[row_name(row, "options")] = "web.notiftypes.options_invalid"
    return options


def type_form(kind: dict) -> dict:
    """A stored type as the form shows it to be changed."""
    form = {"area": kind["area"], "title": kind["title"], "senders": list(kind["senders"]),
            "receivers": kind["receivers"], "repository": kind["repository"] or "",
            "active": YES if kind["active"] else "", "rows": str(len(kind["fields"])),
            "version": str(kind["version"])}  # fmt: skip
    for row, item in enumerate(kind["fields"]):
        form[row_name(row, "name")] = item["name"]
        form[row_name(row, "label")] = item["label"]
        form[row_name(row, "kind")] = item["kind"]
        form[row_name(row, "required")] = YES if item["required"] else ""
        form[row_name(row, "personal_data")] = YES if item["personal_data"] else ""
        form[row_name(row, "options")] = "\n".join(
            f"{option['value']}: {option['label']}" for option in item["options"]
        )
    return form


def refused_fields(refused: dict, body: dict, rows_of: list[int]) -> set[str]:
    """The form's names of the fields a service's refusal names: ``fields`` by their index in
    the body (a schema's) or by a field's name (the type's own rules, ``fields.<name>.*``)."""
    names: set[str] = set()
    by_name = {item["name"]: row for item, row in zip(body.get("fields", []), rows_of, strict=True)}
    for name, detail in refused.items():
        head, _dot, rest = name.partition(".")
        if head == "fields" and isinstance(detail, dict):
            for index, parts in detail.items():
                if str(index).isdigit() and int(index) < len(rows_of):
                    names |= {_row_part(rows_of[int(index)], part) for part in parts}
        elif head == "fields" and rest:
            field, _dot, part = rest.partition(".")
            if field in by_name:
                names.add(_row_part(by_name[field], part or "name"))
        elif head in (*TOP_FIELDS, "fields"):
            names.add(head)
    return names


def _row_part(row: int, part: str) -> str:
    return row_name(row, "options" if part in ("options", "option_labels") else part)
