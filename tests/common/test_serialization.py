"""services.common.serialization: orjson behind kombu's ``json``, readable by kombu's own
serializer and reading what it writes, so processes may run either."""

from __future__ import annotations

import datetime
from decimal import Decimal

import kombu.serialization
from hypothesis import given
from hypothesis import strategies as st
from kombu.utils import json as kombu_json

from services.common import serialization

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_plain_json_travels_both_ways_between_the_two_serializers(value):
    assert serialization.loads(serialization.dumps(value)) == value
    assert kombu_json.loads(serialization.dumps(value)) == value
    assert serialization.loads(kombu_json.dumps(value)) == value


@given(st.text())
def test_a_text_that_mentions_the_type_marker_stays_a_text(text):
    value = {"note": f'"__type__" {text}', "__value__": text}

    assert serialization.loads(serialization.dumps(value)) == value


def test_dates_and_times_keep_their_types_across_the_two_serializers():
    value = {
        "at": datetime.datetime(2026, 11, 25, 8, 30, tzinfo=datetime.UTC),
        "on": datetime.date(2026, 11, 25),
        "time": datetime.time(8, 30),
        "amount": Decimal("12.50"),
    }

    assert kombu_json.loads(serialization.dumps(value)) == value
    assert serialization.loads(kombu_json.dumps(value)) == value
    assert serialization.loads(serialization.dumps(value)) == value


def test_keys_that_are_not_texts_are_written_as_texts_as_json_does():
    assert serialization.loads(serialization.dumps({1: "a", 2.5: "b"})) == {"1": "a", "2.5": "b"}


def test_a_memoryview_is_read_as_its_bytes():
    assert serialization.loads(memoryview(b'{"a":[1,2]}')) == {"a": [1, 2]}


def test_once_installed_kombu_json_is_this_serializer():
    serialization.install()

    content_type, encoding, body = kombu.serialization.dumps({"a": "é"}, serializer="json")

    assert (content_type, encoding) == ("application/json", "utf-8")
    assert body == serialization.dumps({"a": "é"})
    assert kombu.serialization.loads(body, content_type, encoding) == {"a": "é"}
