"""Undoes a trade-off of services/common/entrypoints.py: RPC replies published as nameko does
by default, persistent and with publisher confirms, through nameko's Responder.

Not a proposal: it measures what the trade-off already made is worth.
"""

from __future__ import annotations

from nameko.rpc import RpcConsumer

import services.common.entrypoints as entrypoints


def apply() -> None:
    entrypoints.TransientReplyRpcConsumer.handle_result = RpcConsumer.handle_result
