"""Undoes a trade-off of services/common/rpc.py: RPC requests published without a TTL (the
broker keeps a request nobody waits for any more until a consumer takes it).

Not a proposal: it measures what the per-message TTL costs.
"""

from __future__ import annotations

import services.common.rpc as rpc_module


class _NoTtl:
    def __init__(self, producer):
        self._producer = producer

    def publish(self, payload, **kwargs):
        kwargs.pop("expiration", None)
        return self._producer.publish(payload, **kwargs)

    def close(self) -> None:
        self._producer.close()


original_setup = rpc_module.RpcClient.setup


def _setup(self) -> None:
    original_setup(self)
    self.producer = _NoTtl(self.producer)


def apply() -> None:
    rpc_module.RpcClient.setup = _setup
