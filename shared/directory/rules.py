"""The directory's rules between parties, one place for the CLI (before it publishes) and for every service's copy
(on what it reads from the topic): a portal user is one contact of one party, since a person logs in once."""

from collections.abc import Iterable, Mapping

from shared.contracts.directory import Party
from shared.directory.store import PartyChange

SHARED_PORTAL_USER = "shared_portal_user"
"""The reason code of a directory record refused because its portal user belongs to another party."""


def _holders(parties: Mapping[str, Party]) -> dict[str, tuple[str, str]]:
    """Portal user → (party, contact) holding it."""
    return {
        contact.portal_user: (party_id, contact.contact_id)
        for party_id, party in parties.items()
        for contact in party.contacts
        if contact.portal_user
    }


def _claims(party: Party, holders: Mapping[str, tuple[str, str]]) -> list[str]:
    """What ``party`` claims that another party holds."""
    problems = []
    for contact in party.contacts:
        holder = holders.get(contact.portal_user or "")
        if holder is not None and holder[0] != party.organisation_person_id:
            problems.append(
                f"{party.organisation_person_id} {contact.contact_id}: portal user '{contact.portal_user}' is already "
                f"the portal user of {holder[0]} {holder[1]}; a person logs in with one portal user"
            )
    return problems


def claimed_elsewhere(current: Mapping[str, Party], parties: Iterable[Party]) -> list[str]:
    """The portal users of ``parties`` that a party outside them already has (the parties given replace theirs)."""
    parties = list(parties)
    setting = {p.organisation_person_id for p in parties}
    holders = _holders({i: p for i, p in current.items() if i not in setting})
    return [problem for party in parties for problem in _claims(party, holders)]


def refused_claims(
    current: Mapping[str, Party], changes: Iterable[PartyChange]
) -> tuple[list[PartyChange], list[tuple[PartyChange, str]]]:
    """Changes read from the topic, in order, against a copy holding ``current`` (the parties with any portal user
    the changes name): those to apply, and those refused with why (a portal user another party holds, in the copy
    or by an earlier change). A refused change leaves its party as it was."""
    parties = dict(current)
    accepted: list[PartyChange] = []
    refused: list[tuple[PartyChange, str]] = []
    for change in changes:
        if change.party is not None and (problems := _claims(change.party, _holders(parties))):
            refused.append((change, "; ".join(problems)))
            continue
        accepted.append(change)
        if change.party is None:
            parties.pop(change.organisation_person_id, None)
        else:
            parties[change.organisation_person_id] = change.party
    return accepted, refused
