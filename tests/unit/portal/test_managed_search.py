"""Beheer's search: words in the subject or the client's name, a client, a task, only what is late."""

from datetime import UTC, datetime, timedelta

from services.portal.access import ItemView, OpenTask
from services.portal.managing import ManagedSearch

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _item(subject: str, client: str, task: str | None, due: datetime | None) -> ItemView:
    open_task = OpenTask(task, "Belastingdienst", ("eva.jansen",), (), due) if task else None
    return ItemView(
        "id", "m", "icp-aangifte", "ORG-1", subject, False, 30 if task else 40, "", None, open_task,
        last_task="Beoordelen aangifte klant", client_name=client,
    )  # fmt: skip


LATE = _item("ICP-opgaaf Q4 2024", "Groothandel Jansen B.V.", "Beoordelen aangifte klant", NOW - timedelta(hours=1))
REJECTED = _item("Btw-aangifte januari", "Bakkerij Van Dijk B.V.", None, None)


def test_words_are_found_in_the_subject_or_the_clients_name_in_any_case():
    assert ManagedSearch.of({"zoek": "jansen q4"}).keeps(LATE, NOW)
    assert not ManagedSearch.of({"zoek": "jansen januari"}).keeps(LATE, NOW)
    assert ManagedSearch.of({"zoek": "BAKKERIJ"}).keeps(REJECTED, NOW)


def test_a_task_filter_matches_the_open_task_or_the_one_a_rejected_item_returns_to():
    search = ManagedSearch.of({"taak": "Beoordelen aangifte klant"})
    assert search.keeps(LATE, NOW) and search.keeps(REJECTED, NOW)


def test_late_only_keeps_open_tasks_past_their_due_time():
    late = ManagedSearch.of({"te_laat": "1"})
    assert late.narrowed and late.keeps(LATE, NOW) and not late.keeps(REJECTED, NOW)
    assert not late.keeps(LATE, NOW - timedelta(hours=2))
    assert not ManagedSearch.of({}).narrowed and ManagedSearch.of({"te_laat": "ja"}).late is False
