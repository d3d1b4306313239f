"""Reference (b): what plain nameko gives, with every setting left at its default.

A nameko ``@http`` gateway makes one RPC with nameko's own ``RpcProxy`` to a service that
echoes; no code of services/ is involved. Defaults matter here: ``RpcProxy`` publishes
persistent messages with publisher confirms, the reply too, and ``max_workers`` is 10. The
project's own stack should not be slower than this for a read of the same shape.

    nameko run --config CONFIG bench.reference_nameko:EchoService
    nameko run --config CONFIG bench.reference_nameko:ReferenceGateway
"""

from __future__ import annotations

import json

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http

from bench.payload import ACTOR, ECHO_ROUTE

ECHO_SERVICE = "bench_echo"


class EchoService:
    name = ECHO_SERVICE

    @rpc
    def echo(self, actor: dict) -> dict:
        return actor


class ReferenceGateway:
    name = "bench_gateway"

    echo_rpc = RpcProxy(ECHO_SERVICE)

    @http("GET", ECHO_ROUTE)
    def echo(self, request):
        result = self.echo_rpc.echo(ACTOR)
        return 200, {"Content-Type": "application/json"}, json.dumps(result)
