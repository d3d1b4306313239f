"""Event contracts: the one schema of each published event, used by its producer and consumers.

A service declares the events it publishes in its own ``schemas.py`` with ``publishes``: that
mapping is the published contract (docs/events.md describes it). The producer's unit of work
dumps every payload through it and checks the result (``produce``), so an event without a
contract, or one whose payload breaks it, is a programming error raised before anything is
committed. A consumer reads an event through the same contract (``read``), found from the
envelope's ``type``: the producer's schemas module is imported on first use, so a consumer
never keeps a copy of another service's schema. Fields the consumer's copy of the contract does
not know are ignored (a producer may add fields within a version, docs/events.md); a payload
that fails the contract is a ``ValidationFailed``, which ``handles_event_once`` sends to the
dead letters (services/common/dead_letters.py).

Cost per event: one dictionary look-up, one dump and one validation of a small payload.
"""

from __future__ import annotations

import importlib

from marshmallow import EXCLUDE, Schema, ValidationError

from services.common.envelope import split_event_type
from services.common.errors import ValidationFailed
from services.common.schemas import instance

_CONTRACTS: dict[str, dict[str, type[Schema]]] = {}


class UnknownEvent(LookupError):
    """An event recorded without a contract in its service's schemas.py: a programming error."""


class BrokenEventContract(ValueError):
    """A payload the producer built that its own contract refuses: a programming error."""


def publishes(service: str, events: dict[str, type[Schema]]) -> dict[str, type[Schema]]:
    """Register ``service``'s event contracts: event name (``name.v2`` for a second version)
    to its payload schema. Returns them, for the module to keep as ``EVENTS``."""
    _CONTRACTS.setdefault(service, {}).update(events)
    return events


def published_events(service: str) -> dict[str, type[Schema]]:
    """The contracts of ``service``, importing ``services.<service>.schemas`` on first use."""
    events = _CONTRACTS.get(service)
    if events is None:
        module = f"services.{service}.schemas"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a service outside this repository: no contracts
            if exc.name != module and not module.startswith(f"{exc.name}."):
                raise
        events = _CONTRACTS.setdefault(service, {})
    return events


def contract(service: str, event: str, version: int = 1) -> Schema:
    """The schema of ``service``'s ``event``; UnknownEvent when it has none."""
    key = event if version == 1 else f"{event}.v{version}"
    schema = published_events(service).get(key)
    if schema is None:
        raise UnknownEvent(f"{service} publishes no {key} event: declare it in its schemas.py")
    return instance(schema)


def produce(service: str, event: str, data: dict, version: int = 1) -> dict:
    """The payload of an event, dumped through its contract and checked against it."""
    schema = contract(service, event, version)
    unknown = data.keys() - schema.dump_fields.keys()
    if unknown:
        raise BrokenEventContract(f"{service}.{event}: fields outside the contract {unknown}")
    payload = schema.dump(data)
    errors = schema.validate(payload)
    if errors:
        raise BrokenEventContract(f"{service}.{event}: {errors}")
    return payload


def read(envelope: dict) -> dict:
    """The envelope's data loaded with its producer's contract, or ValidationFailed."""
    parsed = split_event_type(envelope["type"])
    if parsed is None:
        raise ValidationFailed.from_fields({"type": ["Not an event type of this system."]})
    try:
        schema = contract(*parsed)
    except UnknownEvent:
        raise ValidationFailed.from_fields({"type": ["An event without a contract."]}) from None
    try:
        return schema.load(envelope["data"], unknown=EXCLUDE)
    except ValidationError as exc:
        raise ValidationFailed.from_fields({"data": exc.normalized_messages()}) from None
