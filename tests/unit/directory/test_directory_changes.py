"""What loading a directory file changes, and the records that change it."""

from accordeer.directory.changes import compare
from shared.contracts.directory import Contact, Party


def party(party_id: str, **fields) -> Party:
    return Party(organisation_person_id=party_id, **{"name": f"Party {party_id}", "kind": "organisation", **fields})


SANNE = Contact(contact_id="CP-1", name="Sanne", email="sanne@test.example", portal_user="sanne")


def test_parties_are_added_changed_removed_or_unchanged():
    current = {"ORG-1": party("ORG-1"), "ORG-2": party("ORG-2"), "ORG-3": party("ORG-3")}
    wanted = [party("ORG-1"), party("ORG-2", name="Renamed", contacts=[SANNE]), party("ORG-4")]

    changes = compare(current, wanted)

    assert [p.organisation_person_id for p in changes.added] == ["ORG-4"]
    assert [(c.party.name, c.fields) for c in changes.changed] == [("Renamed", ("name", "contacts"))]
    assert (changes.removed, changes.unchanged) == (("ORG-3",), ("ORG-1",))
    assert changes.summary() == "added 1 (ORG-4), changed 1 (ORG-2: name, contacts), removed 1 (ORG-3), unchanged 1"


def test_the_records_publish_added_and_changed_parties_and_a_tombstone_per_removal():
    changes = compare(
        {"ORG-2": party("ORG-2"), "ORG-3": party("ORG-3")}, [party("ORG-2", active=False), party("ORG-4")]
    )

    records = changes.records()

    assert [(key, value is None) for key, value in records] == [("ORG-4", False), ("ORG-2", False), ("ORG-3", True)]
    assert Party.model_validate_json(records[1][1]) == party("ORG-2", active=False)


def test_an_unchanged_directory_publishes_nothing():
    current = {"ORG-1": party("ORG-1", numbers={"BTW": ["NL001234567B01"]})}

    changes = compare(current, list(current.values()))

    assert changes.records() == [] and changes.summary() == "added 0, changed 0, removed 0, unchanged 1"


def test_long_lists_of_ids_are_shortened_in_the_summary():
    changes = compare({}, [party(f"ORG-{i:02}") for i in range(1, 14)])

    assert changes.summary() == (
        "added 13 (ORG-01, ORG-02, ORG-03, ORG-04, ORG-05, ORG-06, ORG-07, ORG-08, ORG-09, "
        "ORG-10, … 3 more), changed 0, removed 0, unchanged 0"
    )
