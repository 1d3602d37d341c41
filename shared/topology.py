"""Which service reads and writes which topics, in which consumer group, and where it answers for health and
metrics: the one table the subscriptions, the lag report and gauges, the broker's ACLs, the local stack and the
dashboard read, so that none of them can disagree with another.

Names are the product's, without the configured prefix (``Topics`` puts it in front). ``declarations.from.*``
stands for every source's own inbound topic, ``messages.status.*`` and ``declarations.refused.*`` for every
source's own status and refusal topics (``Topics.source_topics``).
"""

import re
from dataclasses import dataclass

from shared.topics import Topics

SOURCE_INBOUND = "declarations.from.*"
SOURCE_STATUS = "messages.status.*"
SOURCE_REFUSED = "declarations.refused.*"
WRITER_ACTIONS = "workflow.actions.from.*"
WRITER_SETUP = "workflow.setup.from.*"
PER_SOURCE = (SOURCE_INBOUND, SOURCE_STATUS, SOURCE_REFUSED)
PER_WRITER = (WRITER_ACTIONS, WRITER_SETUP)
FAMILY_OF = {
    SOURCE_INBOUND: "declarations.inbound",
    SOURCE_STATUS: "messages.status",
    SOURCE_REFUSED: "declarations.refused",
    WRITER_ACTIONS: "workflow.actions",
    WRITER_SETUP: "workflow.setup",
}
"""Each per-source (and per-writer) family and the shared topic its members stand beside (same partitions, same
dead letters)."""


@dataclass(frozen=True)
class ServiceTopics:
    """One service: what it consumes in its consumer group, what it follows without a group (the directory copy,
    read from the start), what it writes, and the local stack's port for its health and metrics."""

    name: str
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    ops_port: int
    follows: tuple[str, ...] = ()
    applies_first: tuple[str, ...] = ()
    """Of what it consumes, the topics whose records are applied before the rest is read when partitions are
    assigned (shared/kafka/resume.py): read again after a restore, an action must not come before its item."""

    @property
    def reads(self) -> tuple[str, ...]:
        return self.consumes + self.follows

    def consume_names(self) -> tuple[str, ...]:
        """What it consumes, a per-source family as the shared topic it stands beside (for its dead letters)."""
        return tuple(FAMILY_OF.get(name, name) for name in self.consumes)

    def group(self, topics: Topics) -> str:
        return topics.group(self.name)

    def consumed(self, topics: Topics) -> list[str]:
        """The topics it consumes by name (a per-source family is not one: see ``pattern``)."""
        return [topics.prefix + name for name in self.consumes if not name.endswith("*")]

    def pattern(self, topics: Topics) -> str | None:
        """A regex for everything it consumes, when that includes a per-source family; else None."""
        if not any(name.endswith("*") for name in self.consumes):
            return None
        return re.escape(topics.prefix) + "(" + "|".join(_regex(name) for name in self.consumes) + ")$"


SERVICES = (
    ServiceTopics(
        "intake",
        # workflow.setup.outcomes: the item type's settings of each version published, for the items made after it.
        consumes=("declarations.inbound", SOURCE_INBOUND, "workflow.setup.outcomes"),
        follows=("directory.parties",),
        produces=(
            "dossier.items",
            "messages.status",
            SOURCE_STATUS,
            "declarations.refused",
            SOURCE_REFUSED,
            "declarations.inbound.dlq",
            "workflow.setup.outcomes.dlq",
            "directory.parties.dlq",
        ),
        ops_port=8481,
    ),
    ServiceTopics(
        "workflow",
        # workflow.actions and workflow.setup themselves have no proven writer: what comes on them is refused with
        # what to write instead.
        consumes=("dossier.items", "workflow.actions", WRITER_ACTIONS, "workflow.setup", WRITER_SETUP),
        applies_first=("dossier.items",),
        follows=("directory.parties",),
        produces=(
            "messages.approved",
            "messages.status",
            SOURCE_STATUS,
            "workflow.tasks",
            "dossier.items.dlq",
            "workflow.actions.dlq",
            "workflow.setup.outcomes",
            "workflow.setup.dlq",
            "directory.parties.dlq",
        ),
        ops_port=8482,
    ),
    ServiceTopics(
        "dispatch",
        consumes=("messages.approved",),
        produces=("messages.status", SOURCE_STATUS, "messages.approved.dlq"),
        ops_port=8483,
    ),
    ServiceTopics(
        "notifier",
        consumes=("workflow.tasks",),
        follows=("directory.parties",),
        produces=("workflow.tasks.dlq", "directory.parties.dlq"),
        ops_port=8484,
    ),
    ServiceTopics(
        "portal",
        consumes=("dossier.items", "messages.status", "workflow.tasks", "workflow.setup.outcomes"),
        follows=("directory.parties",),
        # The portal's people approve, reject and sign: their actions go to the portal's own actions topic; its
        # administrators' publications to its own set-up topic.
        produces=(
            "workflow.actions.from.portal",
            "workflow.setup.from.portal",
            "workflow.setup.outcomes.dlq",
            "dossier.items.dlq",
            "messages.status.dlq",
            "workflow.tasks.dlq",
            "directory.parties.dlq",
        ),
        ops_port=8485,
    ),
    ServiceTopics(
        "status_api",
        # The product's own streams, not the per-source copies: one consumer for every source's statuses.
        consumes=("messages.status", "declarations.refused"),
        produces=("messages.status.dlq", "declarations.refused.dlq"),
        ops_port=8486,
    ),
)
BY_NAME = {service.name: service for service in SERVICES}
CONSUMED = tuple(dict.fromkeys(name for s in SERVICES for name in (*s.consume_names(), *s.follows)))
"""Every topic some service reads (a per-source family as the shared topic beside it): each has a dead-letter
topic, which ``accordeer dlq`` and the operator page read and replay from."""
OPERATOR_PAGE = {
    "read": [f"{name}.dlq" for name in CONSUMED],
    "describe": sorted({name for s in SERVICES for name in s.consumes}),
    "describe_groups": ["accordeer-*"],
}
"""What the portal's operator page needs besides the portal's own topics: the dead letters to show, and every
consumed topic and consumer group to describe for the lag figures (time lag only where it may read)."""


def service(name: str) -> ServiceTopics:
    return BY_NAME[name]


def consumer_groups(topics: Topics) -> dict[str, tuple[str, ...]]:
    """Each service's consumer group → the topics it consumes (prefixed; a per-source family still ending in
    ``*``, for the lag sampler to expand to the topics that exist): what lag is reported for."""
    return {s.group(topics): tuple(topics.prefix + name for name in s.consumes) for s in SERVICES}


def matches(name: str, topic: str) -> bool:
    """Whether ``topic`` (without the prefix) is ``name`` as the topology writes it: a topic, or a per-source family
    ending in ``*``."""
    return re.fullmatch(_regex(name), topic) is not None


def _regex(name: str) -> str:
    return re.escape(name[:-1]) + ".+" if name.endswith("*") else re.escape(name)
