"""`directory set` and `remove`: what they change, and a portal user another party keeps."""

from accordeer.directory.changes import compare, removal
from shared.contracts.directory import Party
from shared.directory.rules import claimed_elsewhere


def party(party_id: str, *portal_users: str, name: str = "Klant B.V.") -> Party:
    contacts = [
        {"contact_id": f"CP-{i}", "name": "Iemand", "email": f"{user}@x.example", "portal_user": user}
        for i, user in enumerate(portal_users, start=1)
    ]
    return Party.model_validate(
        {"organisation_person_id": party_id, "name": name, "kind": "organisation", "contacts": contacts}
    )


def test_set_adds_and_changes_but_removes_nothing():
    current = {"ORG-1": party("ORG-1"), "ORG-2": party("ORG-2")}
    changes = compare(current, [party("ORG-1", name="Nieuw B.V."), party("ORG-3")], whole=False)
    assert changes.summary() == "added 1 (ORG-3), changed 1 (ORG-1: name), removed 0, unchanged 0"
    assert compare(current, [party("ORG-1")]).removed == ("ORG-2",)  # load: the file is the whole directory


def test_a_portal_user_kept_by_a_party_outside_the_file_is_claimed_elsewhere():
    current = {"ORG-1": party("ORG-1", "anna"), "ORG-2": party("ORG-2", "bert")}
    assert claimed_elsewhere(current, [party("ORG-1", "anna"), party("ORG-3", "carla")]) == []  # ORG-1 is replaced
    assert claimed_elsewhere(current, [party("ORG-3", "bert")]) == [
        "ORG-3 CP-1: portal user 'bert' is already the portal user of ORG-2 CP-1; a person logs in with one portal user"
    ]


def test_removal_publishes_a_tombstone_per_party():
    assert removal(["ORG-2", "ORG-1", "ORG-2"]).records() == [("ORG-1", None), ("ORG-2", None)]
