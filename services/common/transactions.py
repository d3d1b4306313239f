"""Decorators that make entry points safe under at-least-once delivery.

RabbitMQ redelivers an RPC or an event whose worker died before acking it, and a graceful stop
can do the same (stack.md, pitfall 7). So:

- ``@transactional`` wraps a state-changing RPC method: it commits the method's changes and
  events together, and when the caller sent an idempotency key it remembers the result in the
  same transaction, so the same key returns the first result instead of acting twice. A save
  that lost a race on a version, at commit or at a flush inside the method, is answered with a
  ``StaleVersion`` (409) naming who saved first and when; a clash with a unique rule is the
  ``Conflict`` the service's models declare on that rule (services/common/clashes.py);
- ``@handles_event_once`` wraps an event handler: it validates the CloudEvents envelope, loads
  its data with the producer's contract (services/common/contracts.py) and hands the handler
  the loaded data, records the event id in the inbox in the same transaction as the handler's
  effect, and skips an event it has already handled. An event it cannot read (a malformed
  envelope, data failing the contract, a ValidationFailed of the handler) is rolled back and
  kept in the service's dead letters (services/common/dead_letters.py), never dropped. A
  commit that clashes with another event's change (two events creating the same row at once)
  is raised, for ``@event_handler`` to try again.
"""

from __future__ import annotations

import functools
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from services.common import contracts, dead_letters
from services.common.clashes import declared_conflict
from services.common.db import is_duplicate
from services.common.envelope import CloudEventSchema
from services.common.errors import Conflict, StaleVersion, ValidationFailed
from services.common.metrics import EVENTS_HANDLED
from services.common.schemas import load


def transactional(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        unit = self.db
        key = unit.idempotency_key
        name = method.__name__
        if key is not None:
            found, result = unit.remembered_result(key, name)
            if found:
                return result
        try:
            try:
                result = method(self, *args, **kwargs)
            except StaleDataError:  # a flush inside the method lost a race on a version
                raise unit.stale_version() from None
            if key is not None:
                unit.remember_result(key, name, result)
            unit.commit()
        except (StaleVersion, IntegrityError) as exc:
            unit.rollback()
            if key is not None:  # the same call, redelivered, may have won the race
                found, first = unit.remembered_result(key, name)
                if found:
                    return first
            if isinstance(exc, IntegrityError):
                raise _clash(self, exc) from None
            raise
        return result

    return wrapper


def handles_event_once(method):
    @functools.wraps(method)
    def wrapper(self, payload):
        return handle_once(self, f"{self.name}.{method.__name__}", partial(method, self), payload)

    return wrapper


def handle_once(service, handler: str, act, payload):
    """The body of ``@handles_event_once``: ``act(envelope)`` on the event unless ``handler``
    handled it before, committed with its inbox record (services.common.batches uses it for
    an event of a batch that failed)."""
    name = service.name
    unit = service.db
    try:
        envelope = read_event(payload)
        if not unit.claim_event(envelope["id"], handler):
            return counted(name, handler, "duplicate")
        result = act(envelope)
    except ValidationFailed as exc:
        dead_letter(unit, handler, payload, exc)
        return counted(name, handler, "dead_lettered")
    try:
        unit.commit()
    except IntegrityError as exc:
        unit.rollback()
        if not is_duplicate(exc) or not unit.event_claimed(envelope["id"], handler):
            # not this event handled twice, but a clash with another event's change made
            # at the same time: raised, so that services.common.entrypoints tries it again
            raise
        return counted(name, handler, "duplicate")
    counted(name, handler, "handled")
    return result


def read_event(payload) -> dict:
    """The envelope with its data loaded by the producer's contract, or ValidationFailed."""
    envelope = load(CloudEventSchema, payload)
    envelope["data"] = contracts.read(envelope)
    return envelope


def dead_letter(unit, handler: str, payload, exc: ValidationFailed) -> None:
    dead_letters.record(unit, unit.dead_letter_model, handler, unit.entrypoint, payload, exc.extra)


def _clash(service, exc: IntegrityError) -> Exception:
    """What a caller gets for a clash on a unique rule, at a flush inside the method or at the
    commit: the Conflict the service's models declare on the rule (services/common/clashes.py),
    else a generic one; an IntegrityError of another kind is a bug and stays itself."""
    if not is_duplicate(exc):
        return exc
    provider = getattr(type(service), "db", None)
    base = getattr(provider, "base", None)
    declared = declared_conflict(exc, base.metadata if base is not None else None)
    return declared or Conflict(
        "The change clashes with another one made at the same time.", "error.concurrent_change"
    )


def counted(service: str, handler: str, outcome: str, count: int = 1) -> None:
    EVENTS_HANDLED.labels(service, handler, outcome).inc(count)
