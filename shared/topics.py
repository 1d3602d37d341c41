"""Topic names, in one place; every name may carry a configured prefix."""

from dataclasses import dataclass

SOURCE_TOPIC_STEM = "declarations.from."
"""Per-source inbound topics are ``declarations.from.<source>``: only that source's principal may write one."""
ACTIONS_STEM = "workflow.actions.from."
"""Per-writer action topics are ``workflow.actions.from.<writer>``: only that writer's principal may write one."""
SETUP_STEM = "workflow.setup.from."
"""Per-writer set-up commands (publish a configuration) are ``workflow.setup.from.<writer>``, proven as actions are."""
PORTAL_WRITER = "portal"
OPERATOR_WRITER = "operator"
"""The operator principal; a person's own is ``operator.<name>``."""


@dataclass(frozen=True)
class Topics:
    """The product's topics under an optional prefix (e.g. ``acme.``)."""

    prefix: str = ""

    @property
    def inbound(self) -> str:
        return f"{self.prefix}declarations.inbound"

    def inbound_from(self, source: str) -> str:
        """The inbound topic of one external package; the broker lets only its principal write it, so a record
        read from it comes from that source."""
        return f"{self.prefix}{SOURCE_TOPIC_STEM}{source}"

    def source_of(self, topic: str) -> str | None:
        """The source a per-source inbound topic belongs to; None for any other topic."""
        return _member(topic, f"{self.prefix}{SOURCE_TOPIC_STEM}")

    def status_of(self, source: str) -> str:
        """The status events of one source's messages, which only its principal may read (besides the product's
        own ``messages.status``, which holds every source's)."""
        return f"{self.prefix}messages.status.{source}"

    def refused_of(self, source: str) -> str:
        """The refusals of one source's submissions, which only its principal may read."""
        return f"{self.prefix}declarations.refused.{source}"

    def is_status(self, topic: str) -> bool:
        """``messages.status`` or one source's copy of it (never its dead letters)."""
        return topic == self.status or (topic.startswith(f"{self.status}.") and not topic.endswith(".dlq"))

    def source_topics(self, source: str) -> tuple[str, str, str]:
        """What a source writes (its inbound topic) and reads (its statuses and refusals)."""
        return self.inbound_from(source), self.status_of(source), self.refused_of(source)

    def source_groups(self, source: str) -> str:
        """The start of the consumer groups a source may use to read its own topics: ``<source>.``."""
        return f"{self.prefix}{source}."

    @property
    def inbound_dlq(self) -> str:
        return f"{self.prefix}declarations.inbound.dlq"

    @property
    def refused(self) -> str:
        """Every refused submission, keyed by message_id; never mistaken for a message's own status."""
        return f"{self.prefix}declarations.refused"

    @property
    def dossier_items(self) -> str:
        return f"{self.prefix}dossier.items"

    @property
    def dossier_items_dlq(self) -> str:
        return f"{self.prefix}dossier.items.dlq"

    @property
    def workflow_actions(self) -> str:
        return f"{self.prefix}workflow.actions"

    @property
    def portal_actions(self) -> str:
        """What the portal's logged-in people do (and what stands in for them: the demo, chaos, the bench)."""
        return self.actions_from(PORTAL_WRITER)

    def actions_from(self, writer: str) -> str:
        """The actions one writer (the portal, an operator principal) sends: on a secure broker only that writer's
        principal may write it, so workflow knows who wrote an action."""
        return f"{self.prefix}{ACTIONS_STEM}{writer}"

    def writer_of(self, topic: str) -> str | None:
        """The writer of an actions topic; None for any other topic (workflow.actions itself included)."""
        return _member(topic, f"{self.prefix}{ACTIONS_STEM}")

    @property
    def setup(self) -> str:
        """Set-up commands without a proven writer: workflow refuses them, saying which topic to write instead."""
        return f"{self.prefix}workflow.setup"

    def is_setup(self, topic: str) -> bool:
        """``workflow.setup`` or one writer's set-up topic."""
        return topic == self.setup or self.setup_writer_of(topic) is not None

    def setup_from(self, writer: str) -> str:
        """The set-up commands one writer sends (the portal's administrators, an operator at the CLI): only that
        writer's principal may write it, so workflow knows who asked for a publication."""
        return f"{self.prefix}{SETUP_STEM}{writer}"

    def setup_writer_of(self, topic: str) -> str | None:
        """The writer of a set-up commands topic; None for any other topic."""
        return _member(topic, f"{self.prefix}{SETUP_STEM}")

    @property
    def setup_dlq(self) -> str:
        return f"{self.prefix}workflow.setup.dlq"

    @property
    def setup_outcomes(self) -> str:
        """What became of each set-up command, and every version published (from a command or seeded)."""
        return f"{self.prefix}workflow.setup.outcomes"

    @property
    def workflow_actions_dlq(self) -> str:
        return f"{self.prefix}workflow.actions.dlq"

    @property
    def approved(self) -> str:
        return f"{self.prefix}messages.approved"

    @property
    def approved_dlq(self) -> str:
        return f"{self.prefix}messages.approved.dlq"

    @property
    def status(self) -> str:
        return f"{self.prefix}messages.status"

    @property
    def tasks(self) -> str:
        return f"{self.prefix}workflow.tasks"

    @property
    def tasks_dlq(self) -> str:
        return f"{self.prefix}workflow.tasks.dlq"

    @property
    def directory(self) -> str:
        return f"{self.prefix}directory.parties"

    @property
    def directory_dlq(self) -> str:
        return f"{self.prefix}directory.parties.dlq"

    def dead_letters_of(self, topic: str) -> str:
        """The dead-letter topic of a consumed topic (already prefixed): ``<topic>.dlq``; the per-source inbound
        topics share ``declarations.inbound.dlq``, the writers' action topics ``workflow.actions.dlq`` and their
        set-up topics ``workflow.setup.dlq`` (their headers keep the original topic)."""
        if self.source_of(topic) is not None:
            return self.inbound_dlq
        if self.setup_writer_of(topic) is not None:
            return self.setup_dlq
        return self.workflow_actions_dlq if self.writer_of(topic) is not None else f"{topic}.dlq"

    def group(self, service: str) -> str:
        """The consumer group of a service; prefixed too, so prefixed deployments never share offsets."""
        return f"{self.prefix}accordeer-{service}"


UNPREFIXED = Topics()
"""The topics without a prefix, as the product names them by default."""


def _member(topic: str, stem: str) -> str | None:
    """Who a family's topic belongs to (what follows ``stem``); None for a topic outside the family."""
    return topic[len(stem) :] if topic.startswith(stem) and len(topic) > len(stem) else None
