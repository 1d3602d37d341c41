"""Serialisation on the hot paths: what each call site costs with the standard json module or pydantic, against
orjson and msgspec, on the project's own models and payloads, beside the share of its service's samples in a
py-spy profile (``make profile``).

    python -m benchmarks.serialisation [--profile .cache/profile/<timestamp>] [--repeat 7]

Per call site the first way is the reference: pydantic's call as the services make it, or the json call they
made before the jsonb codecs moved to msgspec ("before"; "this tree" is the code now).
Each way is timed with timeit: the number of calls per run doubles until a run takes 20 ms; then ``--repeat``
rounds run every way of a site once in turn (a busy moment of a shared machine falls on all of them alike).
The figure is the median time per call, and "×first" the reference's median over this way's. "same" says
whether the way gives what the reference gives (the same bytes, an equal object, or for jsonb the same JSON
value), so a faster way that would change a contract or a stored fingerprint shows as such. The profile's
shares count the samples whose stack holds the call site's frames in that order (py-spy's folded stacks, one
file per service). orjson is measured when installed (the bench extra).
"""

import argparse
import hashlib
import json
import statistics
import timeit
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from services.intake.domain import parsing
from services.intake.domain.fingerprint import fingerprint
from shared.contracts.approved import MessageApproved
from shared.contracts.inbound import EXAMPLES_DIR, InboundDeclaration
from shared.contracts.items import DossierItemCreated
from shared.contracts.status import StatusCode, StatusEvent
from shared.contracts.tasks import TaskEvent
from shared.db import pool
from tests.support.declarations import example

try:
    import orjson
except ImportError:  # measured only where installed (the bench extra)
    orjson = None  # type: ignore[assignment]

_SORTED = msgspec.json.Encoder(order="sorted")

BUDGET = 0.02
"""Seconds one run of a way takes at least, so that the clock's resolution does not matter."""


def per_call(
    calls: Sequence[Callable[[], Any]], *, repeat: int, budget: float = BUDGET, clock=timeit.default_timer
) -> list[float]:
    """Median seconds per call of each of ``calls``, over ``repeat`` rounds that run each once in turn (so a busy
    moment of the machine falls on all of them), each run as many calls as fill ``budget``."""
    timers = [timeit.Timer(call, timer=clock) for call in calls]
    numbers = []
    for timer in timers:
        number = 1
        while timer.timeit(number) < budget:
            number *= 2
        numbers.append(number)
    runs: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for timer, number, times in zip(timers, numbers, runs, strict=True):
            times.append(timer.timeit(number) / number)
    return [statistics.median(times) for times in runs]


def speedup(reference: float, other: float) -> float:
    """How many times faster ``other`` is than ``reference`` (below 1: slower)."""
    return reference / other if other > 0 else float("inf")


def share(folded: str, frames: Sequence[str]) -> float:
    """The share of samples whose stack holds ``frames`` in this order (not necessarily adjacent). A frame is
    matched by "name (file.py", as py-spy writes "name (path/file.py:line)"."""
    matched = samples = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples += int(count)
        position = 0
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            if position < len(frames) and f"{name} ({where.rsplit('/', 1)[-1]}".startswith(frames[position]):
                position += 1
        if position == len(frames):
            matched += int(count)
    return matched / samples if samples else 0.0


@dataclass(frozen=True)
class Way:
    name: str
    call: Callable[[], Any]


@dataclass(frozen=True)
class Site:
    """One call site: the reference way first, then the alternatives; where the profile finds it, per service."""

    name: str
    ways: list[Way]
    frames: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)
    same: Callable[[Any, Any], bool] = lambda a, b: a == b


def _with_orjson(call: Callable[[], Any]) -> Callable[[], Any] | None:
    """A way that needs orjson, where it is installed."""
    return call if orjson is not None else None


def _ways(*candidates: tuple[str, Callable[[], Any] | None]) -> list[Way]:
    return [Way(name, call) for name, call in candidates if call is not None]


def payloads() -> dict[str, Any]:
    """The bench's declaration (the golden btw-aangifte with its 4.8 KB XBRL document, as bytes on the topic),
    the golden dossier item, the approved message workflow makes of it, a status and a task event."""
    raw = json.dumps(example("btw_aangifte", message_id="bench-serialisation-1")).encode()
    item = DossierItemCreated.model_validate_json((Path(EXAMPLES_DIR) / "dossier_item.json").read_bytes())
    approved = MessageApproved(
        dossier_item_id=item.dossier_item_id,
        message_id=item.message_id,
        source=item.source,
        message_type=item.message_type,
        identity=item.identity,
        document=item.document,
        approved_by="sanne.vandijk",
        approved_at=datetime(2025, 2, 3, 14, 12, tzinfo=UTC),
    )
    status = StatusEvent.of(
        StatusCode.SENT,
        message_id=item.message_id,
        source=item.source,
        dossier_item_id=item.dossier_item_id,
        occurred_at=datetime(2025, 2, 3, 14, 13, tzinfo=UTC),
        detail="Digipoort kenmerk 6f2a…",
        authority_status_code="100",
    )
    task = TaskEvent.model_validate_json((Path(EXAMPLES_DIR) / "task_created.json").read_bytes())
    return {
        "raw": raw,
        "declaration": InboundDeclaration.model_validate_json(raw),
        "item": item,
        "approved": approved,
        "status": status,
        "task": task,
    }


def sites(p: dict[str, Any]) -> list[Site]:
    raw, decl, item, approved, status = p["raw"], p["declaration"], p["item"], p["approved"], p["status"]
    text = raw.decode()
    item_bytes, approved_bytes = item.model_dump_json().encode(), approved.model_dump_json().encode()
    canonical = decl.model_dump(mode="json")
    item_row, request_row = item.model_dump(mode="json"), approved.model_dump(mode="json")
    item_jsonb, request_jsonb = _json_jsonb(item_row), _json_jsonb(request_row)
    headers = [["accordeer-reason-code", "unreadable"]]
    identity = [status.message_id, status.dossier_item_id, 60, status.occurred_at.isoformat(), status.detail, None]
    found = [
        Site(
            "intake: declaration bytes → InboundDeclaration",
            _ways(
                ("json.loads(hooks) + model_validate", lambda: InboundDeclaration.model_validate(parsing._load(text))),
                ("model_validate_json (no duplicate-key check)", lambda: InboundDeclaration.model_validate_json(raw)),
                (
                    "orjson.loads + model_validate",
                    _with_orjson(lambda: InboundDeclaration.model_validate(orjson.loads(raw))),
                ),
            ),
            {"intake": [("_load (parsing.py",), ("_validate (parsing.py", "BaseModel.model_validate (main.py")]},
        ),
        Site(
            "intake: the JSON text alone → dict",
            _ways(
                ("json.loads(hooks)", lambda: parsing._load(text)),
                ("orjson.loads (no duplicate-key check)", _with_orjson(lambda: orjson.loads(raw))),
                ("msgspec.json.decode (no duplicate-key check)", lambda: msgspec.json.decode(raw)),
            ),
            {"intake": [("_load (parsing.py",)]},
        ),
        Site(
            "intake: fingerprint's canonical JSON",
            _ways(
                ("json.dumps(sort_keys, ascii) (before)", lambda: _json_canonical(canonical)),
                (
                    "orjson.dumps(OPT_SORT_KEYS)",
                    _with_orjson(lambda: orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)),
                ),
                ("msgspec Encoder(order=sorted)", lambda: _SORTED.encode(canonical)),
            ),
            {"intake": [("fingerprint (fingerprint.py", "dumps (__init__.py")]},
        ),
        Site(
            "intake: fingerprint, whole (model_dump + dumps + sha256)",
            _ways(
                ("fingerprint() (this tree: json.dumps)", lambda: fingerprint(decl)),
                (
                    "with msgspec Encoder(order=sorted)",
                    lambda: hashlib.sha256(_SORTED.encode(decl.model_dump(mode="json"))).hexdigest(),
                ),
            ),
            {"intake": [("fingerprint (fingerprint.py",)]},
        ),
    ]

    def outbox_value(name: str, model: Any) -> Site:  # a function of its own: each site's ways keep their model
        return Site(
            f"outbox value: {name} → bytes",
            _ways(
                ("model_dump_json().encode()", lambda: model.model_dump_json().encode()),
                (
                    "orjson.dumps(model_dump(mode=json))",
                    _with_orjson(lambda: orjson.dumps(model.model_dump(mode="json"))),
                ),
            ),
            _OUTBOX.get(name, {}),
        )

    for name, key in (
        ("StatusEvent", "status"),
        ("TaskEvent", "task"),
        ("DossierItemCreated", "item"),
        ("MessageApproved", "approved"),
    ):
        found.append(outbox_value(name, p[key]))
    found += [
        Site(
            "workflow: dossier.items bytes → DossierItemCreated",
            _ways(
                ("model_validate_json", lambda: DossierItemCreated.model_validate_json(item_bytes)),
                ("json.loads + model_validate", lambda: DossierItemCreated.model_validate(json.loads(item_bytes))),
                (
                    "orjson.loads + model_validate",
                    _with_orjson(lambda: DossierItemCreated.model_validate(orjson.loads(item_bytes))),
                ),
            ),
            {"workflow": [("_readable_item (use_cases.py",)]},
        ),
        Site(
            "dispatch: messages.approved bytes → MessageApproved",
            _ways(
                ("model_validate_json", lambda: MessageApproved.model_validate_json(approved_bytes)),
                (
                    "orjson.loads + model_validate",
                    _with_orjson(lambda: MessageApproved.model_validate(orjson.loads(approved_bytes))),
                ),
            ),
            {"dispatch": [("Dispatch._read_approved (use_cases.py", "BaseModel.model_validate_json (main.py")]},
        ),
        Site(
            "dispatch: deliveries.request dict → MessageApproved",
            _ways(
                ("model_validate", lambda: MessageApproved.model_validate(request_row)),
            ),
            {"dispatch": [("Dispatch._deliver (use_cases.py", "BaseModel.model_validate (main.py")]},
        ),
        Site(
            "jsonb encode: a dossier item (workflow.instances.item)", _encodes(item_row), _JSONB_ENCODE, same=_same_json
        ),
        Site("jsonb encode: an approved message (dispatch.deliveries.request)", _encodes(request_row), same=_same_json),
        Site("jsonb encode: outbox headers", _encodes(headers), same=_same_json),
        Site("jsonb decode: a dossier item (workflow.instances.item)", _decodes(item_jsonb), _JSONB_DECODE),
        Site("jsonb decode: an approved message (dispatch.deliveries.request)", _decodes(request_jsonb)),
        Site(
            "status/task event_id: json.dumps of the identity",
            _ways(
                ("json.dumps", lambda: json.dumps(identity)),
                ("orjson.dumps().decode()", _with_orjson(lambda: orjson.dumps(identity).decode())),
            ),
            {
                "intake": [("StatusEvent.of (status.py", "dumps (__init__.py")],
                "workflow": [
                    ("StatusEvent.of (status.py", "dumps (__init__.py"),
                    ("TaskEvent.of (tasks.py", "dumps ("),
                ],
                "dispatch": [("StatusEvent.of (status.py", "dumps (__init__.py")],
            },
        ),
        Site(
            "relay: outbox headers text → pairs",
            _ways(
                ("json.loads", lambda: json.loads('[["accordeer-reason-code", "unreadable"]]')),
                ("orjson.loads", _with_orjson(lambda: orjson.loads('[["accordeer-reason-code", "unreadable"]]'))),
            ),
            {
                "intake": [("_headers (relay.py",)],
                "workflow": [("_headers (relay.py",)],
                "dispatch": [("_headers (relay.py",)],
            },
        ),
    ]
    return found


def _json_canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _json_jsonb(value: Any) -> bytes:
    return b"\x01" + json.dumps(value).encode()


def _encodes(value: Any) -> list[Way]:
    return _ways(
        ("json.dumps (before)", lambda: _json_jsonb(value)),
        ("orjson.dumps", _with_orjson(lambda: b"\x01" + orjson.dumps(value))),
        ("msgspec.json.encode", lambda: b"\x01" + msgspec.json.encode(value)),
        ("pool._encode_jsonb (this tree)", lambda: pool._encode_jsonb(value)),
    )


def _decodes(data: bytes) -> list[Way]:
    return _ways(
        ("json.loads (before)", lambda: json.loads(data[1:])),
        ("orjson.loads (integers beyond 64 bits become floats)", _with_orjson(lambda: orjson.loads(data[1:]))),
        ("msgspec.json.decode", lambda: msgspec.json.decode(data[1:])),
        ("pool._decode_jsonb (this tree)", lambda: pool._decode_jsonb(data)),
    )


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values (jsonb keeps no spelling: PostgreSQL parses either into the same value)."""

    def load(value):
        value = value[1:] if isinstance(value, bytes) and value[:1] == b"\x01" else value
        return json.loads(value)

    return load(a) == load(b)


_OUTBOX = {
    "StatusEvent": {
        service: [("OutboxRecord.of (outbox.py", "BaseModel.model_dump_json (main.py")]
        for service in ("intake", "workflow", "dispatch")
    }
}
"""The profile cannot tell which model an outbox record holds: the share of all of them stands with the status
event, the record every service writes most."""
_JSONB_ENCODE = {service: [("_encode_jsonb (pool.py",)] for service in ("intake", "workflow", "dispatch")}
_JSONB_DECODE = {service: [("_decode_jsonb (pool.py",)] for service in ("intake", "workflow", "dispatch")}


@dataclass(frozen=True)
class Row:
    site: str
    way: str
    seconds: float
    speedup: float
    same: bool


def measure(found: list[Site], repeat: int) -> list[Row]:
    rows = []
    for site in found:
        reference = site.ways[0].call()
        timings = per_call([way.call for way in site.ways], repeat=repeat)
        for way, seconds in zip(site.ways, timings, strict=True):
            rows.append(
                Row(site.name, way.name, seconds, speedup(timings[0], seconds), site.same(reference, way.call()))
            )
    return rows


def shares(found: list[Site], profile: Path | None) -> dict[str, str]:
    """Per site, "service x.x%" for each service whose profile finds it."""
    if profile is None:
        return {}
    folded = {path.stem: path.read_text() for path in profile.glob("*.txt") if path.stem != "top"}
    out = {}
    for site in found:
        parts = [
            f"{service} {sum(share(folded[service], frames) for frames in paths):.1%}"
            for service, paths in site.frames.items()
            if service in folded
        ]
        out[site.name] = ", ".join(parts)
    return out


def table(rows: list[Row], site_shares: dict[str, str]) -> str:
    lines = [f"{'call site / way':<62} {'µs/call':>9} {'×first':>7} {'same':>5}"]
    site = None
    for row in rows:
        if row.site != site:
            site = row.site
            lines.append(site + (f"   [profile: {site_shares[site]}]" if site_shares.get(site) else ""))
        lines.append(f"  {row.way:<60} {row.seconds * 1e6:9.2f} {row.speedup:7.2f} {'yes' if row.same else 'NO':>5}")
    return "\n".join(lines)


def _latest_profile() -> Path | None:
    from accordeer.connect import CACHE_DIR

    found = sorted((CACHE_DIR / "profile").glob("*/top.txt"))
    return found[-1].parent if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=Path, help="a make-profile folder (default: the latest under .cache)")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    profile = args.profile or _latest_profile()
    found = sites(payloads())
    print(
        f"orjson {orjson.__version__ if orjson else 'not installed'}, msgspec {msgspec.__version__}; "
        f"profile: {profile or 'none'}; median of {args.repeat} runs\n"
    )
    print(table(measure(found, args.repeat), shares(found, profile)))


if __name__ == "__main__":
    main()
