"""Whether a declaration's destinations, contacts and identity number match the directory.

The import document: an import fails when its destination fields do not match
the organisation/person in the environment. Checked per destination, in the
order given, so the first mismatch is the reason a sender reads.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from shared.contracts.directory import Party
from shared.contracts.inbound import InboundDeclaration

from .reasons import ReasonCode
from .refusal import Refusal


def repeated_destination(decl: InboundDeclaration) -> Refusal | None:
    seen: set[str] = set()
    for index, destination in enumerate(decl.destinations):
        if destination.organisation_person_id in seen:
            return _refuse(
                decl,
                ReasonCode.DESTINATION_REPEATED,
                f"destinations[{index}]: {destination.organisation_person_id} is a destination twice;"
                " give each organisation/person once",
            )
        seen.add(destination.organisation_person_id)
    return None


def submitted_in_future(decl: InboundDeclaration, received_at: datetime, tolerance: timedelta) -> Refusal | None:
    if decl.submitted_at is None or decl.submitted_at <= received_at + tolerance:
        return None
    return _refuse(
        decl,
        ReasonCode.SUBMITTED_IN_FUTURE,
        f"submitted_at {decl.submitted_at.isoformat()} is later than the time of intake"
        f" ({received_at.isoformat(timespec='seconds')}, allowing {tolerance.total_seconds():.0f}s of"
        " clock skew); leave it out or give the real time of submission",
    )


def mismatched_destination(decl: InboundDeclaration, parties: Mapping[str, Party]) -> Refusal | None:
    """The first destination that is unknown, inactive, names a foreign contact, or does not own the identity."""
    for index, destination in enumerate(decl.destinations):
        where = f"destinations[{index}]: {destination.organisation_person_id}"
        party = parties.get(destination.organisation_person_id)
        # Only ids the sender gave: status details reach every external package, so they never show what the
        # directory holds about a client (its name, its other numbers).
        if party is None:
            return _refuse(
                decl,
                ReasonCode.DESTINATION_UNKNOWN,
                f"{where} is not a client in the office's directory (yet); once the office has added it,"
                " the office can take this declaration in again",
            )
        if not party.active:
            return _refuse(decl, ReasonCode.DESTINATION_INACTIVE, f"{where} is inactive in the office's directory")
        if destination.contact_id is not None and party.contact(destination.contact_id) is None:
            return _refuse(
                decl,
                ReasonCode.CONTACT_NOT_OF_DESTINATION,
                f"{where}: contact {destination.contact_id} is not a contact of this destination",
            )
        if not party.registers(decl.identity.type, decl.identity.number):
            return _refuse(
                decl,
                ReasonCode.IDENTITY_NOT_REGISTERED,
                f"{where}: identity {decl.identity.type} {decl.identity.number} is not registered for"
                " this destination in the office's directory",
            )
    return None


def _refuse(decl: InboundDeclaration, code: ReasonCode, message: str) -> Refusal:
    return Refusal(code, message, decl.message_id, decl.source)
