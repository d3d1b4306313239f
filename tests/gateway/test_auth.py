"""Access tokens verified locally: signature, expiry, issuer, audience, and revocations."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import eventlet
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.auth import Revocation, RevocationStore, TokenVerifier, revocation_from_event
from services.common.actor import Grant, Right
from services.common.envelope import make_envelope
from services.common.errors import Unauthenticated, Unavailable, ValidationFailed


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


class FakeIdentity:
    """The two questions the verifier asks identity, answered from the test's mint."""

    def __init__(self, mint, revocations: list[dict] | None = None):
        self.documents = [mint.keys_document()]
        self.revoked = revocations or []
        self.key_fetches = 0
        self.down = False

    def token_keys(self) -> dict:
        if self.down:
            raise Unavailable("identity did not answer.", "error.service_unavailable")
        self.key_fetches += 1
        return self.documents[-1]

    def revocations(self) -> list[dict]:
        return self.revoked


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier(clock) -> TokenVerifier:
    return TokenVerifier(clock)


@pytest.fixture
def identity(mint) -> FakeIdentity:
    return FakeIdentity(mint)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def refusal(verifier, header, identity) -> str:
    with pytest.raises(Unauthenticated) as caught:
        verifier.actor(header, identity)
    return caught.value.code


def test_a_valid_token_gives_the_actor_it_names(verifier, identity, mint):
    token = mint.token(
        sub="u-1", sid="s-1", usr="de7kq2mzx4", aut="a-1", ms="DE", lng="de",
        grt=[{"right": "request_handler", "area": "services"}],
    )  # fmt: skip

    actor = verifier.actor(bearer(token), identity)

    assert (actor.user_id, actor.session_id, actor.username) == ("u-1", "s-1", "de7kq2mzx4")
    assert (actor.authority_id, actor.member_state, actor.language) == ("a-1", "DE", "de")
    assert actor.grants == frozenset({Grant(Right.REQUEST_HANDLER, "services")})


def test_the_keys_are_fetched_once_for_many_tokens(verifier, identity, mint):
    for _ in range(3):
        verifier.actor(bearer(mint.token()), identity)

    assert identity.key_fetches == 1


def test_an_expired_token_is_refused_as_expired(verifier, identity, mint):
    token = mint.token(iat=time.time() - 700, exp=int(time.time() - 60))

    assert refusal(verifier, bearer(token), identity) == "auth.token_expired"


def test_a_token_expired_within_the_leeway_still_passes(verifier, identity, mint):
    token = mint.token(exp=int(time.time() - 2))

    assert verifier.actor(bearer(token), identity).user_id


def test_a_token_for_another_audience_is_refused(verifier, identity, mint):
    token = mint.token(aud="another-system")

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"


def test_a_token_from_another_issuer_is_refused(verifier, identity, mint):
    token = mint.token(iss="someone-else")

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"


def test_a_token_signed_with_another_key_under_a_known_kid_is_refused(verifier, identity, mint):
    token = mint.token(key=Ed25519PrivateKey.generate())

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"


def test_an_unknown_kid_is_refused_without_reloading_keys_just_fetched(verifier, identity, mint):
    verifier.actor(bearer(mint.token()), identity)
    token = mint.token(kid="unknown-key")

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"
    assert identity.key_fetches == 1  # fetched a moment ago: no reload yet


def test_a_rotated_key_is_loaded_when_a_token_names_it(verifier, identity, mint, clock):
    verifier.actor(bearer(mint.token()), identity)
    new_key = Ed25519PrivateKey.generate()
    rotated = type(mint)(kid="test-key-2", key=new_key)
    identity.documents.append(rotated.keys_document())
    clock.now += 6

    actor = verifier.actor(bearer(rotated.token(sub="u-2")), identity)

    assert actor.user_id == "u-2"
    assert identity.key_fetches == 2


def test_without_keys_the_gateway_is_unavailable_rather_than_refusing(verifier, identity, mint):
    identity.down = True

    with pytest.raises(Unavailable):
        verifier.actor(bearer(mint.token()), identity)


def test_requests_arriving_while_the_keys_load_wait_for_them(verifier, mint):
    """Two first requests at once: the second was a 503 while the first still loaded the keys
    (./deploy/conformance, docs/api-conformance.md)."""

    class SlowIdentity(FakeIdentity):
        def token_keys(self) -> dict:
            eventlet.sleep(0.05)  # identity answering over the broker
            return super().token_keys()

    identity = SlowIdentity(mint)
    tokens = [mint.token(sub=f"u-{number}") for number in range(3)]

    requests = [eventlet.spawn(verifier.actor, bearer(token), identity) for token in tokens]

    assert [request.wait().user_id for request in requests] == ["u-0", "u-1", "u-2"]
    assert identity.key_fetches == 1


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not.a.jwt", "Bearer " + "x" * 9000],
    ids=["basic", "empty", "garbage", "huge"],
)
def test_a_malformed_authorization_is_refused(verifier, identity, header):
    assert refusal(verifier, header, identity) == "auth.token_invalid"


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_token_is_asked_for(verifier, identity, header):
    assert refusal(verifier, header, identity) == "auth.token_missing"


@pytest.mark.parametrize("claim", ["sub", "sid", "exp", "iat", "usr", "aut", "ms", "grt"])
def test_a_token_without_an_actor_claim_is_refused(verifier, identity, mint, claim):
    token = mint.token(**{claim: None})

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"


def test_tokens_issued_before_a_users_revocation_are_refused(verifier, identity, mint):
    now = time.time()
    identity.revoked = [{"user_id": "u-1", "session_id": None, "not_before": iso(now - 1)}]
    before = mint.token(sub="u-1", iat=round(now - 2, 3))
    after = mint.token(sub="u-1", iat=round(now, 3))
    someone_else = mint.token(sub="u-2", iat=round(now - 2, 3))

    assert refusal(verifier, bearer(before), identity) == "auth.token_revoked"
    assert verifier.actor(bearer(after), identity).user_id == "u-1"
    assert verifier.actor(bearer(someone_else), identity).user_id == "u-2"


def test_every_token_of_a_revoked_session_is_refused(verifier, identity, mint):
    now = time.time()
    identity.revoked = [{"user_id": "u-1", "session_id": "s-1", "not_before": iso(now - 10)}]
    in_session = mint.token(sub="u-1", sid="s-1", iat=round(now, 3))
    other_session = mint.token(sub="u-1", sid="s-2", iat=round(now, 3))

    assert refusal(verifier, bearer(in_session), identity) == "auth.token_revoked"
    assert verifier.actor(bearer(other_session), identity).session_id == "s-2"


def test_a_revocation_heard_later_applies_at_once(verifier, identity, mint):
    now = time.time()
    token = mint.token(sub="u-1", iat=round(now - 2, 3))
    verifier.actor(bearer(token), identity)

    verifier.revocations.add(Revocation("u-1", None, now))

    assert refusal(verifier, bearer(token), identity) == "auth.token_revoked"


def test_reloading_keeps_revocations_heard_since_the_reload_began(clock):
    store = RevocationStore(clock)
    store.add(Revocation("u-old", None, 100.0))
    clock.now += 1
    fetch_started = clock.now
    store.add(Revocation("u-new", None, 200.0))

    store.replace([Revocation("u-listed", None, 300.0)], fetch_started)

    assert store.loaded
    assert store.refuses("u-new", "s", 150.0)
    assert store.refuses("u-listed", "s", 250.0)
    assert not store.refuses("u-old", "s", 50.0)  # identity's list no longer names it


def test_a_later_revocation_of_a_user_never_shortens_an_earlier_one(clock):
    store = RevocationStore(clock)
    store.add(Revocation("u-1", None, 300.0))
    store.add(Revocation("u-1", None, 200.0))

    assert store.refuses("u-1", "s", 250.0)


def test_a_tokens_revoked_event_is_read_from_its_envelope():
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    data = {"user_id": "u-1", "session_id": None, "not_before": now.isoformat()}
    envelope = make_envelope("identity", "tokens_revoked", "u-1", data, now)

    assert revocation_from_event(envelope) == Revocation("u-1", None, now.timestamp())


def test_a_malformed_tokens_revoked_event_is_refused():
    with pytest.raises(ValidationFailed):
        revocation_from_event({"data": {"user_id": "u-1"}})


def test_a_remembered_token_is_checked_again_for_expiry(identity, mint):
    wall = FakeClock()
    wall.now = time.time()
    verifier = TokenVerifier(wall_clock=wall)
    header = bearer(mint.token(exp=int(wall.now + 60)))
    verifier.actor(header, identity)

    wall.now += 60 + 11

    assert refusal(verifier, header, identity) == "auth.token_expired"


def test_a_remembered_token_is_refused_once_revoked(verifier, identity, mint):
    token = mint.token(sub="u-9", sid="s-9")
    verifier.actor(bearer(token), identity)

    verifier.revocations.add(Revocation("u-9", "s-9", time.time()))

    assert refusal(verifier, bearer(token), identity) == "auth.token_revoked"


def test_a_remembered_token_of_a_withdrawn_key_is_refused_once_the_keys_reload(
    verifier, identity, mint, clock
):
    token = mint.token()
    verifier.actor(bearer(token), identity)
    rotated = type(mint)(kid="test-key-3", key=Ed25519PrivateKey.generate())
    identity.documents.append(rotated.keys_document())  # the old key withdrawn
    clock.now += 6
    verifier.actor(bearer(rotated.token()), identity)  # names the new key: keys reload

    assert refusal(verifier, bearer(token), identity) == "auth.token_invalid"
