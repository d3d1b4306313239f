"""The gateway remembers the tokens it has verified: a repeated token skips the signature
check and the claims' validation; expiry and revocation are still checked on every request.

Stands for: in gateway/auth.py, a bounded mapping token -> (claims, Actor, actor wire form) in
``TokenVerifier`` (entries dropped at expiry), and ``Gate.admit`` taking the wire form from
it instead of dumping the actor again. A client sends the same token for its lifetime, so
nearly every request hits. Only tokens that passed every check are remembered, under the
exact token text, so the cache cannot admit anything the verifier would refuse.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import gateway.auth as auth
import gateway.gate as gate
from services.common.errors import Unauthenticated

MAX_TOKENS = 10_000
_verified: OrderedDict[str, tuple[dict, object, dict]] = OrderedDict()
_wire: dict[int, tuple[object, dict]] = {}


def _actor(self, authorization, source):
    token = auth._bearer_token(authorization)
    hit = _verified.get(token)
    if hit is not None and hit[0]["exp"] + auth.LEEWAY_SECONDS >= time.time():
        claims, actor, wire = hit
    else:
        claims = self._claims(token, source)
        actor = auth._actor_from(claims)
        wire = original_dump_actor(actor)
        _verified[token] = (claims, actor, wire)
        if len(_verified) > MAX_TOKENS:
            _verified.popitem(last=False)
    if len(_wire) > MAX_TOKENS:
        _wire.clear()
    _wire[id(actor)] = (actor, wire)  # the actor is kept alive, so its id is not reused
    if not self.revocations.loaded:
        self.load_revocations(source)
    if self.revocations.refuses(actor.user_id, claims["sid"], claims["iat"]):
        raise Unauthenticated("The access token has been revoked.", "auth.token_revoked")
    return actor


def _dump_actor(actor) -> dict:
    kept = _wire.get(id(actor))
    return kept[1] if kept is not None and kept[0] is actor else original_dump_actor(actor)


original_dump_actor = gate.dump_actor


def apply() -> None:
    global original_dump_actor
    original_dump_actor = gate.dump_actor
    auth.TokenVerifier.actor = _actor
    gate.dump_actor = _dump_actor
