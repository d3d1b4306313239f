"""Credentials of RPC calls (services/common/credentials.py): the checks on their own, then
between two running services, where the user's token goes on with the calls a call makes."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.actor import Right
from services.common.credentials import (
    ALGORITHM,
    CALLER_CREDENTIAL,
    SERVICE_AUDIENCE,
    USER_CREDENTIAL,
    CallerVerifier,
    Keyring,
    ServiceSigner,
    keyring_dir,
)
from services.common.entrypoints import rpc
from services.common.errors import Forbidden, Unauthenticated
from services.common.keyfiles import load_or_create_private_key
from services.common.rpc import RpcClient
from tests.signed_rpc import SignedRpcProxy, TokenMinter

ACTOR = {
    "user_id": "u-1", "username": "de7kq2mzx4", "authority_id": "a-1", "member_state": "DE",
    "language": "de", "grants": [{"right": Right.REQUEST_HANDLER.value, "area": "services"}],
}  # fmt: skip


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def config(keys_dir) -> dict:
    return {"KEYS": {"DIR": keys_dir}}


@pytest.fixture
def verifier(config) -> CallerVerifier:
    return CallerVerifier(Keyring(keyring_dir(config)))


def code_of(check, token) -> str:
    with pytest.raises(Unauthenticated) as caught:
        check(token)
    return caught.value.code


def test_a_service_credential_names_its_signer_until_it_expires(config):
    clock = Clock()
    token = ServiceSigner("kernel_signer", config, wall_clock=clock).token()
    verifier = CallerVerifier(Keyring(keyring_dir(config)), wall_clock=clock)

    assert verifier.service(token) == "kernel_signer"
    clock.now += 300 + 11  # its lifetime, and the leeway
    assert code_of(verifier.service, token) == "auth.caller_unverified"


def test_a_signer_renews_its_credential_a_minute_before_it_expires(config):
    clock = Clock()
    signer = ServiceSigner("kernel_signer", config, wall_clock=clock)
    first = signer.token()

    clock.now += 239
    assert signer.token() == first
    clock.now += 1
    renewed = signer.token()

    assert renewed != first
    assert jwt.decode(renewed, options={"verify_signature": False})["exp"] > time.time() + 299


def test_credentials_that_are_not_what_they_claim_are_refused(config, verifier):
    now = int(time.time())
    claims = {"iss": "kernel_signer", "aud": SERVICE_AUDIENCE, "iat": now, "exp": now + 300}
    ServiceSigner("kernel_signer", config)
    forger = Ed25519PrivateKey.generate()
    real_key = load_or_create_private_key(
        keyring_dir(config).parent / "kernel_signer" / "service-key.pem"
    )
    minter = TokenMinter(config)
    access_token, _ = minter.token_for(ACTOR)

    def signed(key, kid="kernel_signer", **changes):
        payload = {name: value for name, value in {**claims, **changes}.items() if value}
        return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid})

    outcomes = {
        "nothing": code_of(verifier.service, None),
        "a number": code_of(verifier.service, 42),
        "not a token": code_of(verifier.service, "kernel_signer"),
        "signed by another key": code_of(verifier.service, signed(forger)),
        "a name that is a path": code_of(verifier.service, signed(forger, kid="../tokens/x")),
        "unsigned": code_of(
            verifier.service,
            jwt.encode(claims, None, algorithm="none", headers={"kid": "kernel_signer"}),
        ),
        "a user's access token": code_of(verifier.service, access_token),
        "another service's name inside": code_of(
            verifier.service, signed(real_key, iss="kernel_other")
        ),
        "for another audience": code_of(verifier.service, signed(real_key, aud="imi")),
        "without expiry": code_of(verifier.service, signed(real_key, exp=None)),
    }

    assert outcomes == dict.fromkeys(outcomes, "auth.caller_unverified")
    assert code_of(verifier.actor, ServiceSigner("kernel_signer", config).token()) == (
        "auth.actor_unverified"
    )


def test_a_replaced_key_is_read_again(config, verifier):
    signer = ServiceSigner("kernel_rotated", config)
    assert verifier.service(signer.token()) == "kernel_rotated"
    (keyring_dir(config).parent / "kernel_rotated" / "service-key.pem").unlink()

    replaced = ServiceSigner("kernel_rotated", config)  # a new key pair, published

    assert verifier.service(replaced.token()) == "kernel_rotated"


def test_an_access_token_proves_the_actor_it_carries(config, verifier):
    token, carried = TokenMinter(config).token_for(ACTOR)

    actor = verifier.actor(token)

    assert (actor.user_id, actor.authority_id, actor.session_id) == (
        "u-1", "a-1", carried["session_id"]
    )  # fmt: skip
    assert actor.has_right(Right.REQUEST_HANDLER, "services")


# --- between running services ---------------------------------------------------------------


class BackService:
    name = "kernel_back"

    @rpc
    def whoami(self, actor: dict) -> dict:
        return actor

    @rpc(callers=("kernel_front",))
    def internal(self) -> str:
        return "served"


class FrontService:
    name = "kernel_front"

    back = RpcClient("kernel_back")

    @rpc
    def whoami_behind(self, actor: dict) -> dict:
        return self.back.whoami(actor)

    @rpc
    def internal_behind(self) -> str:
        return self.back.internal()


@pytest.fixture
def services(container_factory, service_config):
    for service in (BackService, FrontService):
        container_factory(service, service_config).start()
    return service_config


def test_the_users_token_goes_on_with_the_calls_a_call_makes(services):
    with SignedRpcProxy(services, timeout=10) as proxy:
        behind = proxy.kernel_front.whoami_behind(ACTOR)

    assert behind["user_id"] == "u-1"
    assert behind["grants"] == ACTOR["grants"]


def test_a_method_offered_to_some_services_refuses_the_others(services):
    with SignedRpcProxy(services, timeout=10) as proxy:
        assert proxy.kernel_front.internal_behind() == "served"
        with pytest.raises(Forbidden) as caught:
            proxy.kernel_back.internal()  # signed by the gateway

    assert caught.value.code == "auth.caller_not_allowed"


def test_a_service_cannot_pass_on_an_actor_it_was_not_given(services):
    """kernel_front called with one user's token cannot make kernel_back act for another."""
    other = {**ACTOR, "user_id": "u-2"}
    with SignedRpcProxy(services, timeout=10) as proxy:
        token, _ = TokenMinter(services).token_for(ACTOR)
        with (
            ClusterRpcProxy(
                services,
                timeout=10,
                context_data={
                    CALLER_CREDENTIAL: ServiceSigner("kernel_front", services).token(),
                    USER_CREDENTIAL: token,
                },
            ) as forger,
            pytest.raises(Unauthenticated) as caught,
        ):
            forger.kernel_back.whoami({**other, "session_id": "s"})
        assert proxy.kernel_back.whoami(other)["user_id"] == "u-2"  # with its own token

    assert caught.value.code == "auth.actor_unverified"
