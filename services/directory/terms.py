"""Reference lists as the rest of the directory uses them: is a code known, and its name in a
language."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from services.common.db import UnitOfWork
from services.common.errors import ValidationFailed
from services.directory.domain import TermKind
from services.directory.models import AreaWorkflow, Term


def unknown_codes(unit: UnitOfWork, kind: TermKind, codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    if not wanted:
        return []
    found = unit.session.scalars(
        select(Term.code).where(Term.kind == kind, Term.code.in_(wanted), Term.active)
    )
    return sorted(wanted - set(found))


def require_codes(unit: UnitOfWork, kind: TermKind, codes: Iterable[str], field: str) -> None:
    """Refuse, naming the field, codes that are not in the active reference list."""
    missing = unknown_codes(unit, kind, codes)
    if missing:
        raise ValidationFailed.from_fields(
            {field: [f"Unknown {kind.value.replace('_', ' ')}: {', '.join(missing)}."]}
        )


def require_workflows(unit: UnitOfWork, pairs: Iterable[tuple[str, str]], field: str) -> None:
    """Each (area, workflow) must be an active workflow of an active legislative area."""
    wanted = set(pairs)
    if not wanted:
        return
    require_codes(unit, TermKind.LEGISLATIVE_AREA, {area for area, _ in wanted}, field)
    rows = unit.session.execute(
        select(AreaWorkflow.area, AreaWorkflow.workflow).where(
            AreaWorkflow.area.in_({area for area, _ in wanted}), AreaWorkflow.active
        )
    )
    missing = wanted - {tuple(row) for row in rows}
    if missing:
        names = ", ".join(f"{area}/{workflow}" for area, workflow in sorted(missing))
        raise ValidationFailed.from_fields({field: [f"No such active workflow: {names}."]})
