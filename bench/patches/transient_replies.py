"""RPC replies published like the requests of services.common.rpc: transient, no confirms.

Stands for: in services/common/entrypoints.py, an ``Rpc`` entry point whose ``Responder``
uses ``Publisher(use_confirms=False, delivery_mode=NON_PERSISTENT)``. nameko's default makes
every reply persistent and waits for the broker's confirm, while the worker (and its database
session) is still held. A lost reply is the same as a lost request: the caller times out, and
the request was idempotent or carries its key.
"""

from __future__ import annotations

from nameko import rpc
from nameko.amqp.publish import Publisher
from nameko.constants import NON_PERSISTENT


class TransientReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = NON_PERSISTENT


def apply() -> None:
    rpc.Responder.publisher_cls = TransientReplyPublisher
