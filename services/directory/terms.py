"""Reference lists: is a code known and its name in a language (for the rest of the directory),
reading a list in a language (any user), and the Commission's additions and changes.

Member states are not stored here: they come from the shared kernel (services.common.reference)
and are offered through the same reading, so a client reads every list the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from services.common import reference
from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.reference import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from services.common.schemas import dump
from services.directory.domain import (
    MEMBER_STATE,
    PARENT_KINDS,
    TermKind,
    may_maintain_terms,
    new_term_errors,
)
from services.directory.models import AreaWorkflow, Term
from services.directory.reference_data import complete_names
from services.directory.schemas.events import TermsChangedSchema


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


# --- reading --------------------------------------------------------------------------------


def listing(unit: UnitOfWork, actor: Actor, query: dict) -> dict:
    """One list in the reader's language (or the one asked for), in its order; inactive
    entries and workflows only for the Commission's administrators, who maintain them."""
    if query["include_inactive"] and not may_maintain_terms(actor):
        raise Forbidden(
            "Only Commission administrators see inactive entries.", "term.commission_only"
        )
    language = query["language"] or actor.language
    if query["kind"] == MEMBER_STATE:
        items = member_state_items(language, query["parent"])
    else:
        items = term_items(unit, TermKind(query["kind"]), language, query)
    return {"kind": query["kind"], "language": language, "items": items}


def term_items(unit: UnitOfWork, kind: TermKind, language: str, query: dict) -> list[dict]:
    statement = select(Term).where(Term.kind == kind.value).order_by(Term.position, Term.code)
    if query["parent"] is not None:
        statement = statement.where(Term.parent == query["parent"])
    if not query["include_inactive"]:
        statement = statement.where(Term.active)
    found = list(unit.session.scalars(statement))
    workflows = {}
    if kind == TermKind.LEGISLATIVE_AREA:
        workflows = area_workflows(unit, [term.code for term in found], query["include_inactive"])
    return [view(term, language, workflows) for term in found]


def member_state_items(language: str, parent: str | None) -> list[dict]:
    if parent is not None:
        return []
    return [
        {"kind": MEMBER_STATE, "code": state["code"], "parent": None,
         "name": state["names"][language], "untranslated": language in state["untranslated"],
         "active": True, "position": position, "version": None}
        for position, state in enumerate(reference.member_states())
    ]  # fmt: skip


def area_workflows(
    unit: UnitOfWork, areas: list[str], include_inactive: bool = True
) -> dict[str, list[dict]]:
    """The workflows of these legislative areas (of no other kind's codes: none match)."""
    statement = (
        select(AreaWorkflow)
        .where(AreaWorkflow.area.in_(areas))
        .order_by(AreaWorkflow.area, AreaWorkflow.workflow)
    )
    if not include_inactive:
        statement = statement.where(AreaWorkflow.active)
    found: dict[str, list[dict]] = {}
    for row in unit.session.scalars(statement):
        found.setdefault(row.area, []).append({"workflow": row.workflow, "active": row.active})
    return found


def view(term: Term, language: str, workflows: dict[str, list[dict]]) -> dict:
    item = {
        "kind": term.kind, "code": term.code, "parent": term.parent,
        "name": term.names[language], "untranslated": language in term.untranslated,
        "active": term.active, "position": term.position, "version": term.version,
    }  # fmt: skip
    if term.kind == TermKind.LEGISLATIVE_AREA:
        item["workflows"] = workflows.get(term.code, [])
    return item


def detail(unit: UnitOfWork, term: Term, language: str) -> dict:
    """The entry as its maintainer sees it: every name and which ones are English stand-ins."""
    return {
        **view(term, language, area_workflows(unit, [term.code])),
        "names": term.names,
        "untranslated_languages": term.untranslated,
        "updated_at": term.updated_at,
        "updated_by": term.updated_by,
    }


# --- the Commission's maintenance -----------------------------------------------------------


def require_maintainer(actor: Actor) -> None:
    if not may_maintain_terms(actor):
        raise Forbidden(
            "Only Commission administrators maintain the reference lists.",
            "term.commission_only",
        )


def find(unit: UnitOfWork, kind: TermKind, code: str) -> Term:
    term = unit.session.get(Term, (kind.value, code))
    if term is None:
        raise NotFound(f"No {kind.value.replace('_', ' ')} has this code.", "term.unknown")
    return term


def add(unit: UnitOfWork, actor: Actor, kind: TermKind, data: dict) -> Term:
    """A new entry (a new legislative area with its workflows, active at once)."""
    require_maintainer(actor)
    errors = new_term_errors(kind, data["parent"], data["workflows"])
    if FALLBACK_LANGUAGE not in data["names"]:
        errors["names"] = [f"The {FALLBACK_LANGUAGE} name is needed: it stands in for the rest."]
    if errors:
        raise ValidationFailed.from_fields(errors)
    require_parent(unit, kind, data["parent"])
    if unit.session.get(Term, (kind.value, data["code"])) is not None:
        raise Conflict(
            f"A {kind.value.replace('_', ' ')} with this code exists already.",
            "term.exists",
            {"code": data["code"]},
        )
    names, untranslated = complete_names(data["names"])
    position = data["position"]
    if position is None:
        last = unit.session.scalar(select(func.max(Term.position)).where(Term.kind == kind))
        position = 0 if last is None else last + 1
    term = Term(
        kind=kind.value, code=data["code"], parent=data["parent"], names=names,
        untranslated=untranslated, active=True, position=position, updated_at=unit.now(),
        updated_by=actor.user_id, version=1,
    )  # fmt: skip
    unit.session.add(term)
    unit.session.flush()  # the term's row first: a clash with a twin is on the list's own key
    for workflow in dict.fromkeys(data["workflows"]):
        unit.session.add(AreaWorkflow(area=term.code, workflow=workflow.value, active=True))
    unit.session.flush()
    record_change(unit, term)
    return term


def require_parent(unit: UnitOfWork, kind: TermKind, parent: str | None) -> None:
    if parent is None:
        return
    if unit.session.get(Term, (PARENT_KINDS[kind].value, parent)) is None:
        raise ValidationFailed.from_fields(
            {"parent": [f"No {PARENT_KINDS[kind].value.replace('_', ' ')} has this code."]}
        )


def update(unit: UnitOfWork, actor: Actor, kind: TermKind, code: str, data: dict) -> Term:
    """Names given fill their languages (the others keep theirs, or the English stand-in);
    a stale ``version`` is refused, naming who changed the entry and when."""
    require_maintainer(actor)
    term = find(unit, kind, code)
    term.require_version(data["version"])
    if "names" in data:
        own = {
            lang: term.names[lang] for lang in SUPPORTED_LANGUAGES if lang not in term.untranslated
        }
        term.names, term.untranslated = complete_names({**own, **data["names"]})
    if "active" in data:
        term.active = data["active"]
    if "position" in data:
        term.position = data["position"]
    touch(unit, actor, term)
    return term


def set_area_workflow(unit: UnitOfWork, actor: Actor, data: dict) -> Term:
    """Activate or deactivate one workflow of a legislative area, or add it to the area."""
    require_maintainer(actor)
    area = find(unit, TermKind.LEGISLATIVE_AREA, data["area"])
    workflow = data["workflow"].value
    row = unit.session.get(AreaWorkflow, (area.code, workflow))
    if row is None:
        unit.session.add(AreaWorkflow(area=area.code, workflow=workflow, active=data["active"]))
    elif row.active == data["active"]:
        return area
    else:
        row.active = data["active"]
    touch(unit, actor, area)
    return area


def touch(unit: UnitOfWork, actor: Actor, term: Term) -> None:
    term.touch(actor.user_id, unit.now())
    unit.session.flush()
    record_change(unit, term)


def record_change(unit: UnitOfWork, term: Term) -> None:
    workflows = None
    if term.kind == TermKind.LEGISLATIVE_AREA:
        workflows = [
            item["workflow"]
            for item in area_workflows(unit, [term.code]).get(term.code, [])
            if item["active"]
        ]
    unit.record_event(
        "terms_changed",
        f"{term.kind}/{term.code}",
        dump(TermsChangedSchema, {"kind": term.kind, "code": term.code, "version": term.version,
                                  "active": term.active, "workflows": workflows}),
    )  # fmt: skip
