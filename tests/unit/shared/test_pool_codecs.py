"""The json/jsonb codecs (msgspec, json where msgspec refuses) keep every value json kept, spelling aside."""

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.db.pool import _decode_jsonb, _encode_json, _encode_jsonb, _loads

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_what_is_written_reads_back_as_json_reads_it(value: Any) -> None:
    assert json.loads(_encode_jsonb(value)[1:]) == value == json.loads(_encode_json(value))
    assert _decode_jsonb(b"\x01" + json.dumps(value).encode()) == json.loads(json.dumps(value))


def test_integers_beyond_64_bits_stay_exact_both_ways() -> None:
    value = {"vrij": 123456789012345678901234567890, "min": -(2**70)}
    assert _decode_jsonb(_encode_jsonb(value)) == value


@pytest.mark.parametrize(
    "text, expected",
    [
        ('"\\ud800"', "\ud800"),  # a lone surrogate escape: msgspec refuses it, json reads it
        ("1e400", math.inf),
        ('{"1": [true, null]}', {"1": [True, None]}),
    ],
)
def test_what_msgspec_refuses_to_read_json_reads(text: str, expected: Any) -> None:
    assert _loads(text.encode()) == expected == _loads(text)


def test_keys_that_are_not_text_are_written_as_json_writes_them() -> None:
    for key in (1, False, None, 2.5):
        assert json.loads(_encode_jsonb({key: "a"})[1:]) == json.loads(json.dumps({key: "a"}))
