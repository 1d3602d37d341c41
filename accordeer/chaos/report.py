"""The chaos run's table, for people (text) and for later comparison (JSON)."""

import json
from dataclasses import asdict
from pathlib import Path

from accordeer.chaos.run import RunReport

SHOWN_FINDINGS = 25


def rows(report: RunReport) -> list[tuple[str, str]]:
    verdict, expectations = report.verdict, report.expectations.values()
    items_expected = sum(e.items for e in expectations if e.registered)
    short = {f.message_id for f in verdict.findings if f.kind in ("not_final", "lost")}
    final = sum(1 for e in expectations if e.registered and e.message_id not in short)
    dead_expected = sum(e.dead_letters for e in expectations)
    transitions = ", ".join(
        f"{_code(a)}→{b}: {n}"
        for (a, b), n in sorted(verdict.transitions.items(), key=lambda t: (t[0][0] or -1, t[0][1]))
    )
    return [
        ("declarations submitted", ", ".join(f"{k} {v}" for k, v in sorted(report.submissions.items()))),
        ("items expected / stored", f"{items_expected} / {verdict.items_stored}"),
        ("registered messages at a final status", f"{final} of {sum(1 for e in expectations if e.registered)}"),
        ("lost", str(verdict.count("lost"))),
        ("duplicates (items, deliveries, status events)", str(verdict.count("duplicate"))),
        ("messages not at a final status", str(len({f.message_id for f in verdict.findings if f.kind == "not_final"}))),
        ("invalid status sequences", str(verdict.count("invalid"))),
        ("status events told again (same event id, dropped)", str(verdict.redelivered)),
        ("status events per transition", transitions),
        ("dead letters expected / found (declarations.inbound.dlq)", f"{dead_expected} / {report.dead_letters_found}"),
        ("refusals on declarations.refused", str(report.refusals_found)),
        ("dead letters on internal topics", str(len(report.dead_letters_elsewhere))),
        (
            "gateway: aanleverkenmerken / attempts / lifetimes",
            f"{report.gateway['aanleverkenmerken']} / {report.gateway['attempts']} / {report.gateway['lifetimes']}",
        ),
        (
            "time: stack start / publishing with faults / drain (s)",
            f"{report.timings.get('start_stack_s')} / {report.timings.get('publish_and_faults_s')} / "
            f"{report.timings.get('drain_s')}{'' if report.timings.get('drained') else ' (TIMED OUT)'}",
        ),
        ("verdict", "PASS" if report.ok else "FAIL"),
    ]


def _code(code) -> str:
    return "start" if code is None else str(code)


def text(report: RunReport) -> str:
    width = max(len(label) for label, _ in rows(report))
    lines = [
        f"Chaos run {report.run_id}: {report.settings['declarations']} declarations, seed "
        f"{report.settings['seed']}, {report.settings['rate']}/s",
        "",
    ]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows(report)]
    lines += ["", "Faults (seconds after the start of publishing):"]
    lines += [
        f"  {f.started:>7.1f} – {f.ended if f.ended is not None else '?':>7}  {f.name}: {f.note}" for f in report.faults
    ]
    if report.verdict.findings:
        lines += ["", f"Findings ({len(report.verdict.findings)}; the first {SHOWN_FINDINGS}):"]
        lines += [
            f"  {f.kind:<10} {f.message_id} {f.dossier_item_id or ''}: {f.text}"
            for f in report.verdict.findings[:SHOWN_FINDINGS]
        ]
    if report.streams:
        message_id = report.verdict.findings[0].message_id
        lines += ["", f"Status events of {message_id} as read from messages.status (all: in the JSON):"]
        lines += [f"  {_event_line(e)}" for e in report.streams.get(message_id, [])]
    for title, entries in (
        ("Dead letters on internal topics", report.dead_letters_elsewhere),
        ("Unreadable records", report.unreadable),
    ):
        if entries:
            lines += ["", f"{title} ({len(entries)}):", *[f"  {e}" for e in entries[:SHOWN_FINDINGS]]]
    lines += ["", f"Logs: {report.log_dir}"]
    return "\n".join(lines)


def _event_line(event) -> str:
    authority = f" [{event.authority_status_code}]" if event.authority_status_code else ""
    return (
        f"{event.occurred_at[:23]:<23} {(event.dossier_item_id or '-')[:8]:<8} {event.status_code:>3}{authority} "
        f"{event.detail[:70]}"
    )


def write_json(report: RunReport, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"chaos-{report.run_id}.json"
    document = {
        "run_id": report.run_id,
        "ok": report.ok,
        "settings": report.settings,
        "table": dict(rows(report)),
        "submissions": report.submissions,
        "timings": report.timings,
        "gateway": report.gateway,
        "faults": [asdict(f) for f in report.faults],
        "findings": [asdict(f) for f in report.verdict.findings],
        "transitions": {f"{_code(a)}->{b}": n for (a, b), n in report.verdict.transitions.items()},
        "dead_letters_elsewhere": report.dead_letters_elsewhere,
        "unreadable": report.unreadable,
        "streams": {m: [asdict(e) for e in events] for m, events in report.streams.items()},
    }
    path.write_text(json.dumps(document, indent=2, default=str))
    return path
