"""Where `accordeer dlq replay` sends a dead letter back to: its dead-letter topic's own topic, or for a letter
of a per-source topic that source's own topic, never another's."""

import pytest

from shared import dead_letters as h
from shared.operations.dead_letters import DeadLetter, _replay_target
from shared.topics import Topics

TOPICS = Topics("acme.")


def letter(topic: str, original: str) -> DeadLetter:
    return DeadLetter(topic, 0, 7, 0, b"m-1", b"{}", {h.ORIGINAL_TOPIC: original})


def test_a_letter_goes_back_to_the_topic_it_was_read_from():
    assert _replay_target(letter(TOPICS.inbound_dlq, TOPICS.inbound), TOPICS) == TOPICS.inbound
    assert _replay_target(letter(TOPICS.inbound_dlq, TOPICS.inbound_from("exact")), TOPICS) == TOPICS.inbound_from(
        "exact"
    )
    assert _replay_target(letter(TOPICS.dossier_items_dlq, TOPICS.dossier_items), TOPICS) == TOPICS.dossier_items
    assert _replay_target(letter(TOPICS.workflow_actions_dlq, TOPICS.portal_actions), TOPICS) == TOPICS.portal_actions


@pytest.mark.parametrize(
    "dlq, original",
    [
        (TOPICS.dossier_items_dlq, TOPICS.inbound_from("exact")),  # only the inbound letters may name a source topic
        (TOPICS.inbound_dlq, TOPICS.portal_actions),
        (TOPICS.workflow_actions_dlq, TOPICS.inbound_from("exact")),  # nor an actions letter a source topic
        (TOPICS.inbound_dlq, "declarations.from.exact"),  # another prefix
    ],
)
def test_a_letter_naming_another_topic_is_refused_before_anything_is_sent(dlq, original):
    with pytest.raises(ValueError, match="can be replayed"):
        _replay_target(letter(dlq, original), TOPICS)


def test_via_the_shared_inbound_topic_only_a_letter_whose_body_names_its_own_source():
    """On a secure broker the operator may not write a source's topic: such a letter can go to the shared topic,
    where the body names the source; an impersonation (a body naming another source) cannot be laundered so."""
    own = DeadLetter(
        TOPICS.inbound_dlq, 0, 7, 0, b"m-1", b'{"source": "exact"}', {h.ORIGINAL_TOPIC: "acme.declarations.from.exact"}
    )
    assert _replay_target(own, TOPICS, via_shared_inbound=True) == TOPICS.inbound
    assert _replay_target(letter(TOPICS.inbound_dlq, TOPICS.inbound), TOPICS, via_shared_inbound=True) == TOPICS.inbound
    for body in (b'{"source": "afas-fin"}', b"not json", b"[]"):
        other = DeadLetter(
            TOPICS.inbound_dlq, 0, 8, 0, b"m-2", body, {h.ORIGINAL_TOPIC: "acme.declarations.from.exact"}
        )
        with pytest.raises(ValueError, match="does not name source 'exact'"):
            _replay_target(other, TOPICS, via_shared_inbound=True)
