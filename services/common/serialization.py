"""kombu's ``json`` serializer, encoding and decoding with orjson: the same JSON on the wire.

Every RPC request, reply and event is JSON, and kombu's serializer is Python's ``json`` with a
Python ``object_hook`` called for every object of every message it reads; encoding and
decoding were about a tenth of each process's time on the hot path (docs/performance.md).
orjson does the same in native code. What it writes stays what kombu writes and reads:

- a datetime, date or time goes out as kombu's ``{"__type__": …, "__value__": …}`` marker,
  through kombu's own encoder, and a message holding a marker is decoded by kombu's own
  decoder, so both ends may run either serializer;
- dictionary keys that are not strings are written as strings, as ``json`` does;
- a UUID is written as its string (kombu would mark it), and NaN or infinities as ``null``.
"""

from __future__ import annotations

import orjson
from kombu.serialization import register
from kombu.utils import json as kombu_json

NAME = "json"
CONTENT_TYPE = "application/json"
ENCODING = "utf-8"
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
MARKER = '"__type__"'
MARKER_BYTES = MARKER.encode()

_kombu_encoder = kombu_json.JSONEncoder()


def dumps(value) -> bytes:
    return orjson.dumps(value, default=_kombu_encoder.default, option=OPTIONS)


def loads(data: bytes | bytearray | memoryview | str):
    if isinstance(data, memoryview):
        data = data.tobytes()
    marker = MARKER if isinstance(data, str) else MARKER_BYTES
    if marker in data:
        return kombu_json.loads(data)
    return orjson.loads(data)


def install() -> None:
    """Make this the ``json`` serializer of the process (idempotent; every publisher and
    consumer of the process then uses it)."""
    register(NAME, dumps, loads, content_type=CONTENT_TYPE, content_encoding=ENCODING)
