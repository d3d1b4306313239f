"""Structured logs: one JSON object per line, carrying the call id across services.

nameko passes a stack of call ids with every RPC and event; the first one is the call that
started the chain (the gateway request), so grepping every service's log for it shows the whole
story of one user action.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

from nameko.extensions import DependencyProvider

CALL_ID = contextvars.ContextVar("imi_call_id", default=None)
ORIGIN_CALL_ID = contextvars.ContextVar("imi_origin_call_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        call_id = CALL_ID.get()
        if call_id:
            entry["call_id"] = call_id
            entry["origin_call_id"] = ORIGIN_CALL_ID.get()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class CallIdLogging(DependencyProvider):
    """Puts the worker's call ids where the formatter finds them, for the worker's lifetime."""

    def worker_setup(self, worker_ctx) -> None:
        stack = worker_ctx.call_id_stack
        CALL_ID.set(worker_ctx.call_id)
        ORIGIN_CALL_ID.set(stack[0] if stack else worker_ctx.call_id)

    def worker_teardown(self, worker_ctx) -> None:
        CALL_ID.set(None)
        ORIGIN_CALL_ID.set(None)
