"""The directory for people at a terminal: a table of parties, or one party with its numbers and contacts."""

from collections.abc import Sequence

from shared.contracts.directory import Party

NAME_WIDTH = 36


def party_table(parties: Sequence[Party]) -> str:
    row = "{:<12} {:<12} {:<8} {:<" + str(NAME_WIDTH) + "} {:>8}  {}"
    lines = [
        f"{len(parties)} part{'y' if len(parties) == 1 else 'ies'}",
        row.format("ID", "KIND", "ACTIVE", "NAME", "CONTACTS", "NUMBERS"),
    ]
    lines += [
        row.format(
            p.organisation_person_id,
            p.kind,
            "yes" if p.active else "no",
            _cut(p.name),
            len(p.contacts),
            "; ".join(f"{kind} {', '.join(numbers)}" for kind, numbers in p.numbers.items()),
        )
        for p in sorted(parties, key=lambda p: p.organisation_person_id)
    ]
    return "\n".join(lines)


def party_details(party: Party) -> str:
    lines = [
        f"{party.organisation_person_id}  {party.name}",
        f"  {party.kind}, {'active' if party.active else 'inactive'}",
    ]
    lines += [f"  {kind:<5} {', '.join(numbers)}" for kind, numbers in party.numbers.items()]
    lines.append(f"  contacts: {len(party.contacts) or 'none'}")
    lines += [
        f"    {c.contact_id:<10} {c.name:<28} {c.email:<36} "
        f"{'portal user ' + c.portal_user if c.portal_user else 'no portal user'}"
        f"{'' if c.active else '  (inactive)'}"
        for c in party.contacts
    ]
    return "\n".join(lines)


def _cut(text: str) -> str:
    return text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"
