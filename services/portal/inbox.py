"""Filtering a viewer's inbox by message type, status and client, with the counts the filters show."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from services.portal.access import ItemView, client_choices

FILTERS = {"soort": "message_type", "status": "status_code", "klant": "organisation_person_id"}
"""Query parameter → the item's field it filters on."""


@dataclass(frozen=True)
class Filtered:
    items: list[ItemView]
    chosen: dict[str, str]
    counts: dict[str, Counter[str]]
    """Per filter: how many of all the viewer's items each value has."""
    clients: dict[str, str]
    """Client id → the name people read."""


def filtered(items: list[ItemView], params: Mapping[str, str]) -> Filtered:
    chosen = {name: str(params.get(name, "")) for name in FILTERS if params.get(name)}
    counts = {name: Counter(str(getattr(item, field)) for item in items) for name, field in FILTERS.items()}
    kept = [item for item in items if all(str(getattr(item, FILTERS[n])) == v for n, v in chosen.items())]
    clients = client_choices((item.organisation_person_id, item.client) for item in items)
    return Filtered(kept, chosen, counts, clients)
