"""No forged actors (services/common/credentials.py): a client on the broker, with no gateway
in the way, is refused unless a known service signed its call and, when the call acts for a
user, unless that user's own access token proves the actor it claims."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.credentials import (
    ALGORITHM,
    CALLER_CREDENTIAL,
    SERVICE_AUDIENCE,
    USER_AUDIENCE,
    USER_CREDENTIAL,
    USER_ISSUER,
    ServiceSigner,
)
from services.common.errors import Unauthenticated
from tests.signed_rpc import TokenMinter


def forger_call(config: dict, method: str, *args, **credentials):
    """identity's ``method`` called by a broker client that sends ``credentials`` as headers."""
    with ClusterRpcProxy(config, timeout=10, context_data=credentials) as proxy:
        return getattr(proxy.identity, method)(*args)


def refusal(config: dict, method: str, *args, **credentials) -> str:
    with pytest.raises(Unauthenticated) as caught:
        forger_call(config, method, *args, **credentials)
    return caught.value.code


def self_signed(claims: dict, kid: str) -> str:
    """A token signed with a key of the forger's own, not one of the keyring's."""
    key = Ed25519PrivateKey.generate()
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


def user_claims(actor: dict, **changes) -> dict:
    now = int(time.time())
    return {
        "iss": USER_ISSUER, "aud": USER_AUDIENCE, "sub": actor["user_id"],
        "sid": "forged-session", "iat": now, "exp": now + 600, "usr": actor["username"],
        "aut": actor["authority_id"], "ms": actor["member_state"], "lng": actor["language"],
        "grt": actor["grants"], **changes,
    }  # fmt: skip


@pytest.fixture
def gateway_signer(identity_config) -> ServiceSigner:
    return ServiceSigner("gateway", identity_config)


@pytest.fixture
def minter(identity_config) -> TokenMinter:
    return TokenMinter(identity_config)


def test_a_call_without_a_service_credential_is_refused(identity, store, commission_admin):
    before = store.snapshot()
    data = {"full_name": "Eve Forged", "email": "eve@forged.example.eu", "language": "en"}

    outcomes = {
        "no credential": refusal(
            identity.config, "create_user", commission_admin.actor, data
        ),
        "a credential that is no token": refusal(
            identity.config, "create_user", commission_admin.actor, data,
            **{CALLER_CREDENTIAL: "gateway"},
        ),
        "the gateway's name, signed with another key": refusal(
            identity.config, "create_user", commission_admin.actor, data,
            **{CALLER_CREDENTIAL: self_signed(
                {"iss": "gateway", "aud": SERVICE_AUDIENCE, "iat": int(time.time()),
                 "exp": int(time.time()) + 300},
                "gateway",
            )},
        ),
        "a service no keyring knows": refusal(
            identity.config, "login", {"username": "x"},
            **{CALLER_CREDENTIAL: self_signed(
                {"iss": "mallory", "aud": SERVICE_AUDIENCE, "iat": int(time.time()),
                 "exp": int(time.time()) + 300},
                "mallory",
            )},
        ),
    }  # fmt: skip

    assert outcomes == dict.fromkeys(outcomes, "auth.caller_unverified")
    assert store.new_rows(before) == {}


def test_an_expired_service_credential_is_refused(identity, identity_config):
    an_hour_ago = time.time() - 3600
    stale = ServiceSigner("gateway", identity_config, wall_clock=lambda: an_hour_ago).token()

    code = refusal(identity.config, "token_keys", **{CALLER_CREDENTIAL: stale})

    assert code == "auth.caller_unverified"
    assert forger_call(
        identity.config, "token_keys",
        **{CALLER_CREDENTIAL: ServiceSigner("gateway", identity_config).token()},
    )["keys"]  # fmt: skip


def test_a_forged_actor_is_refused_even_from_a_known_service(
    identity, store, commission_admin, lda, gateway_signer, minter
):
    """The gateway's own signature does not make up for the user's: an actor is believed
    only as the user's access token states it."""
    before = store.snapshot()
    data = {"full_name": "Eve Forged", "email": "eve@forged.example.eu", "language": "en"}
    signed = {CALLER_CREDENTIAL: gateway_signer.token()}
    lda_token, lda_actor = minter.token_for(lda.actor)
    admin_as_lda = {**commission_admin.actor, "session_id": lda_actor["session_id"]}

    outcomes = {
        "no access token": refusal(
            identity.config, "create_user", commission_admin.actor, data, **signed
        ),
        "another user's access token": refusal(
            identity.config, "create_user", admin_as_lda, data,
            **signed, **{USER_CREDENTIAL: lda_token},
        ),
        "the user's token with rights added": refusal(
            identity.config, "create_user", commission_admin.actor, data, **signed,
            **{USER_CREDENTIAL: jwt.encode(
                user_claims(lda_actor, grt=commission_admin.actor["grants"]),
                "a shared secret the forger made up", algorithm="HS256",
            )},
        ),
        "a token signed with the forger's key": refusal(
            identity.config, "create_user", commission_admin.actor, data, **signed,
            **{USER_CREDENTIAL: self_signed(
                user_claims(commission_admin.actor), jwt.get_unverified_header(lda_token)["kid"]
            )},
        ),
        "an expired access token": refusal(
            identity.config, "me", commission_admin.actor, **signed,
            **{USER_CREDENTIAL: minter_token_expired(minter, commission_admin.actor)},
        ),
    }  # fmt: skip

    assert outcomes == dict.fromkeys(outcomes, "auth.actor_unverified") | {
        "an expired access token": "auth.token_expired"
    }
    assert store.new_rows(before) == {}


def test_the_actor_a_valid_access_token_proves_is_served(identity, lda, gateway_signer, minter):
    token, actor = minter.token_for(lda.actor)

    me = forger_call(
        identity.config, "me", actor,
        **{CALLER_CREDENTIAL: gateway_signer.token(), USER_CREDENTIAL: token},
    )  # fmt: skip

    assert me["id"] == lda.id


def minter_token_expired(minter: TokenMinter, actor: dict) -> str:
    """A token of the keyring's token key that expired an hour ago."""
    past = int(time.time()) - 3600
    claims = user_claims({**actor, "session_id": str(uuid.uuid4())}, iat=past - 600, exp=past)
    return jwt.encode(
        claims, minter.mint.key, algorithm=ALGORITHM, headers={"kid": minter.mint.kid}
    )
