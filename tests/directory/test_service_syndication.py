"""Public syndication: validated authorities' public contact details and public registers for
outside portals, with no actor, and nothing else (DOMAIN.md section 2)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from services.common.errors import NotFound, ValidationFailed
from services.directory.models import Authority
from services.directory.schemas.public import PublicAuthoritySchema, PublicRegisterSchema

from .test_service_registers import ENGLISH, register_data

INTERNAL = ("status", "coordinator_kind", "validating_coordinator", "validating_coordinator_id",
            "links", "active", "first_active_at", "users", "local_data_administrators",
            "registered_by", "updated_by", "version", "invitation", "competences")  # fmt: skip


@pytest.fixture
def published(directory) -> dict:
    """A NIMIC, an authority it registered with a public and a restricted register."""
    nimic = directory.nimic("DE")
    record = directory.register(nimic.admin, "DE", phone="+49 89 2170")
    lda = directory.lda_of(record)
    public = directory.rpc.create_register(lda, register_data(record["id"]))
    public = directory.rpc.translate_register(lda, public["id"], "en", {**ENGLISH, "version": 1})
    restricted = directory.rpc.create_register(
        lda, register_data(record["id"], access="restricted")
    )
    return {"nimic": nimic, "authority": record, "public": public, "restricted": restricted}


def test_exactly_the_public_fields_of_an_authority_leave_and_never_its_users(directory, published):
    record = published["authority"]

    page = directory.rpc.public_authorities({"member_state": "DE"})
    one = directory.rpc.public_authority(record["id"], {})

    assert page["total"] == 2
    for item in [*page["items"], one]:
        assert set(item) == set(PublicAuthoritySchema().fields)
        assert not set(item) & set(INTERNAL)
        assert "erika" not in str(item).lower()
    assert one["titles"]["en"] == "Recognition of health professions"
    assert one["phone"] == "+49 89 2170"
    assert one["areas"] == [
        {"area": "professional_qualifications", "workflow": "information_requests"}
    ]


def test_only_public_registers_leave_in_every_language_with_exactly_the_public_fields(
    directory, published
):
    page = directory.rpc.public_registers({})

    assert [item["id"] for item in page["items"]] == [published["public"]["id"]]
    item = page["items"][0]
    assert set(item) == set(PublicRegisterSchema().fields)
    assert set(item["texts"]) == {"de", "en"}
    assert item["texts"]["en"]["name"] == "Register of doctors"
    authority = published["authority"]
    assert item["authority"] == {"id": authority["id"], "official_name": authority["official_name"]}


def test_a_language_filter_keeps_that_language_or_the_source(directory, published):
    in_english = directory.rpc.public_registers({"language": "en"})["items"][0]
    in_finnish = directory.rpc.public_registers({"language": "fi"})["items"][0]
    authority = directory.rpc.public_authority(published["authority"]["id"], {"language": "fi"})

    assert list(in_english["texts"]) == ["en"]
    assert list(in_finnish["texts"]) == ["de"]
    assert list(authority["titles"]) == ["en"]


def test_filters_by_member_state_area_and_time_of_change(directory, published, frozen_clock):
    since = (frozen_clock() + timedelta(minutes=1)).isoformat()

    assert directory.rpc.public_authorities({"member_state": "AT"})["total"] == 0
    assert directory.rpc.public_authorities({"area": "services"})["total"] == 0
    assert directory.rpc.public_authorities({"area": "professional_qualifications"})["total"] == 2
    assert directory.rpc.public_registers({"area": "professional_qualifications"})["total"] == 1
    assert directory.rpc.public_registers({"member_state": "AT"})["total"] == 0
    assert directory.rpc.public_registers({"updated_since": since})["total"] == 0
    frozen_clock.advance(minutes=2)
    lda = directory.lda_of(published["authority"])
    directory.rpc.update_register(
        lda, published["public"]["id"], {"url": "https://example.de/neu", "version": 2}
    )
    assert directory.rpc.public_registers({"updated_since": since})["total"] == 1
    page = directory.rpc.public_authorities({"page_size": 1, "page": 2})
    assert (page["total"], len(page["items"])) == (2, 1)


def test_an_authority_pending_validation_is_not_published(directory, store, published):
    record = published["authority"]
    with store.engine.begin() as connection:
        connection.execute(
            update(Authority)
            .where(Authority.id == record["id"])
            .values(status="pending_validation")
        )

    with pytest.raises(NotFound):
        directory.rpc.public_authority(record["id"], {})
    assert directory.rpc.public_registers({})["items"] == []
    assert directory.rpc.public_authorities({})["total"] == 1


def test_an_unknown_authority_is_not_found(directory):
    with pytest.raises(NotFound):
        directory.rpc.public_authority(str(uuid.uuid4()), {})


@pytest.mark.parametrize(
    "query",
    [{"member_state": "XX"}, {"updated_since": "yesterday"}, {"language": "tlh"},
     {"area": "Robert'); DROP TABLE authorities;--"}, {"page_size": 101}, {"users": "all"}],
)  # fmt: skip
def test_a_bad_public_query_is_refused(directory, query):
    with pytest.raises(ValidationFailed):
        directory.rpc.public_authorities(query)
    with pytest.raises(ValidationFailed):
        directory.rpc.public_registers(query)
