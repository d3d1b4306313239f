"""The shipped reference lists: complete (every entry named in every language or marked
untranslated), consistent (codes, parents, workflows), and loaded idempotently without undoing
what a Commission administrator added or changed. A real SQLite file built by the migrations;
no broker."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from services.common.reference import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from services.directory import reference_data
from services.directory.bootstrap import prepare_directory
from services.directory.domain import PARENT_KINDS, Role, TermKind, Workflow
from services.directory.models import AreaWorkflow, Term

CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
SECTORAL_PROFESSIONS = (
    "doctor_of_medicine", "general_care_nurse", "dental_practitioner", "veterinary_surgeon",
    "midwife", "pharmacist", "architect",
)  # fmt: skip
FULLY_TRANSLATED = (
    TermKind.LEGISLATIVE_AREA, TermKind.WORKFLOW, TermKind.ROLE, TermKind.PROFESSION_SECTOR,
    TermKind.POLICY_AREA,
)  # fmt: skip


@pytest.fixture
def session(directory_uri):
    engine = create_engine(directory_uri, poolclass=NullPool)
    with Session(engine) as session:
        yield session
    engine.dispose()


def rows(session: Session) -> dict:
    terms = {
        (term.kind, term.code): (term.names, term.untranslated, term.parent, term.version,
                                 term.updated_at, term.active)
        for term in session.scalars(select(Term))
    }  # fmt: skip
    workflows = {
        (row.area, row.workflow): row.active for row in session.scalars(select(AreaWorkflow))
    }
    return {"terms": terms, "workflows": workflows}


@pytest.mark.parametrize("kind", list(reference_data.FILES))
def test_every_shipped_entry_has_a_good_code_an_english_name_and_a_known_parent(kind):
    entries = reference_data.read_entries(kind)
    codes = [entry["code"] for entry in entries]
    parents = (
        {parent["code"] for parent in reference_data.read_entries(PARENT_KINDS[kind])}
        if kind in PARENT_KINDS
        else set()
    )

    assert entries
    assert len(codes) == len(set(codes))
    for entry in entries:
        assert CODE.fullmatch(entry["code"]), entry["code"]
        assert entry["names"].get(FALLBACK_LANGUAGE), entry["code"]
        assert set(entry["names"]) <= set(SUPPORTED_LANGUAGES), entry["code"]
        assert all(isinstance(name, str) and name.strip() for name in entry["names"].values())
        if entry.get("parent") is not None:
            assert entry["parent"] in parents, entry["code"]


def test_every_loaded_entry_is_named_in_every_language_or_marked_untranslated(session):
    terms = list(session.scalars(select(Term)))

    assert {term.kind for term in terms} == {kind.value for kind in TermKind}
    for term in terms:
        assert set(term.names) == set(SUPPORTED_LANGUAGES)
        assert FALLBACK_LANGUAGE not in term.untranslated
        for language in term.untranslated:
            assert term.names[language] == term.names[FALLBACK_LANGUAGE]


@pytest.mark.parametrize("kind", FULLY_TRANSLATED)
def test_areas_workflows_roles_sectors_and_policy_areas_are_named_in_all_26_languages(kind):
    for entry in reference_data.read_entries(kind):
        assert set(entry["names"]) == set(SUPPORTED_LANGUAGES), entry["code"]


def test_the_lists_hold_what_the_directory_needs():
    def codes(kind: TermKind) -> list[str]:
        return [entry["code"] for entry in reference_data.read_entries(kind)]

    professions = {e["code"]: e for e in reference_data.read_entries(TermKind.PROFESSION)}
    activities = reference_data.read_entries(TermKind.ECONOMIC_ACTIVITY)
    keywords = reference_data.read_entries(TermKind.KEYWORD)

    assert set(codes(TermKind.WORKFLOW)) == {workflow.value for workflow in Workflow}
    assert set(codes(TermKind.ROLE)) == {role.value for role in Role}
    assert len(codes(TermKind.PROFESSION_SECTOR)) == 15
    assert len(professions) >= 150
    for code in SECTORAL_PROFESSIONS:
        assert set(professions[code]["names"]) == set(SUPPORTED_LANGUAGES)
    assert len([a for a in activities if a.get("parent") is None]) == 21
    assert len([a for a in activities if a.get("parent") is not None]) == 88
    assert 15 <= len(codes(TermKind.POLICY_AREA)) <= 20
    for area in codes(TermKind.LEGISLATIVE_AREA):
        assert 8 <= len([k for k in keywords if k["parent"] == area]) <= 12, area


def test_the_four_core_areas_offer_the_workflows_the_directory_relies_on(session):
    offered = {(row.area, row.workflow) for row in session.scalars(select(AreaWorkflow))}

    for area in ("professional_qualifications", "services", "posting_of_workers", "solvit"):
        assert (area, "information_requests") in offered
    assert ("professional_qualifications", "alerts") in offered
    assert ("services", "alerts") in offered
    assert ("solvit", "alerts") not in offered
    assert session.get(Term, ("legislative_area", "posting_of_workers")).names["de"] == (
        "Entsendung von Arbeitnehmern"
    )


def test_loading_again_changes_nothing(directory_uri, session, frozen_clock):
    before = rows(session)

    prepare_directory(directory_uri, frozen_clock() + timedelta(days=1))

    session.expire_all()
    assert rows(session) == before


def test_a_commission_addition_and_change_survive_a_reload(directory_uri, session, frozen_clock):
    now = frozen_clock()
    names, untranslated = reference_data.complete_names({"en": "Firearms", "de": "Feuerwaffen"})
    session.add(
        Term(kind="legislative_area", code="firearms", names=names, untranslated=untranslated,
             active=True, position=99, updated_at=now, updated_by="commission-admin", version=1)
    )  # fmt: skip
    session.add(AreaWorkflow(area="firearms", workflow="information_requests", active=True))
    services = session.get(Term, ("legislative_area", "services"))
    services.names = {**services.names, "ga": "Seirbhísí (athbhreithnithe)"}
    services.updated_by, services.version = "commission-admin", services.version + 1
    session.get(AreaWorkflow, ("services", "alerts")).active = False
    session.commit()
    before = rows(session)

    prepare_directory(directory_uri, now + timedelta(days=1))

    session.expire_all()
    assert rows(session) == before


def test_a_changed_data_file_updates_its_entry_and_its_version(
    directory_uri, session, frozen_clock, tmp_path, monkeypatch
):
    shutil.copytree(reference_data.DATA_DIR, tmp_path / "data")
    path = tmp_path / "data" / reference_data.FILES[TermKind.POLICY_AREA]
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["names"]["en"] = "The single market"
    del entries[0]["names"]["mt"]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(reference_data, "DATA_DIR", tmp_path / "data")

    prepare_directory(directory_uri, frozen_clock() + timedelta(days=1))

    term = session.get(Term, ("policy_area", entries[0]["code"]))
    assert (term.names["en"], term.names["mt"], term.untranslated) == (
        "The single market", "The single market", ["mt"]
    )  # fmt: skip
    assert term.version == 2


def test_the_coverage_table_has_a_row_per_language_and_a_column_per_list(capsys):
    reference_data.main(["--coverage"])

    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 + len(SUPPORTED_LANGUAGES)
    assert "member_state (31)" in table[0]
    german = next(line for line in table if line.startswith("| de |"))
    areas = len(reference_data.read_entries(TermKind.LEGISLATIVE_AREA))
    assert german.split(" | ")[4] == str(areas)
