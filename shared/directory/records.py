"""Reading one record of ``directory.parties``: a party, or a tombstone that removes one."""

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from shared.contracts.directory import Party
from shared.contracts.record import READ_BACK
from shared.directory.store import PartyChange


class UnreadableParty(ValueError):
    """Only `accordeer directory load` writes the topic, and it validates first: this is a bug, not input."""


def party_change(record: ConsumerRecord) -> PartyChange:
    key = record.key.decode("utf-8", "replace") if record.key else ""
    where = f"{record.topic} partition {record.partition} offset {record.offset}"
    if not key:
        raise UnreadableParty(f"{where} has no key")
    if record.value is None:
        return PartyChange(key, record.partition, record.offset, None)
    try:
        party = Party.model_validate_json(record.value, context=READ_BACK)
    except (ValueError, ValidationError) as error:
        raise UnreadableParty(f"{where} (key {key}) is not a party: {str(error)[:300]}") from None
    if party.organisation_person_id != key:
        raise UnreadableParty(f"{where}: the key {key!r} is not the party's organisation_person_id")
    return PartyChange(key, record.partition, record.offset, party)
