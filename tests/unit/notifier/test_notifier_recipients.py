"""Who gets mail: office users from users.yaml, clients as the directory's portal users, and nobody for a user
without a known address (reported instead)."""

from accordeer.paths import REPO_ROOT
from services.notifier.planning import plan_mails
from services.notifier.recipients import Recipient, load_office_users, office_users, portal_contacts, resolve
from shared.contracts.directory import Party
from shared.contracts.tasks import TaskEventKind
from tests.unit.notifier.events import composer, task_event

OFFICE = office_users(
    {
        "groups": {"fiscaal": ["fiscalist"]},
        "users": {"fiscalist": {"name": "Fenna Smit", "email": "fenna.smit@kantoor.example"}},
    }
)
BAKKERIJ = Party.model_validate(
    {
        "organisation_person_id": "ORG-10045",
        "name": "Bakkerij De Vries B.V.",
        "kind": "organisation",
        "contacts": [
            {
                "contact_id": "C1",
                "name": "Sanne van Dijk",
                "email": "sanne@bakkerij.example",
                "portal_user": "sanne.vandijk",
            },
            {
                "contact_id": "C2",
                "name": "Oud Contact",
                "email": "oud@bakkerij.example",
                "portal_user": "oud",
                "active": False,
            },
            {"contact_id": "C3", "name": "Boekhouding", "email": "boekhouding@bakkerij.example"},
        ],
    }
)


def known() -> dict[str, Recipient]:
    return {**portal_contacts([BAKKERIJ]), **OFFICE}


def test_an_office_user_is_mailed_at_the_address_in_users_yaml():
    recipients, unknown = resolve(["fiscalist"], known())

    assert recipients == [Recipient("fiscalist", "Fenna Smit", "fenna.smit@kantoor.example")] and unknown == []


def test_a_client_is_the_active_contact_that_logs_in_as_the_portal_user():
    recipients, unknown = resolve(["sanne.vandijk", "oud"], known())

    assert recipients == [Recipient("sanne.vandijk", "Sanne van Dijk", "sanne@bakkerij.example")]
    assert unknown == ["oud"]  # an inactive contact gets no mail


def test_a_user_nobody_has_an_address_for_is_reported_not_mailed():
    plan = plan_mails(
        [task_event(assignees=["sanne.vandijk", "spook", "fiscalist", "sanne.vandijk"])], known(), composer()
    )

    assert [m.address for m in plan.mails] == ["sanne@bakkerij.example", "fenna.smit@kantoor.example"]
    assert [(e.task, user) for e, user in plan.unknown] == [("Beoordelen aangifte klant", "spook")]


def test_only_events_that_give_someone_the_task_are_mailed():
    events = [task_event(kind) for kind in TaskEventKind]

    plan = plan_mails(events, known(), composer())

    assert sorted(m.subject.split(":")[0] for m in plan.mails) == [
        "Geëscaleerd",
        "Nieuwe taak",
        "Taak aan u toegewezen",
    ]


def test_the_shipped_users_all_have_an_address():
    users = load_office_users(REPO_ROOT / "deploy" / "config" / "users.yaml")

    assert users["taakmanager"] == Recipient("taakmanager", "Tamara Mulder", "tamara.mulder@kantoor.example")
    assert all("@" in user.email for user in users.values())


def test_only_those_new_to_a_task_get_mail_when_it_is_escalated():
    escalated = task_event(TaskEventKind.ESCALATED, assignees=["sanne.vandijk", "fiscalist"], added=["fiscalist"])

    plan = plan_mails([escalated], known(), composer())

    assert [mail.recipient for mail in plan.mails] == ["fiscalist"]
    assert "De termijn is verstreken op" in plan.mails[0].body and "Graag afhandelen vóór" not in plan.mails[0].body
