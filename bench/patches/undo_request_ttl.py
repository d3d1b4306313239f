"""Undoes a trade-off of services/common/rpc.py: RPC requests published without a TTL (the
broker keeps a request nobody waits for any more until a consumer takes it).

Not a proposal: it measures what the per-message TTL costs.
"""

from __future__ import annotations

import services.common.rpc as rpc_module


class _NoTtl:
    def __init__(self, publisher):
        self._publisher = publisher

    def publish(self, payload, **kwargs):
        kwargs.pop("expiration", None)
        return self._publisher.publish(payload, **kwargs)


original_setup = rpc_module.RpcClient.setup


def _setup(self) -> None:
    original_setup(self)
    self.publisher = _NoTtl(self.publisher)


def apply() -> None:
    rpc_module.RpcClient.setup = _setup
