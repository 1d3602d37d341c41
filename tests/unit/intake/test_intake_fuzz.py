"""Property: whatever arrives on the topic, the parser and the rules answer with a declaration, items or a refusal.

Never another exception, because one would stop the worker or block the partition.
Over 10,000 generated messages in all: random bytes, random JSON, and golden
examples mutated (fields removed, wrong types, extra keys, huge strings, garbage).
"""

import copy
import dataclasses
import json
import os
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.intake.domain import (
    BUILT_IN,
    Authorisations,
    Declaration,
    DossierItem,
    ReasonCode,
    Refusal,
    accept_declaration,
    check_reuse,
    fingerprint,
    parse_declaration,
    redact,
)
from shared.contracts.inbound import EXAMPLES_DIR, InboundDeclaration
from tests.support.parties import GOLDEN_PARTIES

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SCALE = float(os.environ.get("ACCORDEER_FUZZ_SCALE", "1"))
"""How many examples each property tries, against `make test`'s numbers: ACCORDEER_FUZZ_SCALE=10 for a long hunt."""


def examples(count: int) -> int:
    return max(1, round(count * SCALE))


GOLDEN_BYTES = [p.read_bytes() for p in sorted(EXAMPLES_DIR.glob("inbound_*.json"))]
GOLDEN = [json.loads(raw) for raw in GOLDEN_BYTES]
FIELDS = sorted(InboundDeclaration.model_fields) + [
    "organisation_person_id",
    "contact_id",
    "number",
    "type",
    "file_name",
    "mime_type",
    "content_base64",
    "location",
]
TRAPS = ["reactions", "reacties", "attachments", "employee_id", "debiteur_id", "verkooprelatie_id"]
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
EVERYONE = {"item_types": ["*"], "message_types": ["*"]}
AUTHORISATIONS = Authorisations.from_dict(
    {
        "sources": {src: {"service_user": "svc"} for src in ("afas-fin", "nmbrs", "exact", "caseware")},
        "users": {"svc": EVERYONE, "m.devries": EVERYONE, "a.bakker": EVERYONE, "nobody": {}},
    }
)
ITEM_TYPES = [BUILT_IN, dataclasses.replace(BUILT_IN, allows_file_link=False, confidential=True)]

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "C:\\Import\\a.pdf",
            "\\\\client\\C$\\a.pdf",
            "\\\\?\\C:\\a",
            "QUJD",
            "not base64",
            "2025-02-03T10:00:00",
            "2025-02-03T10:00:00Z",
            "btw-aangifte",
            "BTW",
            "\u0000",
            "\ufffd",
        ]
    ),
    st.integers(0xD800, 0xDFFF).map(chr),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
keys = st.one_of(st.sampled_from(FIELDS + TRAPS), st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(keys, inner), max_size=3).map(dict),
    max_leaves=8,
)


def _slots(value: Any, parent: Any = None, key: Any = None) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in the tree, so a mutation can hit any field at any depth."""
    found = [] if parent is None else [(parent, key)]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _slots(v, value, k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _slots(v, value, i)
    return found


ids = st.text(min_size=1, max_size=12)
OPTIONAL = ["submitter", "submitted_at", "attachment", "characteristics", "free_fields", "delivery_method_choice"]


@st.composite
def plausible_golden(draw: Any) -> Any:
    """Golden examples varied within (or just past) the rules, so many reach accept_declaration."""
    obj = copy.deepcopy(draw(st.sampled_from(GOLDEN)))
    for key in draw(st.lists(st.sampled_from(OPTIONAL), max_size=3)):
        obj.pop(key, None)
    obj["destinations"] = draw(
        st.lists(
            st.fixed_dictionaries({"organisation_person_id": ids}, optional={"contact_id": ids | st.none()}),
            min_size=1,
            max_size=5,
        )
    )
    obj["source"] = draw(st.sampled_from(["afas-fin", "nmbrs", "exact", "caseware", "twinfield"]))
    obj["message_type"] = draw(
        st.sampled_from(["btw-aangifte", "loonheffing", "vpb-aangifte"])
        | st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
    )
    if draw(st.booleans()):
        obj["submitter"] = draw(st.sampled_from(["svc", "m.devries", "nobody", "onbekend"]))
    if draw(st.booleans()):
        obj["free_fields"] = draw(
            st.dictionaries(
                ids,
                st.text(max_size=10) | st.integers() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        obj["characteristics"] = draw(st.dictionaries(ids, st.text(max_size=10), max_size=3))
    if draw(st.booleans()):
        obj["subject"] = draw(st.text(min_size=1, max_size=30))
    return obj


@st.composite
def mutated_golden(draw: Any) -> Any:
    obj = draw(plausible_golden())
    for _ in range(draw(st.integers(0, 3))):
        slots = _slots(obj)
        containers = [obj] + [c[k] for c, k in slots if isinstance(c[k], (dict, list))]
        operation = draw(st.sampled_from(["remove", "replace", "replace", "extra", "huge", "nest", "swap"]))
        if operation == "extra":
            target = draw(st.sampled_from(containers))
            if isinstance(target, dict):
                target[draw(keys)] = draw(json_values)
            else:
                target.append(draw(json_values))
            continue
        container, key = draw(st.sampled_from(slots))
        if operation == "remove":
            del container[key]
        elif operation == "replace":
            container[key] = draw(scalars | json_values)
        elif operation == "huge":
            container[key] = draw(st.sampled_from(["x", "A", "\\", "é", "QUJD"])) * draw(st.integers(0, 300_000))
        elif operation == "nest":
            for _ in range(draw(st.integers(1, 36))):
                container[key] = [container[key]] if draw(st.booleans()) else {"k": container[key]}
        else:
            container[key] = draw(st.sampled_from([None, 1, 1.5, True, "1", [], {}, [container[key]]]))
    return obj


def check(raw: Any, max_bytes: int = 1 << 20) -> None:
    result = parse_declaration(raw, max_bytes=max_bytes)
    assert isinstance(result, (Declaration, Refusal)), result
    event(f"parsed: {result.reason_code if isinstance(result, Refusal) else 'declaration'}")
    if isinstance(result, Refusal):
        assert_refusal(result)
        return
    assert check_reuse(None, result) == "new"
    assert check_reuse(fingerprint(result), result) == "duplicate"
    json.dumps(redact(result))
    for item_type in ITEM_TYPES:
        items = accept_declaration(
            result, authorisations=AUTHORISATIONS, item_type=item_type, parties=GOLDEN_PARTIES, received_at=NOW
        )
        event(f"accepted: {items.reason_code if isinstance(items, Refusal) else 'items'}")
        if isinstance(items, Refusal):
            assert_refusal(items)
            continue
        assert all(isinstance(item, DossierItem) for item in items)
        assert len(items) == len(result.destinations) == len({item.id for item in items})
        for item in items:
            json.dumps(redact(item))


def assert_refusal(refusal: Refusal) -> None:
    assert isinstance(refusal.reason_code, ReasonCode)
    assert isinstance(refusal.message, str) and 0 < len(refusal.message) < 4000
    for value in (refusal.message_id, refusal.source):
        assert value is None or (isinstance(value, str) and 0 < len(value) <= 100)


@settings(FUZZ, max_examples=examples(1000))
@given(st.binary(max_size=600))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


@settings(FUZZ, max_examples=examples(600))
@given(json_values, st.booleans())
def test_random_json_values(value: Any, ascii_only: bool) -> None:
    check(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=examples(300))
@given(st.lists(st.tuples(keys, json_values), max_size=8).map(dict), st.sampled_from([1, 2, "1", None]))
def test_random_objects_with_contract_keys(obj: dict[str, Any], version: Any) -> None:
    check(json.dumps({"schema_version": version, **obj}).encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=examples(500))
@given(mutated_golden(), st.booleans(), st.sampled_from([1 << 20] * 4 + [4096, 600]), st.data())
def test_mutated_golden_examples(obj: Any, ascii_only: bool, max_bytes: int, data: Any) -> None:
    raw = json.dumps(obj, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if data.draw(st.integers(0, 19)) == 0:  # now and then damage the bytes themselves
        cut = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:cut] + data.draw(st.binary(max_size=3)) + raw[cut + 1 :]
    check(raw, max_bytes)


@settings(FUZZ, max_examples=examples(400))
@given(
    st.sampled_from(GOLDEN_BYTES),
    st.lists(st.tuples(st.integers(0, 2000), st.binary(max_size=4)), min_size=1, max_size=4),
    st.booleans(),
)
def test_golden_examples_with_damaged_bytes(raw: bytes, edits: list[tuple[int, bytes]], truncate: bool) -> None:
    for edit_at, replacement in edits:
        position = edit_at % max(len(raw), 1)
        raw = raw[:position] + replacement + (b"" if truncate else raw[position + 1 :])
    check(raw)


def test_the_golden_examples_pass_the_whole_pipeline() -> None:
    for obj in GOLDEN:
        decl = parse_declaration(json.dumps(obj).encode(), max_bytes=1 << 20)
        assert isinstance(decl, Declaration)
        assert isinstance(
            accept_declaration(
                decl, authorisations=AUTHORISATIONS, item_type=BUILT_IN, parties=GOLDEN_PARTIES, received_at=NOW
            ),
            list,
        )
