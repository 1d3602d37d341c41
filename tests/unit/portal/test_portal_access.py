"""Who sees which item and may take which action, and how failed logins are throttled: pure rules."""

from services.portal.access import ItemView, OpenTask, Viewer, actions_for, may_see, refuse_action, task_acted_on
from services.portal.accounts import Accounts, Throttle

SANNE = Viewer("sanne.vandijk", "client", frozenset({"ORG-10045"}))
EVA = Viewer("eva.jansen", "client", frozenset({"ORG-20311"}))
MANAGER = Viewer("taakmanager", "task_manager")
OFFICE = Viewer("medewerker", "office")


def item(
    org: str = "ORG-10045",
    holders: tuple[str, ...] = ("sanne.vandijk",),
    confidential: bool = False,
    status: int = 30,
    open_task: bool = True,
):
    task = (
        OpenTask(
            "Beoordelen aangifte klant",
            "Belastingdienst",
            holders,
            ("Goedkeuren bericht", "Afkeuren bericht", "Reageren"),
            None,
        )
        if open_task
        else None
    )
    return ItemView(
        "id-1",
        "m-1",
        "btw-aangifte",
        org,
        "Btw",
        confidential,
        status,
        "",
        None,
        task,
        workflow="Belastingdienst",
        task_manager="taakmanager",
        last_task="Beoordelen aangifte klant",
    )


def test_a_client_sees_the_items_of_their_own_organisations_only():
    assert may_see(SANNE, item()) and may_see(SANNE, item(holders=()))
    assert not may_see(EVA, item())


def test_a_confidential_item_is_seen_by_its_holders_and_its_task_manager_only():
    secret = item(confidential=True)
    assert may_see(SANNE, secret) and may_see(MANAGER, secret)
    assert not may_see(OFFICE, secret) and not may_see(SANNE, item(holders=("peter.vandijk",), confidential=True))
    assert not may_see(Viewer("fiscalist", "task_manager"), secret)  # a task manager, but of another workflow


def test_whoever_decided_a_confidential_item_keeps_seeing_it_after_its_workflow():
    decided = item(confidential=True, status=80, open_task=False)
    assert not may_see(SANNE, decided) and may_see(SANNE, decided, decided=True)


def test_the_task_manager_acts_on_any_task_reassigns_it_and_restores_a_rejected_item():
    assert actions_for(MANAGER, item(holders=())) == (
        "Goedkeuren bericht",
        "Afkeuren bericht",
        "Reageren",
        "Taak toewijzen",
    )
    rejected = item(status=40, open_task=False)
    assert actions_for(MANAGER, rejected) == ("Herstellen berichtstatus",) and actions_for(SANNE, rejected) == ()
    assert task_acted_on(rejected, "Herstellen berichtstatus") == "Beoordelen aangifte klant"
    assert (
        refuse_action(MANAGER, item(), "Taak toewijzen", "") == "Geef aan wie de taak krijgt: een gebruiker of @groep."
    )
    assert refuse_action(MANAGER, item(), "Taak toewijzen", "", ("medewerker",)) is None


def test_only_the_holders_get_the_tasks_actions_and_a_rejection_needs_a_reason():
    assert actions_for(SANNE, item()) == ("Goedkeuren bericht", "Afkeuren bericht", "Reageren")
    assert actions_for(OFFICE, item()) == () and actions_for(EVA, item(org="ORG-20311", holders=())) == ()
    assert refuse_action(SANNE, item(), "Afkeuren bericht", "  ") == "Geef bij 'Afkeuren bericht' een toelichting."
    assert refuse_action(SANNE, item(), "Afkeuren bericht", "bedrag klopt niet") is None
    assert refuse_action(EVA, item(), "Goedkeuren bericht", "") is not None


def test_failed_logins_are_throttled_per_user_and_address_and_forgiven_after_the_window():
    throttle = Throttle(attempts=3, window=60)
    for second in range(3):
        assert throttle.wait_seconds("eva", "1.2.3.4", now=second) == 0
        throttle.failed("eva", "1.2.3.4", now=second)
    assert throttle.wait_seconds("eva", "1.2.3.4", now=10) == 50
    assert throttle.wait_seconds("eva", "5.6.7.8", now=10) == 0
    assert throttle.wait_seconds("eva", "1.2.3.4", now=61) == 0


def test_passwords_are_checked_against_argon2_hashes_and_an_unknown_user_is_just_refused():
    from argon2 import PasswordHasher

    from services.portal.accounts import Account

    hasher = PasswordHasher(time_cost=1, memory_cost=1024)
    accounts = Accounts({"eva": Account(role="client", password_hash=hasher.hash("geheim"))}, hasher)
    assert accounts.verify("eva", "geheim").role == "client"
    assert accounts.verify("eva", "fout") is None and accounts.verify("niemand", "geheim") is None


def test_the_shipped_accounts_file_reads_and_holds_every_role():
    from accordeer.paths import REPO_ROOT
    from services.portal.accounts import load_accounts

    accounts = load_accounts(REPO_ROOT / "deploy" / "config" / "portal_users.yaml")
    assert {a.role for a in accounts.values()} == {"client", "office", "task_manager", "operator", "functional_admin"}
    assert accounts["sanne.vandijk"].password_hash.startswith("$argon2id$")


def test_clients_to_choose_from_are_ordered_by_their_label_without_items_that_have_none():
    from services.portal.access import client_choices, client_label

    assert client_label(None, "ORG-2") == "ORG-2" and client_label("Zon B.V.", "ORG-2") == "Zon B.V."
    assert list(client_choices([("ORG-2", "zon B.V."), (None, ""), ("ORG-1", "Bakkerij")]).items()) == [
        ("ORG-1", "Bakkerij"),
        ("ORG-2", "zon B.V."),
    ]
