"""Inbox filters: by message type, status and client, with counts over all of the viewer's tasks."""

from services.portal.access import ItemView
from services.portal.inbox import filtered


def item(n: int, message_type: str, org: str, status: int = 30) -> ItemView:
    return ItemView(f"id-{n}", f"m-{n}", message_type, org, f"onderwerp {n}", False, status, "", None, None)


ITEMS = [item(1, "btw-aangifte", "ORG-1"), item(2, "btw-aangifte", "ORG-2"), item(3, "loonheffing", "ORG-1")]


def test_no_filter_keeps_everything_and_counts_each_value():
    inbox = filtered(ITEMS, {})
    assert [i.dossier_item_id for i in inbox.items] == ["id-1", "id-2", "id-3"] and inbox.chosen == {}
    assert inbox.counts["soort"] == {"btw-aangifte": 2, "loonheffing": 1}
    assert inbox.counts["klant"] == {"ORG-1": 2, "ORG-2": 1} and inbox.counts["status"] == {"30": 3}


def test_filters_combine_and_counts_stay_those_of_all_tasks():
    inbox = filtered(ITEMS, {"soort": "btw-aangifte", "klant": "ORG-1"})
    assert [i.dossier_item_id for i in inbox.items] == ["id-1"]
    assert inbox.chosen == {"soort": "btw-aangifte", "klant": "ORG-1"} and inbox.counts["soort"]["btw-aangifte"] == 2
    assert filtered(ITEMS, {"status": "40"}).items == []
