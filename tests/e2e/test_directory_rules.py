"""Declarations meet the directory end to end: each mismatch refused with its own reason, a replay after the
directory was loaded taken in once, and a directory change published just before a declaration always seen."""

import asyncio
import time
from base64 import b64decode, b64encode

import pytest

from shared import dead_letters
from shared.contracts.directory import Contact, Party
from shared.contracts.status import StatusCode
from shared.operations.dead_letters import choose, replay
from tests.support.declarations import example

pytestmark = pytest.mark.e2e


def _to(message_id: str, *destinations: dict, **changes) -> dict:
    return example("btw_aangifte", message_id=message_id, destinations=list(destinations), **changes)


def _about(vat_number: str) -> dict:
    """A VAT return about ``vat_number``: the declaration's identity and its document's agree."""
    return {"identity": {"number": vat_number, "type": "BTW"}, "document": _document_about(vat_number)}


def _document_about(vat_number: str) -> dict:
    """The golden VAT return, its VAT number swapped, so that the document matches the declaration."""
    golden = example("btw_aangifte")["document"]
    # The VAT return writes the omzetbelastingnummer without the country code.
    xml = b64decode(golden["content_base64"]).replace(b"001234567B01", vat_number[2:].encode())
    return {**golden, "content_base64": b64encode(xml).decode()}


REFUSED = {
    # message_id: (declaration, reason code, a phrase the reason must contain)
    "d-unknown": (_to("d-unknown", {"organisation_person_id": "ORG-77777"}), "destination_unknown", "ORG-77777"),
    "d-inactive": (
        _to("d-inactive", {"organisation_person_id": "ORG-39999"}, **_about("NL005555555B01")),
        "destination_inactive",
        "inactive",
    ),
    "d-contact": (
        _to("d-contact", {"organisation_person_id": "ORG-10045", "contact_id": "CP-3101"}),
        "contact_not_of_destination",
        "CP-3101",
    ),
    "d-identity": (
        _to("d-identity", {"organisation_person_id": "ORG-20311"}),
        "identity_not_registered",
        "BTW NL001234567B01 is not registered",
    ),
    "d-twice": (
        _to("d-twice", {"organisation_person_id": "ORG-10045"}, {"organisation_person_id": "ORG-10045"}),
        "destination_repeated",
        "twice",
    ),
    "d-future": (
        example("btw_aangifte", message_id="d-future", submitted_at="2999-01-01T00:00:00Z"),
        "submitted_in_future",
        "clock skew",
    ),
}


def _party(number: int) -> Party:
    return Party(
        organisation_person_id=f"ORG-9{number:04d}",
        name=f"Nieuwe Klant {number} B.V.",
        kind="organisation",
        numbers={"BTW": [f"NL{number:09d}B01"]},
        contacts=[
            Contact(
                contact_id=f"CP-9{number:04d}",
                name=f"Contact {number}",
                email=f"klant{number}@example.org",
                portal_user=f"klant.{number}",
            )
        ],
    )


def _for(party: Party, message_id: str) -> dict:
    return _to(message_id, {"organisation_person_id": party.organisation_person_id}, **_about(party.numbers["BTW"][0]))


async def _publish_parties(system, *parties: Party) -> None:
    await system.publish(
        system.topics.directory, [(p.organisation_person_id, p.model_dump_json().encode()) for p in parties]
    )


def _final(system, message_id: str) -> list:
    return [e for e in system.events if e.message_id == message_id and e.status_code in (0, 10)]


async def test_each_directory_rule_refuses_with_its_own_reason(system):
    system.start("intake")
    await system.submit(*(declaration for declaration, _, _ in REFUSED.values()))
    await system.wait_for(lambda: all(_final(system, m) for m in REFUSED), what="an outcome for every case")

    letters = {
        letter.key.decode(): letter
        for letter in await system.dead_letters(system.topics.inbound_dlq, at_least=len(REFUSED))
    }
    for message_id, (_, code, phrase) in REFUSED.items():
        [event] = _final(system, message_id)
        assert (event.status_code, event.reason_code) == (StatusCode.REFUSED, code), (message_id, event)
        assert phrase in event.detail, (message_id, event.detail)
        letter = letters[message_id]
        assert (letter.reason_code, letter.headers[dead_letters.REASON]) == (code, event.detail)
    assert await system.db.fetchval("SELECT count(*) FROM intake.dossier_items") == 0
    # Details reach every external package: nothing the directory holds about a client is in them.
    details = " ".join(e.detail for e in system.events)
    assert not any(held in details for held in ("Groothandel", "Bakkerij", "NL009876543B01", "009876543"))


async def test_a_declaration_refused_for_an_unknown_client_is_taken_in_once_after_the_directory_has_it(system):
    bootstrap = system.settings.kafka_bootstrap_servers
    system.start("intake")
    newcomer = _party(1)
    await system.submit(_for(newcomer, "d-replay"))
    await system.wait_for(lambda: _final(system, "d-replay"), what="the refusal")
    assert _final(system, "d-replay")[0].reason_code == "destination_unknown"

    await _publish_parties(system, newcomer)
    letters = choose(await system.dead_letters(system.topics.inbound_dlq), reason="destination_unknown")
    await replay(bootstrap, letters, topics=system.topics)
    await replay(bootstrap, letters, topics=system.topics)
    await system.wait_for(
        lambda: StatusCode.REGISTERED in [e.status_code for e in _final(system, "d-replay")],
        what="status 10 after the replay",
    )
    await asyncio.sleep(2)  # the second replay too

    items = await system.db.fetch(
        "SELECT organisation_person_id FROM intake.dossier_items WHERE message_id = $1", "d-replay"
    )
    assert [r["organisation_person_id"] for r in items] == [newcomer.organisation_person_id]
    assert [e.status_code for e in _final(system, "d-replay")] == [StatusCode.REFUSED, StatusCode.REGISTERED]


async def test_a_directory_change_published_before_a_declaration_is_always_seen(system):
    """The rule: intake judges a declaration against every directory change published before it judges it.
    Each new client is published and its first declaration follows at once, 30 times, on different partitions."""
    system.start("intake")
    newcomers = [_party(100 + n) for n in range(30)]
    started = time.monotonic()
    for n, party in enumerate(newcomers):
        await _publish_parties(system, party)
        await system.submit(_for(party, f"d-together-{n}"))
    ids = [f"d-together-{n}" for n in range(30)]
    await system.wait_for(lambda: all(_final(system, m) for m in ids), what="an outcome for every declaration")

    outcomes = {m: _final(system, m)[0] for m in ids}
    assert {m: (e.status_code, e.reason_code) for m, e in outcomes.items()} == dict.fromkeys(
        ids, (StatusCode.REGISTERED, None)
    ), time.monotonic() - started


async def test_a_removed_or_deactivated_client_gets_no_new_declarations(system):
    system.start("intake")
    leaving, pausing = _party(201), _party(202)
    await _publish_parties(system, leaving, pausing)
    await system.publish(system.topics.directory, [(leaving.organisation_person_id, None)])
    await _publish_parties(system, pausing.model_copy(update={"active": False}))
    await system.submit(_for(leaving, "d-removed"), _for(pausing, "d-paused"))
    await system.wait_for(lambda: _final(system, "d-removed") and _final(system, "d-paused"), what="refusals")

    assert _final(system, "d-removed")[0].reason_code == "destination_unknown"
    assert _final(system, "d-paused")[0].reason_code == "destination_inactive"
    rows = await system.db.fetch(
        "SELECT organisation_person_id, removed, party->>'active' AS active"
        " FROM intake.parties WHERE organisation_person_id = ANY($1::text[])"
        " ORDER BY organisation_person_id",
        [leaving.organisation_person_id, pausing.organisation_person_id],
    )
    assert [tuple(r) for r in rows] == [
        (leaving.organisation_person_id, True, None),
        (pausing.organisation_person_id, False, "false"),
    ]
