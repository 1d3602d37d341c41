"""The raw fan-out reads each topic as many times as the stack's consumer groups do (shared/topology.py)."""

from benchmarks.fanout import groups_reading


def test_each_topic_is_read_by_the_groups_the_topology_names():
    assert groups_reading("declarations.inbound") == 1  # intake
    assert groups_reading("declarations.from.afas-fin") == 1  # a source's own inbound topic: intake's pattern
    assert groups_reading("dossier.items") == 2  # workflow and the portal
    assert groups_reading("workflow.actions.from.portal") == 1  # workflow
    assert groups_reading("messages.status.afas-fin") == 0  # the source's package reads it, outside the stack
    assert groups_reading("no.such.topic") == 0
