"""Which failures are the infrastructure's, not the request's: they become Unavailable (a 503
with Retry-After at the gateway) instead of an unexpected error (a 500).

A database that refuses or drops connections, a statement cancelled by ``statement_timeout``
or waiting on a lock too long, a pool with no free connection, a database busy or locked:
each passes if the caller tries again a little later, and none is a bug of the request.
Other database errors (a missing table, bad SQL) stay unexpected errors: they are bugs.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa

from services.common.errors import Unavailable

UNAVAILABLE_CODE = "error.service_unavailable"
RETRY_AFTER_DISCONNECTED = 5
RETRY_AFTER_BUSY = 2
# PostgreSQL SQLSTATE classes and codes that a later try can pass: connection exceptions,
# insufficient resources, operator intervention (query_canceled is 57014, the statement
# timeout), system errors; a lock not available, a serialization failure, a deadlock.
PG_TRANSIENT_CLASSES = frozenset({"08", "53", "57", "58"})
PG_TRANSIENT_CODES = frozenset({"55P03", "40001", "40P01"})
SQLITE_TRANSIENT = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def unavailable_for(exc: BaseException, service: str) -> Unavailable | None:
    """The Unavailable to answer instead of ``exc``, or None if ``exc`` is not an outage."""
    if isinstance(exc, sa.TimeoutError):
        return _unavailable(service, "had no free database connection in time", RETRY_AFTER_BUSY)
    if not isinstance(exc, sa.DBAPIError):
        return None
    if exc.connection_invalidated or isinstance(exc.orig, sa.DisconnectionError):
        return _unavailable(service, "lost its database connection", RETRY_AFTER_DISCONNECTED)
    if not isinstance(exc, sa.OperationalError | sa.InterfaceError):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        if (getattr(orig, "sqlite_errorcode", 0) & 0xFF) in SQLITE_TRANSIENT:
            return _unavailable(service, "found its database busy", RETRY_AFTER_BUSY)
        return None
    pgcode = getattr(orig, "pgcode", None)
    if pgcode is None:  # raised by the driver itself: refused, closed, timed out connecting
        return _unavailable(service, "cannot reach its database", RETRY_AFTER_DISCONNECTED)
    if pgcode[:2] in PG_TRANSIENT_CLASSES or pgcode in PG_TRANSIENT_CODES:
        what = f"met a database outage or timeout ({pgcode})"
        return _unavailable(service, what, RETRY_AFTER_BUSY)
    return None


def _unavailable(service: str, what: str, retry_after: int) -> Unavailable:
    return Unavailable(
        f"The {service} service {what}; try again shortly.",
        UNAVAILABLE_CODE,
        {"service": service, "retry_after": retry_after},
    )
