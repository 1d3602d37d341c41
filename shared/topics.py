"""Topic names, in one place; every name may carry a configured prefix."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    """The product's topics under an optional prefix (e.g. ``acme.``)."""

    prefix: str = ""

    @property
    def inbound(self) -> str:
        return f"{self.prefix}declarations.inbound"

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
        """The dead-letter topic of a consumed topic (already prefixed): ``<topic>.dlq``."""
        return f"{topic}.dlq"

    def group(self, service: str) -> str:
        """The consumer group of a service; prefixed too, so prefixed deployments never share offsets."""
        return f"{self.prefix}accordeer-{service}"
