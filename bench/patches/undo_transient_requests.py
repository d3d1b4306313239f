"""Undoes a trade-off of services/common/rpc.py: RPC requests published as nameko does by
default, through its Publisher, persistent and with publisher confirms (and the TTL kept).

Not a proposal: it measures what the trade-off already made is worth.
"""

from __future__ import annotations

from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT

import services.common.rpc as rpc_module
from services.common.config import AMQP_URI

original_setup = rpc_module.RpcClient.setup


class _NamekoPublisher(Publisher):
    def close(self) -> None:
        pass


def _setup(self) -> None:
    original_setup(self)
    self.producer = _NamekoPublisher(
        self.container.config[AMQP_URI], use_confirms=True, delivery_mode=PERSISTENT
    )


def apply() -> None:
    rpc_module.RpcClient.setup = _setup
