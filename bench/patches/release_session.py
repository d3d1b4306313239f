"""A worker gives its database connection back before its RPC reply is published.

Stands for: in services/common/entrypoints.py, ``ImiRpc.handle_result`` closing the worker's
unit of work (services/common/db.py) before the reply goes out; today the session (and so its
pooled connection) is closed in ``worker_teardown``, after the reply. On SQLite the pool has
one connection per process, so every other worker that needs the database waits while a
reply is being published, and, when replies were confirmed, for the broker's confirm too.
"""

from __future__ import annotations

import services.common.entrypoints as entrypoints
from services.common.db import Database

original_handle_result = entrypoints.ImiRpc.handle_result


def _handle_result(self, message, worker_ctx, result, exc_info):
    for provider in self.container.dependencies:
        if isinstance(provider, Database):
            unit = provider._units.get(worker_ctx)
            if unit is not None:
                unit.close()
    return original_handle_result(self, message, worker_ctx, result, exc_info)


def apply() -> None:
    entrypoints.ImiRpc.handle_result = _handle_result
