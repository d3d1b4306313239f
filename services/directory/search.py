"""Search over authorities in any supported language.

Texts are folded before they are indexed or searched: lower case, accents removed, every
script transliterated to Latin letters (so a Greek query finds a German title's Greek
translation and its Latin transliteration alike), punctuation made space.

A free-text search runs in two steps (docs/directory-search.md). The database picks up to
``CANDIDATES`` documents with its own index, the filters applied in the same query. SQLite
(FTS5, trigram tokenizer): documents holding every long word as written; if that finds too
few, every long word or one of its rarest trigrams. PostgreSQL (full text and pg_trgm): every
long word, or one of the indexed words spelt like it or holding it.
Then each candidate is scored here, the same way on both engines, by how much of each query
word its folded text holds; a word found nowhere near enough rules it out. Without free text
the filters alone select, in the order of official names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import raiseload

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import ValidationFailed
from services.common.folding import fold
from services.directory import authority_views
from services.directory.domain import CompetenceKind, Status
from services.directory.models import (
    Authority,
    AuthorityArea,
    Competence,
    CoordinatorLink,
    SearchDocument,
)

MAX_WORDS = 8
SHORT_WORD = 3  # words this long or shorter only help ranking (unless nothing else is given)
MAX_MATCHES = 500
CANDIDATES = 1000  # documents scored per search, in no particular order
ENOUGH = 5  # matches an exact search must find before typos are looked for (SQLite)
WORD_FOUND = 0.6  # share of a word's trigrams the document must hold
PHRASE_BONUS = 0.1
# SQLite: a trigram in more than this share of documents selects nothing; rarer ones do.
COMMON_TRIGRAM_SHARE = 0.05
RARE_TRIGRAMS = (3, 6)  # at least, at most per word
# PostgreSQL: how many indexed words (pg_trgm similarity over 0.3) stand in for a query word.
PG_SPELLINGS = 10
SIMPLE = literal_column("'simple'::regconfig")
FACETS = ARRAY(Text)

fts = table("authority_search", column("rowid"), column("folded"))
fts_rows = table("authority_search_rows", column("row"), column("authority_id"))
fts_vocab = table("authority_search_vocab", column("term"), column("doc"))
pg_documents = table(
    "search_documents",
    column("authority_id"),
    column("folded"),
    column("authority_search_vector"),
    column("authority_search_facets"),
)


def index_authority(unit: UnitOfWork, authority: Authority) -> None:
    """Rewrite the authority's search document after a change (same transaction). SQLite's
    triggers and PostgreSQL's generated tsvector and vocabulary trigger follow; PostgreSQL's
    facets are written here."""
    folded = document(authority)
    existing = unit.session.get(SearchDocument, authority.id)
    if existing is None:
        unit.session.add(SearchDocument(authority_id=authority.id, folded=folded))
    else:
        existing.folded = folded
    if dialect(unit) == "postgresql":
        unit.session.flush()
        unit.session.execute(
            update(pg_documents)
            .where(pg_documents.c.authority_id == authority.id)
            .values(authority_search_facets=facets_of(authority))
        )


def facets_of(authority: Authority) -> list[str]:
    """What PostgreSQL's facet array holds (the d0002 migration computes the same)."""
    found = {f"status:{authority.status}", f"member_state:{authority.member_state}"}
    if authority.region:
        found.add(f"region:{authority.region}")
    found |= {f"area:{area.area}" for area in authority.areas}
    found |= {f"{item.kind}:{item.code}" for item in authority.competences}
    return sorted(found)


def wanted_facets(query: dict) -> list[str]:
    """The facets a query's filters imply."""
    wanted = [f"status:{Status.VALIDATED.value}"]
    for key in ("member_state", "region", "area", *(kind.value for kind in CompetenceKind)):
        if query.get(key):
            wanted.append(f"{key}:{query[key]}")
    return wanted


def document(authority: Authority) -> str:
    return document_text([authority.official_name, *(title.text for title in authority.titles)])


def document_text(texts: Iterable[str], folder: Callable[[str], str] = fold) -> str:
    """Official name and every informal title, folded, each text once (a bulk load may pass
    a cached ``fold``)."""
    return " | ".join(dict.fromkeys(folder(text) for text in texts if text))


# --- the words of a query and how well a document holds them --------------------------------


@dataclass(frozen=True)
class Words:
    """A query's words: ``required`` ones must all be found (typos allowed), ``optional``
    (short) ones add to the score."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


def query_words(text: str) -> Words | None:
    """None when the text holds no word at all; ValidationFailed when it holds only
    words too short to look for."""
    words = list(dict.fromkeys(fold(text).split()))[:MAX_WORDS]
    if not words:
        return None
    long = tuple(word for word in words if len(word) > SHORT_WORD)
    short = tuple(word for word in words if len(word) <= SHORT_WORD)
    if long:
        return Words(long, short)
    searchable = tuple(word for word in short if len(word) == SHORT_WORD)
    if not searchable:
        raise ValidationFailed.from_fields(
            {"text": ["Give at least one word of three letters or digits."]},
            "The text is too short to search for.",
        )
    return Words(searchable, ())


def trigrams(word: str) -> list[str]:
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))


def padded_trigrams(word: str) -> list[str]:
    """As pg_trgm sees a word: with its start and end, so a misspelt middle still matches."""
    return trigrams(f" {word} ")


def word_score(word: str, padded_document: str) -> float:
    if f" {word} " in padded_document:
        return 1.0
    if f" {word}" in padded_document:
        return 0.95  # the start of a word: plurals, compounds
    if word in padded_document:
        return 0.9
    grams = padded_trigrams(word)
    return sum(gram in padded_document for gram in grams) / len(grams)


def score(words: Words, folded: str) -> float | None:
    """From 0 to 1, or None when a required word is not found."""
    padded = f" {folded} "
    scores = []
    for word in words.required:
        found = word_score(word, padded)
        if found < WORD_FOUND:
            return None
        scores.append(found)
    scores += [1.0 if f" {word} " in padded else 0.0 for word in words.optional]
    phrase = PHRASE_BONUS if " ".join(words.all) in folded else 0.0
    return round((1 - PHRASE_BONUS) * sum(scores) / len(scores) + phrase, 4)


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """A query's filters: SQL ``conditions`` on Authority, and on PostgreSQL the ``facets``
    its index answers (the conditions then hold only what facets cannot say)."""

    conditions: list
    facets: list[str]


def conditions(query: dict, correlated: bool, faceted: bool = False) -> list:
    """The filters as SQL conditions on Authority: only validated authorities are found.

    ``correlated``: each filter an EXISTS checked per authority, for when something selective
    drives the query (the text index, a member state); otherwise an ``IN (subquery)`` that
    the filter's own index drives. PostgreSQL plans both alike; SQLite runs them as written.
    ``faceted``: leave out what PostgreSQL's facet array answers (``wanted_facets``).
    """
    found = [] if faceted else [Authority.status == Status.VALIDATED.value]
    if query.get("member_state") and not faceted:
        found.append(Authority.member_state == query["member_state"])
    if query.get("region") and not faceted:
        found.append(Authority.region == query["region"])

    def having(key, *where):
        if correlated:
            return exists().where(key == Authority.id, *where)
        return Authority.id.in_(select(key).where(*where))

    in_area = []
    if query.get("area") and not (faceted and not query.get("workflow") and not query.get("role")):
        in_area.append(AuthorityArea.area == query["area"])
    if query.get("workflow"):
        in_area.append(AuthorityArea.workflow == query["workflow"].value)
    if query.get("role"):
        # roles is a JSON list of enum values: '"role"' cannot match inside another value
        in_area.append(cast(AuthorityArea.roles, String).like(f'%"{query["role"].value}"%'))
    if in_area:
        found.append(having(AuthorityArea.authority_id, *in_area))
    for kind in CompetenceKind:
        if query.get(kind.value) and not faceted:
            found.append(
                having(
                    Competence.authority_id,
                    Competence.kind == kind.value,
                    Competence.code == query[kind.value],
                )
            )
    if query.get("coordinator_id"):
        linked = [CoordinatorLink.coordinator_id == query["coordinator_id"]]
        if query.get("area"):
            linked.append(CoordinatorLink.area == query["area"])
        found.append(
            or_(
                Authority.validating_coordinator_id == query["coordinator_id"],
                having(CoordinatorLink.authority_id, *linked),
            )
        )
    return found


# --- candidates, engine by engine -----------------------------------------------------------


def sqlite_fuzzy_expression(unit: UnitOfWork, words: Words) -> str:
    """Per required word, the word itself or one of its rarest trigrams; all words."""
    grams = {gram for word in words.required for gram in trigrams(word)}
    counts = dict(
        unit.session.execute(
            select(fts_vocab.c.term, fts_vocab.c.doc).where(fts_vocab.c.term.in_(sorted(grams)))
        ).all()
    )
    documents = unit.session.scalar(select(func.max(fts_rows.c.row))) or 0
    common = COMMON_TRIGRAM_SHARE * documents
    least, most = RARE_TRIGRAMS
    groups = []
    for word in words.required:
        ranked_grams = sorted(trigrams(word), key=lambda gram: counts.get(gram, 0))
        chosen = [gram for gram in ranked_grams if counts.get(gram, 0) <= common][:most]
        chosen = chosen if len(chosen) >= least else ranked_grams[:least]
        terms = dict.fromkeys([word, *chosen])
        groups.append("(" + " OR ".join(f'"{term}"' for term in terms) + ")")
    return " AND ".join(groups)


def sqlite_matches(unit: UnitOfWork, expression: str, filters: Filters) -> list[tuple]:
    """FTS5 MATCH expressions are built here only from folded letters and digits (no FTS
    syntax of the user's can reach them) and bound as a parameter."""
    statement = (
        select(Authority.id, Authority.official_name, fts.c.folded)
        .select_from(fts)
        .join(fts_rows, fts_rows.c.row == fts.c.rowid)
        .join(Authority, Authority.id == fts_rows.c.authority_id)
        .where(
            literal_column("authority_search").op("MATCH")(bindparam("expression")),
            *filters.conditions,
        )
        .limit(CANDIDATES)
    )
    return unit.session.execute(statement, {"expression": expression}).all()


def sqlite_exact(unit: UnitOfWork, words: Words, filters: Filters) -> list[tuple]:
    """Documents holding every required word as written (as a substring: plurals,
    compounds)."""
    return sqlite_matches(unit, " AND ".join(f'"{word}"' for word in words.required), filters)


def sqlite_fuzzy(unit: UnitOfWork, words: Words, filters: Filters) -> list[tuple]:
    return sqlite_matches(unit, sqlite_fuzzy_expression(unit, words), filters)


SPELLINGS = text(
    """SELECT asked.word, known.word FROM unnest(CAST(:words AS text[])) AS asked (word)
    CROSS JOIN LATERAL (
        SELECT word FROM authority_search_words
        WHERE word % asked.word OR word LIKE '%' || asked.word || '%'
        ORDER BY similarity(word, asked.word) DESC, word LIMIT :most
    ) AS known"""
)


def postgresql_spellings(unit: UnitOfWork, words: Words) -> dict[str, list[str]]:
    """Per required word, the indexed words close to it (pg_trgm similarity: typos,
    transliterations) or holding it (plurals, compounds), the closest first."""
    found: dict[str, list[str]] = {word: [word] for word in words.required}
    rows = unit.session.execute(SPELLINGS, {"words": list(words.required), "most": PG_SPELLINGS})
    for asked, known in rows:
        found[asked].append(known)
    return found


def postgresql_candidates(unit: UnitOfWork, words: Words, filters: Filters) -> list[tuple]:
    """Full text (GIN over the stored tsvector): per required word, the word or one of its
    spellings; all words. The tsquery holds only folded letters and digits. The facets
    (another GIN index on the same rows) narrow the documents before any row is read."""
    groups = [
        "(" + " | ".join(dict.fromkeys(spellings)) + ")"
        for spellings in postgresql_spellings(unit, words).values()
    ]
    query = func.to_tsquery(SIMPLE, " & ".join(groups))
    statement = (
        select(Authority.id, Authority.official_name, pg_documents.c.folded)
        .join(pg_documents, pg_documents.c.authority_id == Authority.id)
        .where(
            pg_documents.c.authority_search_vector.op("@@")(query),
            pg_documents.c.authority_search_facets.op("@>")(literal(filters.facets, FACETS)),
            *filters.conditions,
        )
        .limit(CANDIDATES)
    )
    return unit.session.execute(statement).all()


# Tried in order until one finds enough.
STAGES = {"sqlite": (sqlite_exact, sqlite_fuzzy), "postgresql": (postgresql_candidates,)}


def ranked(unit: UnitOfWork, words: Words, filters: Filters) -> list[tuple[str, float]]:
    """Ids and scores of the matches, best first."""
    stages = STAGES[dialect(unit)]
    for stage in stages:
        scored = []
        for authority_id, official_name, folded in stage(unit, words, filters):
            found = score(words, folded)
            if found is not None:
                scored.append((-found, official_name, authority_id))
        if len(scored) >= ENOUGH:
            break
    return [(authority_id, -negative) for negative, _, authority_id in sorted(scored)][:MAX_MATCHES]


def filtered(unit: UnitOfWork, filters: Filters, page: int, size: int) -> tuple[list, int]:
    """Without free text: the filters alone, in the order of official names (on PostgreSQL
    narrowed by the facet index first)."""
    chosen = select(Authority.id, Authority.official_name).where(*filters.conditions)
    if dialect(unit) == "postgresql":
        chosen = chosen.join(pg_documents, pg_documents.c.authority_id == Authority.id).where(
            pg_documents.c.authority_search_facets.op("@>")(literal(filters.facets, FACETS))
        )
    total = unit.session.scalar(select(func.count()).select_from(chosen.subquery()))
    ids = unit.session.scalars(
        chosen.with_only_columns(Authority.id)
        .order_by(Authority.official_name, Authority.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return [(authority_id, 1.0) for authority_id in ids], total


def dialect(unit: UnitOfWork) -> str:
    return unit.session.get_bind().dialect.name


# --- the answer -------------------------------------------------------------------------------


def search(unit: UnitOfWork, actor: Actor, query: dict) -> dict:
    """A page of validated authorities matching the text and filters, in the searcher's
    language (``query["language"]``, else the actor's)."""
    language = query.get("language") or actor.language
    page, size = query["page"], query["page_size"]
    words = query_words(query.get("text") or "")
    selective = words is not None or bool(query.get("member_state") or query.get("region"))
    faceted = dialect(unit) == "postgresql"
    filters = Filters(conditions(query, selective, faceted), wanted_facets(query))
    if words is None:
        hits, total = filtered(unit, filters, page, size)
    else:
        matches = ranked(unit, words, filters)
        hits, total = matches[(page - 1) * size : page * size], len(matches)
    found_authorities = {
        authority.id: authority
        for authority in unit.session.scalars(
            select(Authority)
            .options(raiseload(Authority.areas), raiseload(Authority.competences))
            .where(Authority.id.in_([authority_id for authority_id, _ in hits]))
        )
    }
    coordinators = responsible(unit, found_authorities.values(), query.get("area"))
    items = [
        result(found_authorities[authority_id], found, language, coordinators)
        for authority_id, found in hits
    ]
    return {"items": items, "page": page, "page_size": size, "total": total,
            "language": language}  # fmt: skip


def responsible(unit: UnitOfWork, found_authorities, area: str | None) -> dict[str, dict]:
    """The coordinators the results name (validating, and linked for the area), by id."""
    ids = set()
    for authority in found_authorities:
        ids.add(authority.validating_coordinator_id)
        ids |= {link.coordinator_id for link in authority.links if area in (None, link.area)}
    ids.discard(None)
    rows = unit.session.execute(
        select(Authority.id, Authority.official_name, Authority.coordinator_kind).where(
            Authority.id.in_(sorted(ids))
        )
    )
    return {row.id: {"id": row.id, "official_name": row.official_name,
                     "coordinator_kind": row.coordinator_kind} for row in rows}  # fmt: skip


def result(authority: Authority, found: float, language: str, coordinators: dict) -> dict:
    named = []
    if authority.validating_coordinator_id in coordinators:
        named.append({**coordinators[authority.validating_coordinator_id], "why": "validating"})
    seen = {authority.validating_coordinator_id}
    for link in sorted(authority.links, key=lambda item: (item.area, item.workflow)):
        if link.coordinator_id in coordinators and link.coordinator_id not in seen:
            seen.add(link.coordinator_id)
            named.append({**coordinators[link.coordinator_id], "why": "linked"})
    return {
        "id": authority.id,
        "official_name": authority.official_name,
        "title": authority_views.best_title(authority, language),
        "member_state": authority.member_state,
        "region": authority.region,
        "address": authority_views.address_of(authority),
        "email": authority.email,
        "phone": authority.phone,
        "website": authority.website,
        "languages": list(authority.languages),
        "coordinators": named,
        "score": found,
    }
