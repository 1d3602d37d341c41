"""The chaos checker's rules on hand-made status streams: each rule passes a good stream and fails a bad one."""

from collections import Counter
from itertools import count

import pytest

from accordeer.chaos.checker import Event, Expectation, Verdict, check, check_deliveries

_ids = count()


def ev(
    code: int,
    item: str | None = "A",
    *,
    detail: str = "",
    authority: str | None = None,
    reason: str | None = None,
    event_id: str | None = None,
    message: str = "m1",
) -> Event:
    return Event(
        event_id=event_id or f"e{next(_ids)}",
        message_id=message,
        status_code=code,
        dossier_item_id=item,
        detail=detail,
        authority_status_code=authority,
        reason_code=reason,
    )


def trail(item: str = "A", *codes_and_authority) -> list[Event]:
    return [ev(60, item, detail="delivered; gateway kenmerk K1")] + [
        ev(60, item, detail=f"{a} step", authority=str(a)) for a in codes_and_authority
    ]


def happy(item: str = "A") -> list[Event]:
    return [
        ev(20, item),
        ev(30, item),
        ev(50, item),
        *trail(item, 105, 100, 110, 200),
        ev(80, item, detail="500", authority="500"),
    ]


def registered(outcome: int = 80, items: int = 1, **extra) -> dict[str, Expectation]:
    return {"m1": Expectation("m1", registered=True, items=items, outcome=outcome, **extra)}


def kinds(verdict: Verdict) -> list[str]:
    return sorted(f.kind for f in verdict.findings)


def test_a_happy_stream_passes_and_counts_its_transitions():
    verdict = check(registered(), {"m1": [ev(10, None), *happy()]})
    assert verdict.ok, verdict.findings
    assert verdict.transitions[(30, 50)] == 1 and verdict.transitions[(60, 60)] == 4
    assert verdict.items_stored == 1


def test_rejection_restore_and_send_error_paths_are_allowed():
    stream = [
        ev(10, None),
        ev(20),
        ev(30),
        ev(40, detail="nee"),
        ev(30, detail="hersteld"),
        ev(50),
        ev(70, detail="gateway down"),
        *trail("A", 105, 301),
        ev(70, detail="420", authority="420"),
        ev(60, detail="405", authority="405"),
        ev(80, authority="500"),
    ]
    assert check(registered(), {"m1": stream}).ok


def test_two_destinations_each_follow_their_own_path():
    stream = [ev(10, None), ev(20, "A"), ev(20, "B"), ev(30, "A"), ev(30, "B"), ev(40, "A"), ev(40, "B")]
    assert check(registered(outcome=40, items=2), {"m1": stream}).ok


def test_a_repeated_event_id_is_a_redelivery_not_a_duplicate():
    ten = ev(10, None, event_id="same")
    verdict = check(registered(), {"m1": [ten, ten, *happy()]})
    assert verdict.ok and verdict.redelivered == 1


@pytest.mark.parametrize(
    "stream, kind",
    [
        ([ev(20), ev(30), ev(50), *trail("A", 105), ev(80)], "lost"),  # no 10
        ([ev(10, None), ev(30), ev(50), *trail("A"), ev(80)], "invalid"),  # 20 lost: start → 30
        ([ev(10, None), ev(20), ev(30), ev(60), ev(80)], "invalid"),  # 50 lost: 30 → 60
        ([ev(10, None), ev(20), ev(30), ev(50)], "not_final"),  # stuck at 50
        ([ev(10, None), ev(20), ev(30), ev(50), *trail("A", 105), ev(70, detail="x")], "not_final"),  # 70 is not final
    ],
)
def test_a_lost_event_fails(stream, kind):
    assert kind in kinds(check(registered(), {"m1": stream}))


@pytest.mark.parametrize(
    "stream",
    [
        [ev(10, None), ev(10, None), *happy()],  # registered twice
        [ev(10, None), ev(20), ev(20), ev(30), ev(50), *trail("A"), ev(80)],  # 20 told twice
        [ev(10, None), ev(20), ev(30), ev(50), ev(50), *trail("A"), ev(80)],  # 50 told twice
        [ev(10, None), ev(20), ev(30), ev(50), *trail("A", 105, 100, 100), ev(80)],  # the same gateway status twice
        [
            ev(10, None),
            ev(20),
            ev(30),
            ev(50),
            *trail("A", 105),
            *trail("A", 105),
            ev(80),
        ],  # same kenmerk accepted twice
    ],
)
def test_a_duplicate_fails(stream):
    assert "duplicate" in kinds(check(registered(), {"m1": stream}))


def test_a_second_delivery_under_a_new_kenmerk_restarts_the_trail():
    again = [ev(60, detail="delivered; gateway kenmerk K2"), ev(60, detail="105 step", authority="105")]
    stream = [ev(10, None), ev(20), ev(30), ev(50), *trail("A", 105, 100), *again, ev(80)]
    assert check(registered(), {"m1": stream}).ok


def test_more_items_than_destinations_is_a_duplicate():
    stream = [ev(10, None), *happy("A"), *happy("B")]
    assert kinds(check(registered(items=1), {"m1": stream})) == ["duplicate"]


def test_fewer_items_than_destinations_is_lost():
    assert kinds(check(registered(items=2), {"m1": [ev(10, None), *happy("A")]})) == ["lost"]


@pytest.mark.parametrize(
    "stream",
    [
        [ev(10, None), *happy(), ev(60, authority="105")],  # a final status moves on
        [ev(10, None), ev(20), ev(30), ev(50), *trail("A"), ev(80), ev(90)],  # 80 then 90
        [ev(10, None), ev(20), ev(30), ev(50), ev(40)],  # rejected after approval
        [ev(10, None), ev(20), ev(30), ev(50), ev(70), ev(80)],  # accepted without being sent again
        [ev(20), ev(10, None), ev(30), ev(50), *trail("A"), ev(80)],  # out of order: an item event before the 10
    ],
)
def test_out_of_order_or_forbidden_transitions_are_invalid(stream):
    assert "invalid" in kinds(check(registered(), {"m1": stream}))


def test_a_refusal_on_a_registered_message_is_invalid():
    stream = [ev(10, None), ev(20), ev(0, None, detail="reused id"), ev(30), ev(50), *trail("A"), ev(80)]
    assert kinds(check(registered(), {"m1": stream})) == ["invalid"]


def test_the_wrong_outcome_is_invalid():
    assert kinds(check(registered(outcome=90), {"m1": [ev(10, None), *happy()]})) == ["invalid"]


def test_a_refused_message_needs_a_readable_refusal_and_no_registration():
    refused = {"m1": Expectation("m1", registered=False, dead_letters=1)}
    assert check(refused, {"m1": [ev(0, None)]}, dead_letters=Counter(m1=1)).ok
    assert check(refused, {}, refused_elsewhere=Counter(m1=1), dead_letters=Counter(m1=1)).ok
    assert kinds(check(refused, {}, dead_letters=Counter(m1=1))) == ["lost"]
    assert "invalid" in kinds(check(refused, {"m1": [ev(0, None), ev(10, None)]}, dead_letters=Counter(m1=1)))


def test_dead_letters_missing_or_doubled_fail():
    refused = {"m1": Expectation("m1", registered=False, dead_letters=1)}
    assert kinds(check(refused, {"m1": [ev(0, None)]})) == ["lost"]
    assert kinds(check(refused, {"m1": [ev(0, None)]}, dead_letters=Counter(m1=2))) == ["duplicate"]
    assert kinds(check({}, {}, dead_letters=Counter(stranger=1))) == ["duplicate"]


def test_a_later_refused_submission_must_be_readable_elsewhere():
    expectation = registered(refusals_elsewhere=1, dead_letters=1)
    stream = [ev(10, None), *happy()]
    assert check(expectation, {"m1": stream}, refused_elsewhere=Counter(m1=1), dead_letters=Counter(m1=1)).ok
    assert kinds(check(expectation, {"m1": stream}, dead_letters=Counter(m1=1))) == ["lost"]


def test_events_for_a_message_nobody_sent_are_invalid():
    assert kinds(check({}, {"ghost": [ev(10, None, message="ghost")]})) == ["invalid"]


def test_gateway_counts_catch_a_second_registration_and_a_second_filing():
    verdict = Verdict()
    check_deliveries({"k1": 1, "k2": 1}, {"A": {"k1"}, "B": {"k2"}}, {"A": "m1", "B": "m2"}, verdict)
    assert verdict.ok
    check_deliveries({"k1": 2}, {"A": {"k1", "k3"}}, {"A": "m1"}, verdict)
    assert kinds(verdict) == ["duplicate", "duplicate"]
