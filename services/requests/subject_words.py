"""The search by subject (DOMAIN.md section 4, "Lists"): the requests of the reader's authority
whose subject's names have every word searched for, each a whole word, in any order, in any
case and with or without accents ("muller stefan" finds Stefan Müller; "mul" does not).

A request's ``subject_search`` holds its folded names (services/common/folding.py), words
single-spaced. On PostgreSQL, ``imi_subject_keys`` (migrations r0014, r0015) makes of a
request one key per party (requester, responder, each coordinator) and word, and a GIN index
of the keys finds an authority's requests naming the words among its own few keys; the lists'
conditions on the parties (services/requests/listing.py) then apply as to any row. SQLite, at
the demo's size, looks for each word among the row's words.
"""

from __future__ import annotations

import json

from sqlalchemy import Text, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from services.common.folding import fold
from services.requests.models import Request

# The parties whose keys the index holds, in the order of its expression (migration r0015),
# each cast to text as there: the query must write the index's expression to use it.
PARTIES = (
    Request.requester_id,
    Request.responder_id,
    Request.requester_coordinator_id,
    Request.responder_coordinator_id,
)


def words(text: str) -> list[str]:
    """The words a search looks for, folded as the subjects' names are, each once."""
    return list(dict.fromkeys(fold(text).split()))


class SearchedWords(TypeDecorator):
    """The bound value of a search, (the reader's authority, its words), as each engine reads
    it: a text search query of (authority, word) keys, or the words as a JSON array."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        own, searched = value
        if dialect.name == "postgresql":
            return " & ".join(f"'{_quoted(f'{own} {word}')}'" for word in searched)
        return json.dumps(searched)


def _quoted(lexeme: str) -> str:
    """A lexeme as a quoted term of a tsquery may hold it."""
    return lexeme.replace("\\", "\\\\").replace("'", "''")


class NamesEveryWord(ColumnElement):
    """The condition: the request's subject's names have each word of the bound search
    (``SearchedWords``), and on PostgreSQL the reader's authority is one of its parties."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("searched", InternalTraversal.dp_clauseelement)]

    def __init__(self, searched):
        self.searched = searched


@compiles(NamesEveryWord, "postgresql")
def _on_postgresql(element: NamesEveryWord, compiler, **kw) -> str:
    parties = ", ".join(f"CAST({compiler.process(column, **kw)} AS TEXT)" for column in PARTIES)
    names = f"CAST({compiler.process(Request.subject_search, **kw)} AS TEXT)"
    searched = compiler.process(element.searched, **kw)
    return f"(imi_subject_keys(ARRAY[{parties}], {names}) @@ CAST({searched} AS tsquery))"


@compiles(NamesEveryWord)
def _elsewhere(element: NamesEveryWord, compiler, **kw) -> str:
    names = compiler.process(Request.subject_search, **kw)
    searched = compiler.process(element.searched, **kw)
    return (  # compiled SQL of a column and a bound parameter, no value
        f"(NOT EXISTS (SELECT 1 FROM json_each({searched}) AS searched WHERE "  # noqa: S608
        f"instr(' ' || {names} || ' ', ' ' || searched.value || ' ') = 0))"
    )
