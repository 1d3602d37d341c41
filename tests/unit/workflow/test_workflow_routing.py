"""Routes: first matching rule wins; characteristics narrow a rule; problems in the routes file."""

from services.workflow.domain import RouteRule, choose_workflow, parse_routes, validate_routes

ROUTES = [
    RouteRule(
        message_type="btw-aangifte", characteristics={"vestiging": "Utrecht", "soort": "maand"}, workflow="BTW Utrecht"
    ),
    RouteRule(message_type="btw-aangifte", workflow="Belastingdienst"),
    RouteRule(message_type="btw-aangifte", characteristics={"vestiging": "Zwolle"}, workflow="never reached"),
    RouteRule(message_type="kvk-stukken", workflow="KvK"),
]


def test_the_first_matching_rule_wins():
    assert choose_workflow(ROUTES, "btw-aangifte", {"vestiging": "Zwolle"}) == "Belastingdienst"
    assert choose_workflow(ROUTES, "kvk-stukken") == "KvK"


def test_a_rule_with_characteristics_needs_every_one_of_them():
    assert (
        choose_workflow(ROUTES, "btw-aangifte", {"vestiging": "Utrecht", "soort": "maand", "extra": "x"})
        == "BTW Utrecht"
    )
    assert choose_workflow(ROUTES, "btw-aangifte", {"vestiging": "Utrecht"}) == "Belastingdienst"
    assert choose_workflow(ROUTES, "btw-aangifte", {"vestiging": "Utrecht", "soort": "kwartaal"}) == "Belastingdienst"


def test_a_message_type_without_a_rule_has_no_workflow():
    assert choose_workflow(ROUTES, "vpb-aangifte", {}) is None
    assert choose_workflow([], "btw-aangifte") is None


def test_the_shipped_routes_send_each_authority_its_message_types(shipped):
    for message_type in ("btw-aangifte", "btw-suppletieaangifte", "icp-aangifte", "loonheffing"):
        assert choose_workflow(shipped.routes, message_type) == "Belastingdienst"
    assert choose_workflow(shipped.routes, "kvk-stukken") == "KvK"
    assert choose_workflow(shipped.routes, "vpb-aangifte") is None


def test_yaml_numbers_in_characteristics_match_the_strings_messages_carry():
    rules, problems = parse_routes("- {message_type: loonheffing, characteristics: {jaar: 2024}, workflow: L}\n")

    assert problems == []
    assert choose_workflow(rules, "loonheffing", {"jaar": "2024"}) == "L"


def test_a_route_naming_an_unknown_workflow_is_a_problem():
    problems = validate_routes("- {message_type: vpb-aangifte, workflow: VPB}\n", {"Belastingdienst"})

    assert [(p.file, p.workflow, p.message) for p in problems] == [
        ("routes.yaml", "VPB", "route for message type 'vpb-aangifte' names unknown workflow 'VPB'")
    ]


def test_unknown_and_missing_keys_in_a_rule_are_problems():
    problems = validate_routes(
        "- {message_type: kvk-stukken, workflw: KvK}\n- {message_type: x, workflow: KvK}\n", {"KvK"}
    )

    assert [p.message for p in problems] == ["rule 1: missing required key 'workflow'", "rule 1: unknown key 'workflw'"]


def test_a_rule_that_can_never_match_is_a_problem():
    problems = validate_routes(
        [{"message_type": "a", "workflow": "W"}, {"message_type": "a", "characteristics": {"k": "v"}, "workflow": "W"}],
        {"W"},
    )

    assert [p.message for p in problems] == ["rule 2 (a) never matches: rule 1 matches the same messages first"]


def test_a_routes_file_that_is_not_a_list_or_not_yaml_is_a_problem():
    assert [p.message for p in validate_routes("routes: []\n", set())] == ["the routes file must be a list of rules"]
    assert validate_routes("- [unclosed\n", set())[0].message.startswith("YAML does not parse at line 2")


def test_no_routes_at_all_is_valid_and_routes_nothing():
    rules, problems = parse_routes(None)

    assert (rules, problems) == ((), [])
    assert validate_routes("", set()) == []
