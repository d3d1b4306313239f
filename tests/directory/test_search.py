"""Search for authorities (DOMAIN.md section 2): free text in any language and script, typos
tolerated, filters, pages, results in the searcher's language.

The scenarios (``build_world`` and the ``check_*`` functions) are shared with
tests/integration/test_directory_search_pg.py, which runs the core ones on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.common.clock import utcnow
from services.common.errors import ValidationFailed
from services.directory.models import Authority, Term
from services.directory.search import Words, fold, query_words, score

from .harness import Coordinator, Directory

TERMS = {
    "keyword": "recognition_of_diplomas",
    "economic_activity": "m69_1",
    "policy_area": "health",
    "profession": "barrister",
}
PQ = "professional_qualifications"


# --- fold and scoring, without a database ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Landesärztekammer BAYERN", "landesarztekammer bayern"),
        ("The Honorable Society of King\u2019s Inns", "the honorable society of kings inns"),
        ("Ιατρικός Σύλλογος Αθηνών", "iatrikos syllogos athinon"),
        ("Лекарски съюз", "lekarski syuz"),
        ('Łódź: (urząd) "pracy" * NEAR ^-', "lodz urzad pracy near"),
        ("   ", ""),
    ],
)
def test_fold_lowers_strips_accents_transliterates_and_drops_punctuation(text, folded):
    assert fold(text) == folded


def test_short_words_only_rank_and_a_text_of_only_tiny_words_is_refused():
    assert query_words("Kings of the Inns") == Words(("kings", "inns"), ("of", "the"))
    assert query_words("NAV") == Words(("nav",), ())
    assert query_words(" *** ") is None
    with pytest.raises(ValidationFailed):
        query_words("a b")


def test_a_misspelt_word_is_found_and_a_missing_one_rules_the_document_out():
    document = fold("The Honorable Society of King's Inns | Professional body for barristers")

    assert score(Words(("kings", "inns", "barrister"), ()), document) > 0.85
    assert score(Words(("honourable", "socity", "barister"), ()), document) is not None
    assert score(Words(("kings", "notaries"), ()), document) is None


# --- the world the service tests search ------------------------------------------------------


@dataclass
class World:
    ie: Coordinator
    de: Coordinator
    el: Coordinator
    kings_inns: dict
    bavaria: dict
    athens: dict
    saxony: dict


def add_terms(engine) -> None:
    """Competence codes the registrations use (the shipped lists may not hold them)."""
    with Session(engine) as session:
        for kind, code in TERMS.items():
            if session.get(Term, (kind, code)) is None:
                session.add(
                    Term(kind=kind, code=code, names={"en": code}, untranslated=[], active=True,
                         position=0, updated_at=utcnow(), version=1)
                )  # fmt: skip
        session.commit()


def build_world(directory: Directory) -> World:
    add_terms(directory.store.engine)
    ie, de, el = directory.nimic("IE"), directory.nimic("DE"), directory.nimic("EL")
    kings_inns = directory.register(
        ie.admin, "IE",
        official_name="The Honorable Society of King's Inns", official_language="en",
        region="Dublin", city="Dublin", email="info@kingsinns.example", phone="+353 1 000",
        website="https://kingsinns.example", languages=["en", "ga"],
        titles={"en": "Professional body for barristers",
                "ga": "Comhlacht gairmiúil do abhcóidí"},
        areas=[{"area": PQ, "workflow": "information_requests",
                "roles": ["authority", "request_coordinator"]}],
        competences={"keyword": [TERMS["keyword"]], "profession": [TERMS["profession"]]},
    )  # fmt: skip
    bavaria = directory.register(
        de.admin, "DE",
        official_name="Bayerische Landesärztekammer", region="Bayern",
        titles={"de": "Ärztekammer für Bayern", "en": "Medical association of Bavaria",
                "el": "Ιατρικός Σύλλογος Βαυαρίας", "fr": "Ordre des médecins de Bavière"},
        areas=[{"area": PQ, "workflow": "alerts", "roles": ["alert_authority"]}],
        competences={"policy_area": [TERMS["policy_area"]],
                     "economic_activity": [TERMS["economic_activity"]]},
    )  # fmt: skip
    athens = directory.register(
        el.admin, "EL",
        official_name="Ιατρικός Σύλλογος Αθηνών", official_language="el", region="Attiki",
        languages=["el", "en"], titles={"el": "Ιατρικός Σύλλογος Αθηνών"},
        areas=[{"area": "services", "workflow": "information_requests"}],
    )  # fmt: skip
    saxony = directory.register(
        de.admin, "DE",
        official_name="Sächsische Landesärztekammer", region="Sachsen",
        titles={"de": "Ärztekammer Sachsen", "en": "Medical association of Saxony"},
        areas=[{"area": "services", "workflow": "information_requests"}],
    )  # fmt: skip
    return World(ie, de, el, kings_inns, bavaria, athens, saxony)


def found(directory: Directory, who: dict, **query) -> list[str]:
    return [item["official_name"] for item in directory.rpc.search_authorities(who, query)["items"]]


# --- scenarios, shared with the PostgreSQL tests ---------------------------------------------


def check_free_text_in_any_language_script_and_spelling(directory: Directory, world: World):
    reader = directory.user_of(world.kings_inns)
    kings, bavaria = world.kings_inns["official_name"], world.bavaria["official_name"]
    athens = world.athens["official_name"]

    assert found(directory, reader, text="Kings Inns barrister") == [kings]
    assert found(directory, reader, text="barrister king's INNS") == [kings]
    assert found(directory, reader, text="Kings Inns baristers") == [kings]
    assert found(directory, reader, text="Honorable Socity") == [kings]
    assert found(directory, reader, text="Ιατρικός Σύλλογος Βαυαρίας") == [bavaria]
    assert found(directory, reader, text="Ιατρικός Σύλλογος")[:2] in ([athens, bavaria],
                                                                    [bavaria, athens])  # fmt: skip
    assert found(directory, reader, text="Iatrikos Syllogos Athinon") == [athens]
    assert found(directory, reader, text="arztekammer BAYERN") == [bavaria]
    assert found(directory, reader, text="Ordre des medecins") == [bavaria]
    assert found(directory, reader, text="notaries of Luxembourg") == []


def check_filters_combine_with_text_and_alone(directory: Directory, world: World):
    reader = directory.user_of(world.saxony)
    kings, bavaria = world.kings_inns["official_name"], world.bavaria["official_name"]
    saxony = world.saxony["official_name"]

    assert found(directory, reader, text="Medical association", member_state="DE") == [
        bavaria, saxony]  # fmt: skip
    assert found(directory, reader, text="Medical association", region="Sachsen") == [saxony]
    assert found(directory, reader, area=PQ, member_state="DE") == [
        bavaria, world.de.record["official_name"]]  # fmt: skip
    assert found(directory, reader, area=PQ, workflow="alerts") == [bavaria]
    assert found(directory, reader, role="request_coordinator") == [kings]
    assert found(directory, reader, role="alert_authority", text="medical") == [bavaria]
    assert found(directory, reader, keyword=TERMS["keyword"]) == [kings]
    assert found(directory, reader, profession=TERMS["profession"]) == [kings]
    assert found(directory, reader, policy_area=TERMS["policy_area"]) == [bavaria]
    assert found(directory, reader, economic_activity=TERMS["economic_activity"]) == [bavaria]
    assert found(directory, reader, coordinator_id=world.ie.id) == [kings]
    assert found(directory, reader, coordinator_id=world.de.id, area="services") == [saxony]
    assert found(directory, reader, text="medical", member_state="IE") == []
    assert found(directory, reader, member_state="GR", area="services") == [
        world.athens["official_name"]]  # fmt: skip


def check_results_speak_the_searchers_language(directory: Directory, world: World):
    greek_reader = directory.user_of(world.athens, language="el")

    page = directory.rpc.search_authorities(greek_reader, {"text": "Bayerische"})
    french = directory.rpc.search_authorities(greek_reader, {"text": "bavaria", "language": "fr"})

    (item,) = page["items"]
    assert page["language"] == "el"
    assert item["title"] == {"text": "Ιατρικός Σύλλογος Βαυαρίας", "language": "el",
                             "status": "translated"}  # fmt: skip
    assert item["member_state"] == "DE"
    assert item["address"]["region"] == "Bayern"
    assert item["email"] == "poststelle@example.de"
    assert item["languages"] == ["de", "en"]
    assert item["coordinators"] == [{"id": world.de.id, "official_name":
                                     world.de.record["official_name"],
                                     "coordinator_kind": "NIMIC", "why": "validating"}]  # fmt: skip
    assert 0 < item["score"] <= 1
    assert french["items"][0]["title"]["text"] == "Ordre des médecins de Bavière"


# --- the service tests -----------------------------------------------------------------------


@pytest.fixture
def world(directory) -> World:
    return build_world(directory)


def test_free_text_finds_authorities_in_any_language_script_and_spelling(directory, world):
    check_free_text_in_any_language_script_and_spelling(directory, world)


def test_filters_combine_with_free_text_or_select_alone(directory, world):
    check_filters_combine_with_text_and_alone(directory, world)


def test_results_are_in_the_searchers_language_with_contacts_and_coordinators(directory, world):
    check_results_speak_the_searchers_language(directory, world)


def test_without_text_results_are_paged_in_the_order_of_official_names(directory, world):
    reader = directory.user_of(world.kings_inns)
    everyone = directory.rpc.search_authorities(reader, {"page_size": 100})
    names = [item["official_name"] for item in everyone["items"]]

    first = directory.rpc.search_authorities(reader, {"page_size": 2})
    second = directory.rpc.search_authorities(reader, {"page_size": 2, "page": 2})
    beyond = directory.rpc.search_authorities(reader, {"page_size": 2, "page": 500})

    assert everyone["total"] == len(names) == 7  # three NIMICs and four authorities
    assert names == sorted(names)
    assert [item["official_name"] for item in first["items"] + second["items"]] == names[:4]
    assert (beyond["items"], beyond["total"]) == ([], 7)


def test_free_text_results_are_paged_best_first(directory, world):
    reader = directory.user_of(world.kings_inns)

    page = directory.rpc.search_authorities(reader, {"text": "medical association", "page_size": 1})
    rest = directory.rpc.search_authorities(
        reader, {"text": "medical association", "page_size": 1, "page": 2}
    )

    assert page["total"] == rest["total"] == 2
    assert page["items"][0]["score"] >= rest["items"][0]["score"]
    assert {page["items"][0]["id"], rest["items"][0]["id"]} == {
        world.bavaria["id"], world.saxony["id"]}  # fmt: skip


def test_an_authority_pending_validation_is_not_found(directory, world):
    with directory.store.engine.begin() as connection:
        connection.execute(
            update(Authority)
            .where(Authority.id == world.saxony["id"])
            .values(status="pending_validation")
        )
    reader = directory.user_of(world.kings_inns)

    assert found(directory, reader, text="Saxony") == []
    assert world.saxony["official_name"] not in found(directory, reader, member_state="DE")


def test_a_changed_title_is_searchable_at_once(directory, world):
    lda = directory.lda_of(world.saxony)
    directory.rpc.update_authority(
        lda, world.saxony["id"], {"titles": {"it": "Ordine dei medici della Sassonia"},
                                  "version": 1}
    )  # fmt: skip

    assert found(directory, lda, text="medici Sassonia") == [world.saxony["official_name"]]


HOSTILE_QUERIES = [
    {"text": "x" * 201},
    {"text": "a b"},
    {"member_state": "XX"},
    {"page_size": 101},
    {"page": 0},
    {"role": "emperor"},
    {"area": "'; DROP TABLE authorities; --"},
    {"language": "tlh"},
    {"surprise": "field"},
]


def test_hostile_or_malformed_queries_are_refused_clearly(directory):
    reader = directory.user_of(directory.nimic("FR").record)

    for query in HOSTILE_QUERIES:
        with pytest.raises(ValidationFailed):
            directory.rpc.search_authorities(reader, query)


def test_query_syntax_and_sql_in_the_text_are_only_words(directory, world):
    reader = directory.user_of(world.kings_inns)
    texts = [
        '"Kings" NEAR(x y)', '"Kings" (inns barrister)', "kings* AND inns OR ^barrister -x",
        "(((", '"',
        "'; DELETE FROM authorities; --", "inns') UNION SELECT 1 --", "", "   ", "🙂 ☃",
        "ŞİŞLİ ﬁnance Ⅻ", "\x00kings\x00inns",
    ]  # fmt: skip

    answers = {text: found(directory, reader, text=text) for text in texts}

    kings = world.kings_inns["official_name"]
    assert answers['"Kings" NEAR(x y)'] == []
    assert answers['"Kings" (inns barrister)'] == [kings]
    assert answers["kings* AND inns OR ^barrister -x"] == [kings]
    assert len(answers["((("]) == len(answers['"']) == 7
    assert answers["'; DELETE FROM authorities; --"] == []
    assert len(answers[""]) == len(answers["   "]) == 7
    assert found(directory, reader, text="Kings Inns") == [kings]
