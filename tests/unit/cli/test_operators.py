"""The people at the CLI: the operators file (added to without losing its comments, names checked) and the rights
each person's principal gets: the operator's, but actions only on its own topic."""

import pytest

from accordeer.localstack.acls import TOPIC, WRITE, bindings, principals
from accordeer.operators import add_operator, configured_operators
from shared.topics import Topics

SHIPPED = "# who operates\noperators: []\n"


def test_adding_keeps_the_comments_and_a_name_is_added_once(tmp_path):
    file = tmp_path / "operators.yaml"
    file.write_text(SHIPPED)
    assert add_operator(file, "m.devries") and add_operator(file, "j-smit")
    assert not add_operator(file, "m.devries")
    assert configured_operators(file) == ["m.devries", "j-smit"]
    assert file.read_text().startswith("# who operates")


@pytest.mark.parametrize("name", ["M.devries", "m devries", ".m", "m.", "", "a" * 41, "m/devries"])
def test_a_name_that_makes_no_principal_is_refused_and_nothing_is_written(tmp_path, name):
    file = tmp_path / "operators.yaml"
    file.write_text("operators: []\n")
    with pytest.raises(ValueError, match="an operator's name is"):
        add_operator(file, name)
    assert file.read_text() == "operators: []\n"


def test_a_person_has_the_operators_rights_but_writes_actions_and_set_up_only_on_their_own_topics():
    topics, table = Topics("p."), bindings([], "p.", operators=["m.devries"])
    assert "operator.m.devries" in principals([], operators=["m.devries"])

    def writes(principal: str) -> set[str]:
        return {b.name for b in table if b.principal == principal and b.resource_type == TOPIC and b.operation == WRITE}

    person, operator = writes("operator.m.devries"), writes("operator")
    own = {topics.actions_from("operator.m.devries"), topics.setup_from("operator.m.devries")}
    operators = {topics.actions_from("operator"), topics.setup_from("operator")}
    assert own <= person and not operators & person
    assert person - own == operator - operators
    for topic in own:
        readers = {b.principal for b in table if b.name == topic}
        assert readers == {"operator.m.devries"}  # workflow reads the families by their prefixes
