"""Topic names, in one place; every name may carry a configured prefix."""

import re
from dataclasses import dataclass

SOURCE_TOPIC_STEM = "declarations.from."
"""Per-source inbound topics are ``declarations.from.<source>``: only that source's principal may write one."""


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

    @property
    def inbound_from_pattern(self) -> str:
        """A regex matching every per-source inbound topic (and nothing else under this prefix)."""
        return re.escape(self.prefix) + r"declarations\.from\..+$"

    @property
    def intake_pattern(self) -> str:
        """A regex matching what intake reads: the shared inbound topic and every per-source one (never a .dlq)."""
        return re.escape(self.prefix) + r"declarations\.(inbound|from\..+)$"

    def source_of(self, topic: str) -> str | None:
        """The source a per-source inbound topic belongs to; None for any other topic."""
        stem = f"{self.prefix}{SOURCE_TOPIC_STEM}"
        if topic.startswith(stem) and len(topic) > len(stem):
            return topic[len(stem) :]
        return None

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
        topics share ``declarations.inbound.dlq`` (their headers keep the original topic)."""
        return self.inbound_dlq if self.source_of(topic) is not None else f"{topic}.dlq"

    def group(self, service: str) -> str:
        """The consumer group of a service; prefixed too, so prefixed deployments never share offsets."""
        return f"{self.prefix}accordeer-{service}"


UNPREFIXED = Topics()
"""The topics without a prefix, as the product names them by default."""
