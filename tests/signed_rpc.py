"""A standalone RPC proxy that calls as the gateway does: with credentials.

Services admit only calls signed by a known service, and a call acting for a user only with
that user's access token (services/common/credentials.py). ``SignedRpcProxy`` is nameko's
``ClusterRpcProxy`` signing each call as ``caller`` (the gateway by default) with a key of the
test keyring; when a call's first argument (or its ``actor``) is an actor, it mints an access
token for it with a token key of the keyring, as identity would, and sends the actor that
token carries (with a session id when the test gave none). A plain ``ClusterRpcProxy`` is what
a forger on the broker has.
"""

from __future__ import annotations

import functools
import json
import time
import uuid

from nameko.rpc import MethodProxy, ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from services.common.credentials import (
    CALLER_CREDENTIAL,
    USER_CREDENTIAL,
    ServiceSigner,
    key_dir,
    publish_token_key,
)
from services.common.keyfiles import load_or_create_private_key
from tests.tokens import TokenMint

HEADER_PREFIX = "nameko"
TEST_TOKEN_SECONDS = 3600


class TokenMinter:
    """Issues access tokens for any actor, with a token key published in the keyring."""

    def __init__(self, config: dict):
        folder = key_dir(config) / "test-identity"
        folder.mkdir(parents=True, exist_ok=True)
        self.mint = TokenMint(load_or_create_private_key(folder / "signing-key.pem"))
        publish_token_key(config, self.mint.kid, self.mint.public_pem)
        self._tokens: dict[str, tuple[str, dict]] = {}

    def token_for(self, actor: dict) -> tuple[str, dict]:
        """The token for ``actor`` and the actor it carries."""
        known = self._tokens.get(json.dumps(actor, sort_keys=True))
        if known is not None:
            return known
        given = {key: value for key, value in actor.items() if value is not None}
        carried = {"session_id": f"test-{uuid.uuid4().hex[:12]}", "language": "en", **given}
        token = self.mint.token(
            sub=carried.get("user_id"), sid=carried["session_id"],
            exp=int(time.time()) + TEST_TOKEN_SECONDS, usr=carried.get("username"),
            aut=carried.get("authority_id"), ms=carried.get("member_state"),
            lng=carried["language"], grt=carried.get("grants", []),
        )  # fmt: skip
        self._tokens[json.dumps(actor, sort_keys=True)] = (token, carried)
        return token, carried


@functools.cache
def _credentials(keys: str, caller: str) -> tuple[ServiceSigner, TokenMinter]:
    config = {"KEYS": {"DIR": keys}}
    return ServiceSigner(caller, config), TokenMinter(config)


def _is_actor(value) -> bool:
    return isinstance(value, dict) and "user_id" in value and "member_state" in value


class SignedMethodProxy(MethodProxy):
    credentials: tuple[ServiceSigner, TokenMinter]

    def _call(self, *args, **kwargs):
        signer, minter = self.credentials
        headers = {f"{HEADER_PREFIX}.{CALLER_CREDENTIAL}": signer.token()}
        if _is_actor(kwargs.get("actor")):
            token, kwargs["actor"] = minter.token_for(kwargs["actor"])
            headers[f"{HEADER_PREFIX}.{USER_CREDENTIAL}"] = token
        elif args and _is_actor(args[0]):
            token, actor = minter.token_for(args[0])
            args = (actor, *args[1:])
            headers[f"{HEADER_PREFIX}.{USER_CREDENTIAL}"] = token
        self._credential_headers = headers
        return super()._call(*args, **kwargs)

    def get_message_headers(self, worker_ctx):
        return {**super().get_message_headers(worker_ctx), **self._credential_headers}


class SignedServiceProxy(ServiceProxy):
    def __init__(self, worker_ctx, service_name, reply_listener, credentials):
        super().__init__(worker_ctx, service_name, reply_listener)
        self.credentials = credentials

    def __getattr__(self, name):
        method = SignedMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener)
        method.credentials = self.credentials
        return method


class SignedClusterProxy(ClusterProxy):
    def __init__(self, worker_ctx, reply_listener, credentials):
        super().__init__(worker_ctx, reply_listener)
        self._credentials = credentials

    def __getattr__(self, name):
        if name not in self._proxies:
            self._proxies[name] = SignedServiceProxy(
                self._worker_ctx, name, self._reply_listener, self._credentials
            )
        return self._proxies[name]


class SignedRpcProxy(ClusterRpcProxy):
    """``ClusterRpcProxy(config, ...)`` whose calls carry ``caller``'s credentials."""

    def __init__(self, config: dict, *args, caller: str = "gateway", **kwargs):
        super().__init__(config, *args, **kwargs)
        credentials = _credentials(str(key_dir(config)), caller)
        self._proxy = SignedClusterProxy(self._worker_ctx, self._reply_listener, credentials)
