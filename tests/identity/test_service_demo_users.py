"""The demo users (services/identity/demo.py): loaded as an operator's preparation does, once,
past their first login, with the rights of their role; each logs in with the password and
security code the run command prints; the demo authorities are known before the directory's
events arrive, and those events still win."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.actor import Right
from services.common.envelope import make_envelope
from services.common.errors import Unauthenticated
from services.identity.demo import PROVISIONAL, demo_users_notice, load_demo_users
from services.identity.demo_roster import demo_user, demo_users
from services.identity.domain import ALL_AUTHORITY_RIGHTS
from services.identity.models import KnownAuthority, Outbox, User
from tests.events import event_data

from .harness import digits_at


@pytest.fixture
def demo_loaded(identity_uri, identity_config) -> list[str]:
    """The operator's preparation with demo data on, before the service starts."""
    return load_demo_users(identity_uri, identity_config["IDENTITY"]["KEY_DIR"])


@pytest.fixture
def demo_identity(demo_loaded, identity):
    return identity


def test_every_demo_user_logs_in_with_the_printed_password_and_security_code(demo_identity):
    for person in demo_users():
        answer = demo_identity.login(person.username, person.password, person.security_code)

        assert answer["status"] == "authenticated", person.username
        claims = demo_identity.claims(answer["access_token"])
        assert claims["aut"] == person.authority.id
        assert claims["ms"] == person.authority.member_state
        granted = {(grant["right"], grant["area"]) for grant in claims["grt"]}
        assert granted == {(grant.right.value, grant.area) for grant in person.grants}


def test_a_wrong_digit_of_the_security_code_is_refused(demo_identity):
    person = demo_user("hu-budapest-handler")
    challenge = demo_identity.challenge(person.username)
    digits = digits_at(person.security_code, challenge["positions"])
    wrong = str((int(digits[0]) + 1) % 10) + digits[1:]

    with pytest.raises(Unauthenticated) as refused:
        demo_identity.rpc.login(
            {"username": person.username, "password": person.password,
             "challenge_id": challenge["challenge_id"], "digits": wrong}
        )  # fmt: skip

    assert refused.value.code == "login.failed"


def test_each_role_has_its_rights_and_each_authority_its_first_user(demo_loaded, store):
    with Session(store.engine) as session:
        users = {user.username: user for user in session.scalars(select(User))}
        rights = {name: {(g.right, g.area) for g in user.grants} for name, user in users.items()}
        firsts = {user.username for user in users.values() if user.first_user_of}

    assert sorted(demo_loaded) == sorted(person.username for person in demo_users())
    assert rights["it-roma-handler"] == {
        ("request_handler", "services"),
        ("request_handler", "professional_qualifications"),
        ("alert_handler", "services"),
        ("alert_handler", "professional_qualifications"),
    }
    assert rights["de-muenchen-allocator"] == {
        ("allocator", "services"),
        ("allocator", "professional_qualifications"),
    }
    assert rights["it-roma-viewer"] == {("basic_user", "*")}
    every_right = {(right.value, "*") for right in ALL_AUTHORITY_RIGHTS}
    assert rights["it-roma-lda"] == every_right
    assert rights["hu-coordinator"] == every_right
    assert Right.DATA_ADMINISTRATOR.value in {right for right, _ in rights["it-coordinator"]}
    assert firsts == {
        "it-roma-lda", "it-coordinator", "hu-budapest-lda", "hu-coordinator",
        "de-muenchen-lda", "de-bayern-coordinator", "de-coordinator", "eu-alerts-coordinator",
    }  # fmt: skip
    for person in demo_users():
        user = users[person.username]
        assert user.id == person.id
        assert not user.must_change_password
        assert user.security_digests is not None


def test_the_demo_users_are_announced_as_created_and_past_their_first_login(demo_loaded, store):
    with Session(store.engine) as session:
        events = session.execute(
            select(Outbox.event_type, func.count()).group_by(Outbox.event_type)
        )
        counted = dict(events.all())

    assert counted == {"user_created": 13, "first_login_completed": 13}


def test_loading_again_changes_nothing(demo_loaded, identity_uri, identity_config, store):
    def snapshot():
        with Session(store.engine) as session:
            users = session.execute(select(User.id, User.version, User.password_hash)).all()
            outbox = session.scalar(select(func.count()).select_from(Outbox))
            return sorted(users), outbox

    before = snapshot()

    assert load_demo_users(identity_uri, identity_config["IDENTITY"]["KEY_DIR"]) == []
    assert snapshot() == before


def test_a_demo_user_changed_since_is_printed_without_the_shipped_secrets(
    demo_loaded, identity_uri, identity_config, store
):
    with Session(store.engine) as session, session.begin():
        session.get(User, demo_user("it-roma-viewer").id).blocked = True

    notice = demo_users_notice(identity_uri, identity_config["IDENTITY"]["KEY_DIR"])

    lines = {line.split()[0]: line for line in notice.strip().splitlines()[2:]}
    assert len(lines) == len(demo_users())
    assert "Tevere-Ponte-26" in lines["it-roma-handler"]
    assert "314159265358" in lines["it-roma-handler"]
    assert "Pantheon-View-7" not in lines["it-roma-viewer"]
    assert "(changed since)" in lines["it-roma-viewer"]


def test_the_demo_authorities_are_known_at_once_and_the_directory_s_events_win(demo_identity):
    roma = demo_user("it-roma-handler").authority
    with Session(demo_identity.store.engine) as session:
        known = session.get(KnownAuthority, roma.id)
        assert (known.member_state, known.status) == ("IT", "validated")
        assert known.validating_coordinator_id == demo_user("it-coordinator").authority.id
        assert known.updated_at == PROVISIONAL

    data = event_data(
        "directory", "authority_registered", authority_id=roma.id, member_state="IT",
        validating_coordinator_id=None, status="validated",
    )  # fmt: skip
    envelope = make_envelope(
        "directory", "authority_registered", roma.id, data, demo_identity.clock()
    )
    demo_identity.publish_directory_event("authority_registered", envelope)

    with Session(demo_identity.store.engine) as session:
        known = session.get(KnownAuthority, roma.id)
        assert known.validating_coordinator_id is None
        assert known.updated_at > PROVISIONAL
