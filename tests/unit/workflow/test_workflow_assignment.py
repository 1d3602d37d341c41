"""Who holds a task: @destination is the item's client, and a task never goes to nobody."""

from services.workflow.domain import Destination, assign, parse_directory, start

CLIENT_TASK = "Beoordelen aangifte klant"
OFFICE_TASK = "Beoordelen reactie van klant"


def test_the_client_task_goes_to_the_portal_users_of_the_destination(shipped):
    bd = shipped.workflows["Belastingdienst"]
    client = Destination("ORG-10045", None, ("sanne.vandijk", "peter.vandijk"))

    assignment = assign(bd, start(bd, 1), CLIENT_TASK, shipped.directory, client)

    assert assignment.users == ("peter.vandijk", "sanne.vandijk") and assignment.note == ""


def test_groups_expand_to_their_members(shipped):
    bd = shipped.workflows["Belastingdienst"]

    assignment = assign(bd, start(bd, 1), OFFICE_TASK, shipped.directory, Destination("ORG-10045", None, ()))

    assert assignment.users == ("fiscalist", "medewerker")


def test_a_destination_without_a_portal_user_hands_the_task_to_the_task_manager_and_says_why(shipped):
    bd = shipped.workflows["Belastingdienst"]

    everyone = assign(bd, start(bd, 1), CLIENT_TASK, shipped.directory, Destination("ORG-30001", None, ()))
    one = assign(bd, start(bd, 1), CLIENT_TASK, shipped.directory, Destination("ORG-30001", "CP-3201", ()))
    gone = assign(bd, start(bd, 1), CLIENT_TASK, shipped.directory, Destination("ORG-1", None, (), known=False))

    assert everyone.users == one.users == gone.users == ("fiscalist",)
    assert everyone.note == "no active contact of ORG-30001 has a portal user; assigned to the task manager fiscalist"
    assert one.note == "contact CP-3201 of ORG-30001 has no active portal user; assigned to the task manager fiscalist"
    assert gone.note == "ORG-1 is no longer in the directory; assigned to the task manager fiscalist"


def test_the_client_of_one_item_is_not_an_assignee_of_another(shipped, standard):
    from services.workflow.domain import may_act

    state = start(standard, 1)
    mine = shipped.directory.with_destination(("sanne.vandijk",))
    theirs = shipped.directory.with_destination(("eva.jansen",))

    assert may_act(standard, state, CLIENT_TASK, "sanne.vandijk", mine)
    assert not may_act(standard, state, CLIENT_TASK, "sanne.vandijk", theirs)


def test_destination_is_a_reserved_group_name():
    _directory, problems = parse_directory("groups:\n  destination: [iemand]\n")

    assert [p.message for p in problems] == [
        "the group name 'destination' is reserved: @destination means the item's client"
    ]
