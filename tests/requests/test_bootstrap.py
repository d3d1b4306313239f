"""Preparation publishes the shipped question sets once: a set whose file changed gets its
next version, an unchanged one nothing (services/requests/bootstrap.py)."""

from __future__ import annotations

import yaml
from sqlalchemy import create_engine, select

from services.common.reference import SUPPORTED_LANGUAGES
from services.requests.bootstrap import (
    LISTS_FILE,
    publish_shipped_lists,
    publish_shipped_sets,
    shipped_sets,
)
from services.requests.models import Base, QuestionSetVersion
from services.requests.question_sets import localised

from .documents import changed, document, question


def write(folder, found: dict) -> None:
    (folder / f"{found['key']}.yaml").write_text(yaml.safe_dump(found, allow_unicode=True))


def stored(uri: str) -> list[tuple[str, int, str]]:
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(QuestionSetVersion.set_key, QuestionSetVersion.number,
                       QuestionSetVersion.status).order_by(QuestionSetVersion.number)
            )  # fmt: skip
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def published_events(uri: str) -> list[str]:
    engine = create_engine(uri)
    outbox = Base.kernel.outbox
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(outbox.event_type)))
    finally:
        engine.dispose()


def test_shipped_sets_are_published_once_and_again_when_they_change(service_database, tmp_path):
    uri = service_database("requests")
    folder = tmp_path / "question_sets"
    folder.mkdir()
    first = document("shipped_services")
    write(folder, first)

    assert publish_shipped_sets(uri, folder) == ["shipped_services v1"]
    assert publish_shipped_sets(uri, folder) == []
    second = changed(first)
    question(second, "sanctions")["text"]["de"] = "Welche Sanktionen wurden verhängt?"
    write(folder, second)

    assert publish_shipped_sets(uri, folder) == ["shipped_services v2"]
    assert stored(uri) == [
        ("shipped_services", 1, "published"), ("shipped_services", 2, "published"),
    ]  # fmt: skip
    assert published_events(uri) == ["question_set_published"] * 2


def test_the_shipped_sets_publish_and_read_in_every_language_without_fallback(service_database):
    uri = service_database("requests")

    published = publish_shipped_sets(uri)

    assert published == [
        "posting_of_workers v1", "professional_qualifications v1", "services v1",
    ]  # fmt: skip
    for found in shipped_sets():
        for language in SUPPORTED_LANGUAGES:
            view = localised(found, 1, language, {})
            texts = [view["title"], *(group["title"] for group in view["groups"])]
            texts += [q["text"] for group in view["groups"] for q in group["questions"]]
            assert not [text for text in texts if text["fallback"]], (found["key"], language)


def test_the_shared_lists_are_published_once_and_again_when_one_changes(service_database, tmp_path):
    uri = service_database("requests")
    shipped = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))

    first = publish_shipped_lists(uri)
    again = publish_shipped_lists(uri)
    shipped["decline_reasons"][0]["text"]["de"] = "Ein anderer Grund"
    changed_file = tmp_path / "lists.yaml"
    changed_file.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    later = publish_shipped_lists(uri, changed_file)

    assert first == ["cannot_provide_reasons", "pq_request_types", "decline_reasons",
                     "answer_values", "history_actions", "request_statuses",
                     "report_labels"]  # fmt: skip
    assert (again, later) == ([], ["decline_reasons"])
    assert published_events(uri) == ["list_published"] * 8
