"""Whom a writer of actions may vouch for: the portal for the person logged in, an operator principal for
someone else as itself, nobody else for anyone; an action on no writer's topic has no proven writer."""

import pytest

from services.workflow.domain.writers import NotVouched, Vouched, vouch


def test_the_portal_vouches_for_its_logged_in_person_and_never_acts_on_someones_behalf():
    assert vouch("portal", None) == Vouched("portal", None)
    refused = vouch("portal", "m.devries")
    assert isinstance(refused, NotVouched) and "never on behalf" in refused.reason and "'m.devries'" in refused.reason


@pytest.mark.parametrize("operator", ["operator", "operator.m.devries"])
def test_an_operator_acts_on_behalf_as_itself_whatever_the_action_claims_or_leaves_out(operator):
    assert vouch(operator, None) == Vouched(operator, operator)
    assert vouch(operator, operator) == Vouched(operator, operator)


def test_an_operator_may_not_claim_to_be_another():
    refused = vouch("operator", "m.devries")
    assert isinstance(refused, NotVouched) and "only as itself" in refused.reason


@pytest.mark.parametrize("writer", ["exact", "dispatch", "operator.", "operatorx", "import"])
def test_no_other_writer_may_act(writer):
    refused = vouch(writer, None)
    assert isinstance(refused, NotVouched) and "may not act on tasks" in refused.reason


def test_an_action_without_a_writers_topic_is_refused_with_where_to_write_instead():
    refused = vouch(None, None)
    assert isinstance(refused, NotVouched) and refused.writer is None
    assert "workflow.actions.from.portal" in refused.reason
