"""The tables of docs/requests-workflow.md, rendered from the workflow's own tables so that the
document cannot drift from the code: tests/requests/test_workflow_doc.py fails when they
differ, and ``python -m services.requests.workflow_doc docs/requests-workflow.md`` rewrites
the generated blocks in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from services.common.errors import Conflict, Forbidden, ImiError
from services.requests.visibility import COLUMNS, SHOWS, VISIBILITY, Rule, View
from services.requests.workflow import TRANSITIONS, Transition
from services.requests.workflow_parties import DESCRIPTIONS
from services.requests.workflow_rules import Requirement
from services.requests.workflow_state import Status

BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S
)

VIEW_LABELS = {
    View.NONE: "none",
    View.MONITORING: "monitoring",
    View.FULL_WITHOUT_PERSONAL_DATA: "full, no personal data",
    View.FULL: "full",
}

# Refusals that are not requirements of one transition.
GENERAL_REFUSALS: tuple[tuple[str, type[ImiError], str], ...] = (
    ("request.not_allowed", Forbidden, "none of the actor's parties may take this action"),
    (
        "request.not_allocated",
        Forbidden,
        "the responder works with allocation and the request is allocated to other handlers",
    ),
    ("request.wrong_status", Conflict, "the action is not possible in the request's status"),
)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _statuses(statuses: frozenset[Status]) -> str:
    return ", ".join(status.value for status in Status if status in statuses) or "(new)"


def _transition_row(transition: Transition) -> list[str]:
    return [
        f"`{transition.action.value}`",
        _statuses(transition.sources),
        ", ".join(party.value for party in sorted(transition.who, key=list(DESCRIPTIONS).index)),
        "; ".join(requirement.text for requirement in transition.requires),
        transition.target.value if transition.target else "(unchanged)",
        f"`{transition.event}`",
        ", ".join(f"`{name}`" for name in transition.inputs),
    ]


def transitions() -> str:
    header = ["action", "from", "who", "requires", "to", "event", "inputs"]
    return _table(header, [_transition_row(transition) for transition in TRANSITIONS])


def parties() -> str:
    rows = [[f"`{party.value}`", text] for party, text in DESCRIPTIONS.items()]
    return _table(["party", "who"], rows)


def requirements() -> list[Requirement]:
    """Every requirement of the table, once, in the order of first use."""
    seen: dict[str, Requirement] = {}
    for transition in TRANSITIONS:
        for requirement in transition.requires:
            seen.setdefault(requirement.code + requirement.text, requirement)
    return list(seen.values())


def codes() -> str:
    rows = [
        [f"`{code}`", f"{error.__name__} ({error.status})", text]
        for code, error, text in GENERAL_REFUSALS
    ]
    rows += [
        [f"`{req.code}`", f"{req.error.__name__} ({req.error.status})", req.text]
        for req in requirements()
    ]
    return _table(["code", "error", "when it is refused"], rows)


def _rules() -> list[Rule]:
    found: list[Rule] = []
    for cells in VISIBILITY.values():
        for cell in cells:
            if isinstance(cell, Rule) and cell not in found:
                found.append(cell)
    return found


def visibility() -> str:
    rules = _rules()

    def label(cell: View | Rule) -> str:
        return f"rule {rules.index(cell) + 1}" if isinstance(cell, Rule) else VIEW_LABELS[cell]

    rows = [[f"`{party.value}`", *map(label, cells)] for party, cells in VISIBILITY.items()]
    table = _table(["party", *(status.value for status in COLUMNS)], rows)
    notes = "".join(f"{number}. {rule.text}\n" for number, rule in enumerate(rules, 1))
    return f"{table}\nRules:\n\n{notes}"


def views() -> str:
    rows = [[VIEW_LABELS[view], ", ".join(sorted(SHOWS[view])) or "nothing"] for view in View]
    return _table(["view", "shows"], rows)


RENDERERS = {
    "parties": parties,
    "transitions": transitions,
    "codes": codes,
    "visibility": visibility,
    "views": views,
}


def update(document: str) -> str:
    """``document`` with every generated block rendered afresh."""

    def render(match: re.Match) -> str:
        return match.group(1) + RENDERERS[match.group("name")]() + match.group(4)

    return BLOCK.sub(render, document)


def blocks(document: str) -> list[str]:
    return [match.group("name") for match in BLOCK.finditer(document)]


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
