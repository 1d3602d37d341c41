"""The directory's rule between parties as every service's copy judges the topic: a portal user is one contact of
one party; changes are judged in order, against the copy and the changes before them."""

from shared.contracts.directory import Party
from shared.directory.rules import refused_claims
from shared.directory.store import PartyChange


def party(party_id: str, *portal_users: str) -> Party:
    contacts = [
        {"contact_id": f"CP-{i}", "name": "Iemand", "email": f"{user}@x.example", "portal_user": user}
        for i, user in enumerate(portal_users, start=1)
    ]
    return Party.model_validate(
        {"organisation_person_id": party_id, "name": "Klant", "kind": "organisation", "contacts": contacts}
    )


def change(offset: int, party_id: str, *users: str, removed: bool = False) -> PartyChange:
    return PartyChange(party_id, 0, offset, None if removed else party(party_id, *users))


def test_a_claim_on_a_user_the_copy_gives_another_party_is_refused_and_the_rest_applied():
    accepted, refused = refused_claims(
        {"ORG-1": party("ORG-1", "anna")}, [change(1, "ORG-2", "anna"), change(2, "ORG-3", "carla")]
    )
    assert [c.organisation_person_id for c in accepted] == ["ORG-3"]
    assert [(c.organisation_person_id, why) for c, why in refused] == [
        (
            "ORG-2",
            "ORG-2 CP-1: portal user 'anna' is already the portal user of ORG-1 CP-1; "
            "a person logs in with one portal user",
        )
    ]


def test_a_party_keeps_its_own_user_and_a_user_set_free_may_be_taken_later_in_the_batch():
    current = {"ORG-1": party("ORG-1", "anna")}
    accepted, refused = refused_claims(
        current,
        [
            change(1, "ORG-1", "anna"),
            change(2, "ORG-1", "bert"),
            change(3, "ORG-2", "anna"),
            change(4, "ORG-3", "bert"),
        ],
    )
    assert [c.offset for c in accepted] == [1, 2, 3] and [c.offset for c, _ in refused] == [4]


def test_a_removed_party_sets_its_users_free():
    accepted, refused = refused_claims(
        {"ORG-1": party("ORG-1", "anna")}, [change(1, "ORG-1", removed=True), change(2, "ORG-2", "anna")]
    )
    assert len(accepted) == 2 and refused == []
