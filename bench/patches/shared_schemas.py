"""One marshmallow schema instance per schema, reused, instead of one per call.

Stands for: module-level instances in services/common/actor.py (``load_actor`` and
``dump_actor``) and services/identity/service.py (``UserSchema`` in ``user_view`` and
``dump_user``). Building a schema deep-copies its declared fields; marshmallow 4 schemas keep
no per-call state, so one instance serves every worker.
"""

from __future__ import annotations

import gateway.auth
import gateway.gate
import services.common.actor as actor_module
import services.identity.service as identity_service
from services.common.schemas import load
from services.identity.schemas import UserSchema

_ACTOR = actor_module.ActorSchema()
_USER = UserSchema()


def load_actor(data: dict):
    return load(_ACTOR, data)


def dump_actor(actor) -> dict:
    return _ACTOR.dump(actor)


def user_schema(*args, **kwargs):
    return _USER if not args and not kwargs else UserSchema(*args, **kwargs)


def apply() -> None:
    actor_module.load_actor = load_actor
    actor_module.dump_actor = dump_actor
    for module in (gateway.auth, identity_service):
        if hasattr(module, "load_actor"):
            module.load_actor = load_actor
    if hasattr(gateway.gate, "dump_actor"):
        gateway.gate.dump_actor = dump_actor
    identity_service.UserSchema = user_schema
