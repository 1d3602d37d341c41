"""The directory entries the golden examples are addressed to, as the demo directory has them."""

from shared.contracts.directory import Contact, Party

BAKKERIJ = Party(
    organisation_person_id="ORG-10045",
    name="Bakkerij Van Dijk B.V.",
    kind="organisation",
    numbers={"BTW": ["NL001234567B01"], "Fi": ["001234567"], "LHnr": ["001234567L01"], "KvK": ["12345678"]},
    contacts=[
        Contact(
            contact_id="CP-2231",
            name="Sanne van Dijk",
            email="sanne@bakkerijvandijk.example",
            portal_user="sanne.vandijk",
        ),
        Contact(
            contact_id="CP-2232",
            name="Peter van Dijk",
            email="peter@bakkerijvandijk.example",
            portal_user="peter.vandijk",
        ),
    ],
)
VASTGOED = Party(
    organisation_person_id="ORG-10046",
    name="Van Dijk Vastgoed B.V.",
    kind="organisation",
    numbers={"BTW": ["NL001234567B01"], "Fi": ["001234568"], "KvK": ["12345679"]},
    contacts=[
        Contact(
            contact_id="CP-2240",
            name="Ruud Hendriks",
            email="ruud@vandijkvastgoed.example",
            portal_user="ruud.hendriks",
        )
    ],
)
GROOTHANDEL = Party(
    organisation_person_id="ORG-20311",
    name="Groothandel Jansen B.V.",
    kind="organisation",
    numbers={"BTW": ["NL009876543B01"], "Fi": ["009876543"], "KvK": ["23456789"], "LHnr": ["009876543L01"]},
    contacts=[
        Contact(
            contact_id="CP-3101", name="Eva Jansen", email="eva@groothandeljansen.example", portal_user="eva.jansen"
        )
    ],
)
GOLDEN_PARTIES = {p.organisation_person_id: p for p in (BAKKERIJ, VASTGOED, GROOTHANDEL)}


async def seed_parties(conn, schema: str, parties=None) -> None:
    """Write parties (by default the golden ones) into a service's copy of the directory, as its mirror would, for
    tests without one."""
    if parties is None:
        parties = GOLDEN_PARTIES.values()
    from shared.directory.store import PartyChange, apply_changes

    await apply_changes(conn, schema, [PartyChange(p.organisation_person_id, 0, n, p) for n, p in enumerate(parties)])
