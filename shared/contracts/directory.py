"""Parties on ``directory.parties`` (compacted): the organisations and persons declarations are for.

Key: ``organisation_person_id``; a record with no value (a tombstone) removes the
party. The topic is the directory's source of truth: intake, workflow and the
portal each keep their own copy of it, so services stay linked only by topics.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from shared.contracts.record import Record

IDENTITY_TYPES = ("BTW", "Fi", "LHnr", "KvK")
"""Identity types a party registers numbers under: VAT number, fiscal number (RSIN/BSN),
loonheffingennummer and Chamber of Commerce number, as a declaration's ``identity.type`` names them."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PartyId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def normalised_number(number: str) -> str:
    """Registered numbers compare without spaces, dots and case: 'nl 0012.34567.B01' is NL001234567B01."""
    return "".join(ch for ch in number if ch not in " .-").upper()


class Contact(Record):
    """A contact person of a party; with a portal user id they can log in and act on the party's declarations."""

    contact_id: PartyId
    name: Text
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ]
    portal_user: PartyId | None = None
    active: bool = True


class Party(Record):
    """An organisation or person, with its registered numbers per identity type and its contacts."""

    schema_version: int = 1
    organisation_person_id: PartyId
    name: Text
    kind: Literal["organisation", "person"]
    active: bool = True
    numbers: dict[Literal["BTW", "Fi", "LHnr", "KvK"], list[PartyId]] = Field(
        default_factory=dict, description="Registered numbers per identity type; a fiscal unity shares its BTW number."
    )
    contacts: list[Contact] = Field(default_factory=list)

    @field_validator("contacts")
    @classmethod
    def _contact_ids_unique(cls, contacts: list[Contact]) -> list[Contact]:
        ids = [c.contact_id for c in contacts]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"contact_id {', '.join(doubled)} appears more than once")
        return contacts

    def contact(self, contact_id: str) -> Contact | None:
        return next((c for c in self.contacts if c.contact_id == contact_id), None)

    def registers(self, identity_type: str, number: str) -> bool:
        wanted = normalised_number(number)
        return any(normalised_number(n) == wanted for n in self.numbers.get(identity_type, []))  # type: ignore[call-overload]

    def portal_users(self, contact_id: str | None = None) -> tuple[str, ...]:
        """The portal users of the active contacts, or of the one contact named."""
        contacts = [c for c in self.contacts if contact_id is None or c.contact_id == contact_id]
        return tuple(c.portal_user for c in contacts if c.active and c.portal_user)
