"""docs/requests-workflow.md shows the workflow's own tables: a change of the code that is not
rendered into the document (``python -m services.requests.workflow_doc
docs/requests-workflow.md``) fails here, and so does a hand edit of a generated table."""

from __future__ import annotations

import re
from pathlib import Path

from services.requests.workflow import EVENTS, TRANSITIONS, Action
from services.requests.workflow_doc import RENDERERS, blocks, update

DOCUMENT = Path(__file__).parents[2] / "docs" / "requests-workflow.md"


def _document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def _transition_rows(document: str) -> list[list[str]]:
    section = document.split("<!-- generated: transitions -->")[1].split("<!-- end")[0]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_document_has_each_generated_table_once():
    assert sorted(blocks(_document())) == sorted(RENDERERS)


def test_the_generated_tables_of_the_document_are_those_of_the_code():
    document = _document()
    assert update(document) == document


def test_every_transition_of_the_code_is_a_row_of_the_document_and_every_row_one_of_the_code():
    rows = _transition_rows(_document())
    assert len(rows) == len(TRANSITIONS)
    for row, transition in zip(rows, TRANSITIONS, strict=True):
        action, sources, _who, _requires, _target, event, _inputs = row
        assert Action(action.strip("`")) == transition.action
        assert event.strip("`") == transition.event
        assert event.strip("`") in EVENTS
        named = set(re.findall(r"[a-z_]+", sources)) - {"new"}
        assert named == {status.value for status in transition.sources}
