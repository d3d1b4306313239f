"""The generic notification types the notifications service ships: published by preparation
on the real migrated database, once (a second run publishes nothing), and every text of
theirs in the translation catalogue's content in the 26 languages, as the type's texts event
registers it (its English source, description and length)."""

from __future__ import annotations

import io

from services.common.db import StandaloneDatabase
from services.notifications import bootstrap, generic, generic_store
from services.notifications.models import Base
from services.translation.bootstrap import content_entries


def test_preparation_publishes_the_shipped_types_once(service_database):
    uri = service_database("notifications")

    first = bootstrap.publish_shipped_types(uri)
    again = bootstrap.publish_shipped_types(uri)

    assert first == ["services_requirements", "pq_regulated_profession"]
    assert again == []
    database = StandaloneDatabase(Base, "notifications", uri)
    unit = database.unit_of_work()
    try:
        found = {item["key"]: item for item in generic_store.types(unit.session)}
        assert found["services_requirements"]["repository"] == "services_requirements"
        assert found["services_requirements"]["version"] == 1
        assert found["pq_regulated_profession"]["receivers"] == "commission"
    finally:
        unit.close()
        database.dispose()


def test_the_preparation_hook_says_what_it_published(service_database):
    out = io.StringIO()

    bootstrap.prepare({"DB_URIS": {"notifications": service_database("notifications")}}, out)

    assert "services_requirements" in out.getvalue()


def test_every_text_of_a_shipped_type_is_in_the_catalogue_content_as_its_event_registers_it():
    """So the texts event of a shipped type changes nothing in a prepared catalogue."""
    catalogue = {entry["key"]: entry for entry in content_entries()}
    for item in bootstrap.shipped_types():
        document = generic.type_document(item["key"], {**item, "fields": item["fields_"]})
        for published in generic.catalogue_entries(document):
            shipped = catalogue[published["key"]]
            assert {name: shipped[name] for name in published} == published
            assert len(shipped["texts"]) == 26, published["key"]
