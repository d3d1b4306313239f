"""Every error code a user can receive has its message in the catalogue, in all 26 languages.

The codes are read from the source of services/ and gateway/, not listed by hand, so a code
added without its message fails here. A code is:

- the ``code`` of a call (its second positional argument or ``code=``), as errors are raised:
  ``Forbidden("…", "user.not_administrator")``;
- a class's ``default_code`` (services/common/errors.py);
- any other text literal of a namespace found so, which catches codes handed to a helper or
  kept in a constant (``_refused("auth.actor_unverified")``, ``UNAVAILABLE_CODE``), and of the
  namespaces of the rules a 400 names in its ``errors`` (FIELD_PROBLEM_NAMESPACES);
- a code built at run time (an f-string), expanded by TEMPLATES; one not listed there fails.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
import werkzeug.exceptions
from sqlalchemy import create_engine, select

from gateway.problems import _HTTP_CODES as GATEWAY_HTTP_CODES
from services.common.reference import SUPPORTED_LANGUAGES
from services.directory.domain import Rejection
from services.identity.domain import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_CLASSES,
    PASSWORD_MIN_LENGTH,
    SECURITY_CODE_LENGTH,
    SECURITY_CODE_MIN_DISTINCT,
)
from services.translation.bootstrap import content_entries
from services.translation.domain import placeholders
from services.translation.models import Entry, Translation

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("services", "gateway")
# the web pages raise no codes: they name catalogue keys of every kind (their own texts,
# templates' files), which would read as codes here (tests/web/test_templates.py checks them)
NOT_SCANNED = ROOT / "gateway" / "web"
CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
# The rules a refused password, security code or grant broke: catalogue keys a 400 lists in
# its ``errors`` per field (services/identity/domain.py; docs/api.md, "Errors").
FIELD_PROBLEM_NAMESPACES = frozenset({"password", "security_code", "grant"})


def _gateway_http_codes() -> set[str]:
    """problems.py's codes of werkzeug's errors: its table, else ``error.http_<status>``, for
    every werkzeug error the gateway imports and for the routing's own (404, 405)."""
    statuses = {404, 405}
    for path, tree in _trees():
        if path.parts[0] != "gateway":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "werkzeug.exceptions":
                for alias in node.names:
                    error = getattr(werkzeug.exceptions, alias.name)
                    if issubclass(error, werkzeug.exceptions.HTTPException) and error.code:
                        statuses.add(error.code)
    return {
        GATEWAY_HTTP_CODES.get(status, f"error.http_{status}")
        for status in statuses
        if status >= 400
    }


# Each f-string that builds a code (as ast.unparse writes it), and every code it can build.
TEMPLATES: dict[str, Callable[[], set[str]]] = {
    "f'error.http_{exc.code}'": _gateway_http_codes,
    "f'invitation.{reason.value}'": lambda: {f"invitation.{reason.value}" for reason in Rejection},
}


@cache
def _trees() -> tuple[tuple[Path, ast.Module], ...]:
    return tuple(
        (path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8")))
        for source in SOURCES
        for path in sorted((ROOT / source).rglob("*.py"))
        if NOT_SCANNED not in path.parents
    )


def _nodes() -> Iterator[tuple[Path, ast.AST]]:
    for path, tree in _trees():
        for node in ast.walk(tree):
            yield path, node


def _code_argument(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "code"), None)


def _is_code(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value) is not None
    )


def _raised_and_default_codes() -> set[str]:
    codes = set()
    for _, node in _nodes():
        if isinstance(node, ast.Call) and _is_code(argument := _code_argument(node)):
            codes.add(argument.value)
        if (
            isinstance(node, ast.Assign)
            and any(getattr(target, "id", None) == "default_code" for target in node.targets)
            and _is_code(node.value)
        ):
            codes.add(node.value.value)
    return codes


@cache
def error_namespaces() -> frozenset[str]:
    """The first words of the codes: ``error``, ``auth``, ``login``, ``authority``…"""
    return frozenset(code.split(".")[0] for code in _raised_and_default_codes()) | (
        FIELD_PROBLEM_NAMESPACES
    )


def _in_error_namespace(text: str) -> bool:
    return text.split(".")[0] in error_namespaces()


def code_templates() -> dict[str, str]:
    """{f-string as written: where} for every f-string that starts with a code's namespace."""
    found = {}
    for path, node in _nodes():
        if isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if (
                isinstance(head, ast.Constant)
                and "." in head.value
                and _in_error_namespace(head.value)
                and re.fullmatch(r"[a-z0-9_.]+", head.value)
            ):
                found[ast.unparse(node)] = f"{path}:{node.lineno}"
    return found


@cache
def source_codes() -> frozenset[str]:
    """Every code a user can receive, as the source raises it."""
    parts_of_templates = {
        id(part) for _, node in _nodes() if isinstance(node, ast.JoinedStr) for part in node.values
    }
    mentioned = {
        node.value
        for _, node in _nodes()
        if _is_code(node) and _in_error_namespace(node.value) and id(node) not in parts_of_templates
    }
    built = set()
    for template in code_templates():
        if template in TEMPLATES:
            built |= TEMPLATES[template]()
    return frozenset(
        _raised_and_default_codes() | mentioned | built | set(GATEWAY_HTTP_CODES.values())
    )


CATALOGUE = {entry["key"]: entry for entry in content_entries()}
CODES = sorted(source_codes())
ERROR_ENTRIES = [entry for key, entry in sorted(CATALOGUE.items()) if _in_error_namespace(key)]


def test_the_codes_are_found_however_they_are_raised():
    assert {
        "error.internal",  # a default_code
        "error.service_unavailable",  # a constant (services/common/outages.py)
        "auth.actor_unverified",  # handed to a helper (services/common/credentials.py)
        "auth.caller_unverified",
        "auth.caller_not_allowed",  # the code of a Forbidden
        "error.method_not_allowed",  # the gateway's table of HTTP errors
        "error.http_408",  # built: an HTTP error the table does not name
        "invitation.no_area",  # built from an enum
        "password.too_short",  # a rule named in the ``errors`` of a 400
    } <= source_codes()


def test_every_code_built_at_run_time_is_expanded_here():
    unexpanded = {
        template: where for template, where in code_templates().items() if template not in TEMPLATES
    }

    assert unexpanded == {}, "add the codes each can build to TEMPLATES"


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_its_message_in_all_26_languages(code):
    assert code in CATALOGUE, f"{code} is raised but has no entry in services/translation/content"
    texts = CATALOGUE[code]["texts"]
    assert set(texts) == set(SUPPORTED_LANGUAGES)
    assert all(text and text.strip() for text in texts.values())


@pytest.mark.parametrize("entry", ERROR_ENTRIES, ids=lambda entry: entry["key"])
def test_every_error_message_is_described_has_a_length_and_the_same_placeholders_everywhere(entry):
    assert entry["description"]
    assert entry["max_length"]
    assert all(len(text) <= entry["max_length"] for text in entry["texts"].values())
    found = {language: placeholders(text) for language, text in entry["texts"].items()}
    assert all(names == found[entry["source_language"]] for names in found.values()), found


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("password.too_short", PASSWORD_MIN_LENGTH),
        ("password.too_long", PASSWORD_MAX_LENGTH),
        ("password.too_few_classes", PASSWORD_MIN_CLASSES),
        ("security_code.not_12_digits", SECURITY_CODE_LENGTH),
        ("security_code.too_simple", SECURITY_CODE_MIN_DISTINCT),
    ],
)
def test_the_rules_messages_state_the_numbers_the_rules_use(code, number):
    """The messages cannot take the numbers as parameters (a field's ``errors`` are bare
    keys), so they are written in: a changed rule must change its message too."""
    for language, text in CATALOGUE[code]["texts"].items():
        assert re.search(rf"(?<!\d){number}(?!\d)", text), language


def test_every_shipped_error_message_belongs_to_a_code_still_raised():
    assert {entry["key"] for entry in ERROR_ENTRIES} - set(CODES) == set()


def test_a_prepared_catalogue_holds_every_message_in_every_language(translation_uri):
    engine = create_engine(translation_uri)
    try:
        with engine.connect() as connection:
            entries = dict(connection.execute(select(Entry.key, Entry.source_language)).all())
            texts = set(
                connection.execute(
                    select(Translation.key, Translation.language).where(Translation.text != "")
                ).all()
            )
    finally:
        engine.dispose()

    for code in CODES:
        assert code in entries, code
        for language in SUPPORTED_LANGUAGES:
            assert language == entries[code] or (code, language) in texts, (code, language)
