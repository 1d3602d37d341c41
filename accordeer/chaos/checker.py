"""The chaos run's verdict, as pure logic: is every message's status stream complete, free of duplicates and
along the allowed transitions (DOMAIN.md, "Message statuses")?

In the spirit of Jepsen's Kafka checker, each message's events are read in ``messages.status`` partition
order (one key, one partition) and judged per message and per dossier item:

- lost: an expected event never came (no 10, fewer items than destinations, a refusal nowhere to be read,
  a dead letter missing), or an item never reached its final status;
- duplicate: one change told twice under different event ids (a second 10, the same status with the same
  facts again, more items than destinations, more dead letters than refused submissions, a delivery counted
  twice at the gateway); the same event id twice is a harmless redelivery and is dropped first;
- invalid: a transition the contract does not allow, or out of order (an item's event before its message's
  10, a 0 for a message that was registered, a final status that moves on, an outcome other than expected).
"""

from collections import Counter
from dataclasses import dataclass, field

REFUSED, REGISTERED = 0, 10
PROCESSING, IN_WORKFLOW, REJECTED, PREPARED, SENT, SEND_ERROR, ACCEPTED, DECLINED = 20, 30, 40, 50, 60, 70, 80, 90

ALLOWED: dict[int | None, frozenset[int]] = {
    None: frozenset({PROCESSING}),
    PROCESSING: frozenset({IN_WORKFLOW}),
    IN_WORKFLOW: frozenset({REJECTED, PREPARED}),
    REJECTED: frozenset({IN_WORKFLOW}),  # restored by the task manager
    PREPARED: frozenset({SENT, SEND_ERROR, DECLINED}),  # 90 at once: the gateway's validation refused it
    SENT: frozenset({SEND_ERROR, ACCEPTED, DECLINED}),
    SEND_ERROR: frozenset({SENT, DECLINED}),  # delivered again or re-sent; 70 itself is not final
    ACCEPTED: frozenset(),
    DECLINED: frozenset(),
}
"""Per dossier item: the status before (None: no event yet) → the statuses that may follow it."""

RESTATED = frozenset({PROCESSING, IN_WORKFLOW, SENT, SEND_ERROR})
"""Statuses an item may report again with new facts: another gateway status on 60, a refused action's reason or
an escalation on 20/30, another failure on 70. The same facts again are a duplicate."""

ITEM_FINAL = frozenset({REJECTED, ACCEPTED, DECLINED})
"""Where an item may rest once the run has drained (40 is final unless a task manager restores the item)."""


@dataclass(frozen=True)
class Event:
    """The fields of a status event the checker reads."""

    event_id: str
    message_id: str
    status_code: int
    dossier_item_id: str | None = None
    detail: str = ""
    reason_code: str | None = None
    authority_status_code: str | None = None
    occurred_at: str = ""
    """Only for the report: when the service says it happened."""

    @property
    def facts(self) -> tuple:
        return self.detail, self.reason_code, self.authority_status_code


@dataclass(frozen=True)
class Expectation:
    """What one submitted message id must come to."""

    message_id: str
    registered: bool
    """True: accepted (10, then ``items`` dossier items). False: refused at intake, never registered."""
    items: int = 0
    outcome: int | None = None
    """The status every item of a registered message ends at: 40 (rejected), 80 or 90."""
    dead_letters: int = 0
    """Records expected on declarations.inbound.dlq under this id (one per refused submission)."""
    refusals_elsewhere: int = 0
    """Refused later submissions under a registered id: each must be readable on declarations.refused."""


@dataclass(frozen=True)
class Finding:
    kind: str  # lost | duplicate | invalid | not_final
    message_id: str
    text: str
    dossier_item_id: str | None = None


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    transitions: Counter = field(default_factory=Counter)
    """(from, to) → how many, after repeated event ids were dropped; (s, s) counts restatements."""
    redelivered: int = 0
    """Events whose event_id was seen before (dropped before judging)."""
    items_stored: int = 0

    def add(self, kind: str, message_id: str, text: str, item: str | None = None) -> None:
        self.findings.append(Finding(kind, message_id, text, item))

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_item(
    item_id: str, message_id: str, events: list[Event], expected_outcome: int | None, verdict: Verdict
) -> None:
    """One dossier item's events (event ids already unique), in partition order."""
    current: int | None = None
    facts: set[tuple] = set()
    for event in events:
        code = event.status_code
        if code == current:
            verdict.transitions[(current, code)] += 1
            if code not in RESTATED or event.facts in facts:
                verdict.add("duplicate", message_id, f"{code} told twice ({event.detail!r})", item_id)
            elif code == SENT and event.authority_status_code is None:
                facts = {event.facts}  # accepted again (a new gateway kenmerk): its trail starts over
            else:
                facts.add(event.facts)
            continue
        verdict.transitions[(current, code)] += 1
        if code not in ALLOWED.get(current, frozenset()):
            verdict.add("invalid", message_id, f"{_name(current)} → {code} is not an allowed transition", item_id)
        current, facts = code, {event.facts}
    if current not in ITEM_FINAL:
        verdict.add("not_final", message_id, f"ends at {_name(current)}, not at a final status", item_id)
    elif expected_outcome is not None and current != expected_outcome:
        verdict.add("invalid", message_id, f"ends at {current}, expected {expected_outcome}", item_id)


def check_message(
    expectation: Expectation, events: list[Event], verdict: Verdict, *, refused_elsewhere: int = 0
) -> None:
    """One message's status events in partition order (event ids already unique). ``refused_elsewhere``: how
    many records declarations.refused holds under this id."""
    message_id = expectation.message_id
    tens = [e for e in events if e.dossier_item_id is None and e.status_code == REGISTERED]
    zeros = [e for e in events if e.dossier_item_id is None and e.status_code == REFUSED]
    odd = [e for e in events if e.dossier_item_id is None and e.status_code not in (REGISTERED, REFUSED)]
    for event in odd:
        verdict.add("invalid", message_id, f"status {event.status_code} without a dossier item")
    first_ten = next(
        (i for i, e in enumerate(events) if e.dossier_item_id is None and e.status_code == REGISTERED), len(events)
    )
    items: dict[str, list[Event]] = {}
    for index, event in enumerate(events):
        if event.dossier_item_id is None:
            continue
        if index < first_ten:
            verdict.add(
                "invalid", message_id, f"item event {event.status_code} before the message's 10", event.dossier_item_id
            )
        items.setdefault(event.dossier_item_id, []).append(event)

    if not expectation.registered:
        if tens or items:
            verdict.add("invalid", message_id, "a message that must be refused was registered")
        if not zeros and not refused_elsewhere:
            verdict.add("lost", message_id, "refused, but no refusal can be read under its id")
        return

    if not tens:
        verdict.add("lost", message_id, "no 10 (Registered)")
    if len(tens) > 1:
        verdict.add("duplicate", message_id, f"{len(tens)} events 10 (Registered)")
    for zero in zeros:
        verdict.add("invalid", message_id, f"0 (Refused) on a registered message: {zero.detail!r}")
    if refused_elsewhere < expectation.refusals_elsewhere:
        verdict.add(
            "lost",
            message_id,
            f"{expectation.refusals_elsewhere} later submission(s) refused, "
            f"{refused_elsewhere} on declarations.refused",
        )
    if len(items) < expectation.items:
        verdict.add("lost", message_id, f"{len(items)} dossier item(s) of {expectation.items}")
    if len(items) > expectation.items:
        verdict.add("duplicate", message_id, f"{len(items)} dossier items for {expectation.items} destination(s)")
    verdict.items_stored += len(items)
    for item_id, item_events in items.items():
        check_item(item_id, message_id, item_events, expectation.outcome, verdict)


def check_dead_letters(expectation: Expectation, found: int, verdict: Verdict) -> None:
    """``found``: distinct records (by original coordinates) on declarations.inbound.dlq under this id."""
    if found < expectation.dead_letters:
        verdict.add("lost", expectation.message_id, f"{found} dead letter(s), expected {expectation.dead_letters}")
    elif found > expectation.dead_letters:
        verdict.add("duplicate", expectation.message_id, f"{found} dead letter(s), expected {expectation.dead_letters}")


def check_deliveries(
    deliveries_per_aanleverkenmerk: dict[str, int],
    aanleverkenmerken_per_item: dict[str, set[str]],
    message_of_item: dict[str, str],
    verdict: Verdict,
) -> None:
    """The gateway's counts: each aanleverkenmerk registered once, and one aanleverkenmerk per item (nothing in
    a chaos run asks for a re-send, so a second one is a second filing)."""
    for kenmerk, count in deliveries_per_aanleverkenmerk.items():
        if count > 1:
            verdict.add("duplicate", "-", f"aanleverkenmerk {kenmerk} registered {count} times at the gateway")
    for item_id, kenmerken in aanleverkenmerken_per_item.items():
        if len(kenmerken) > 1:
            verdict.add(
                "duplicate",
                message_of_item.get(item_id, "-"),
                f"delivered under {len(kenmerken)} aanleverkenmerken: {', '.join(sorted(kenmerken))}",
                item_id,
            )


def unique(events: list[Event], verdict: Verdict) -> list[Event]:
    """Drop events whose event_id came before (the outbox relay may publish a record again after a crash)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.event_id in seen:
            verdict.redelivered += 1
            continue
        seen.add(event.event_id)
        kept.append(event)
    return kept


def check(
    expectations: dict[str, Expectation],
    events_by_message: dict[str, list[Event]],
    *,
    refused_elsewhere: Counter | None = None,
    dead_letters: Counter | None = None,
) -> Verdict:
    """The whole run. ``events_by_message``: every status event per message id in partition order."""
    verdict = Verdict()
    refused_elsewhere = refused_elsewhere or Counter()
    dead_letters = dead_letters or Counter()
    for message_id, expectation in expectations.items():
        events = unique(events_by_message.get(message_id, []), verdict)
        check_message(expectation, events, verdict, refused_elsewhere=refused_elsewhere[message_id])
        check_dead_letters(expectation, dead_letters[message_id], verdict)
    for message_id in sorted(set(events_by_message) - set(expectations)):
        verdict.add("invalid", message_id, "status events for a message nobody submitted")
    for message_id in sorted(set(dead_letters) - set(expectations)):
        verdict.add("duplicate", message_id, "a dead letter for a message nobody submitted")
    return verdict


def _name(code: int | None) -> str:
    return "(start)" if code is None else str(code)
