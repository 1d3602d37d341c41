"""API keys and cursors: a key names its source and proves it by a digest only, and a cursor is only what the API
hands out."""

import re

import pytest

from services.status_api import keys
from services.status_api.cursors import BadCursor, cursor_of, seq_of


def test_a_key_is_the_source_and_43_random_url_safe_characters():
    key = keys.new_key("afas-fin")
    assert re.fullmatch(r"afas-fin\.[A-Za-z0-9_-]{43}", key) and key != keys.new_key("afas-fin")
    assert keys.claimed_source(key) == "afas-fin"


def test_only_the_key_whose_digest_is_stored_matches():
    key = keys.new_key("nmbrs")
    stored = keys.digest(key)
    assert re.fullmatch(r"[0-9a-f]{64}", stored) and key not in stored
    assert keys.matches(key, stored)
    assert not keys.matches(key + "x", stored) and not keys.matches(keys.new_key("nmbrs"), stored)
    assert not keys.matches(key, None)
    assert not keys.matches("anything", keys.UNKNOWN_DIGEST.replace("a", "b")) and not keys.matches("x", None)


@pytest.mark.parametrize("key", ["", "nmbrs", "nmbrs.", ".secret", "."])
def test_a_key_without_a_source_and_a_secret_names_no_source(key):
    assert keys.claimed_source(key) is None


def test_a_cursor_is_a_lines_number_and_nothing_else_is_taken():
    assert cursor_of(57) == "57" and seq_of("57") == 57 and seq_of("0") == 0
    for bad in ("", "-1", "1.5", "abc", "١٢", str(2**63), " 5"):
        with pytest.raises(BadCursor):
            seq_of(bad)
