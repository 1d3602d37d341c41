"""Who wrote an action, and whom that writer may act for.

An action's writer is proven by the topic it came on: ``workflow.actions.from.<writer>`` may be written by that
writer's Kafka principal alone (on a secure broker). What the action itself says about who sent it is a claim.
The portal vouches for the person logged in and never acts on anyone's behalf; an operator acts on someone's
behalf as itself, and the audit names it; no other writer may act. Pure: no Kafka, no database.
"""

from dataclasses import dataclass

from shared.topics import OPERATOR_WRITER as OPERATOR
from shared.topics import PORTAL_WRITER as PORTAL


def is_operator(writer: str) -> bool:
    """The operator principal, or one of a person: ``operator.<name>``."""
    return writer == OPERATOR or (writer.startswith(f"{OPERATOR}.") and len(writer) > len(OPERATOR) + 1)


@dataclass(frozen=True)
class Vouched:
    """The action may be applied; ``operator`` is who acted on the actor's behalf (None: the actor in person)."""

    writer: str
    operator: str | None


@dataclass(frozen=True)
class NotVouched:
    """The writer may not vouch for what the action claims; ``reason`` says why, for the dead letter and the log."""

    writer: str | None
    reason: str


def vouch(writer: str | None, claimed_operator: str | None) -> Vouched | NotVouched:
    if writer is None:
        return NotVouched(
            None,
            "an action on workflow.actions has no proven writer: the portal writes workflow.actions.from.portal, an"
            " operator workflow.actions.from.<its principal>",
        )
    if writer == PORTAL:
        if claimed_operator is not None:
            return NotVouched(
                writer,
                f"the portal acts for the person logged in, never on behalf of someone"
                f" (the action names operator {claimed_operator!r})",
            )
        return Vouched(writer, None)
    if is_operator(writer):
        if claimed_operator not in (None, writer):
            return NotVouched(writer, f"operator {writer} may act only as itself, not as operator {claimed_operator!r}")
        return Vouched(writer, writer)
    return NotVouched(writer, f"{writer!r} may not act on tasks: only the portal and the operators may")


def may_publish(writer: str | None) -> str | None:
    """Why ``writer`` may not send set-up commands, or None: the portal (for its administrators) and the
    operators may; a command on the shared ``workflow.setup`` has no proven writer."""
    if writer is None:
        return (
            "a set-up command on workflow.setup has no proven writer: the portal writes workflow.setup.from.portal,"
            " an operator workflow.setup.from.<its principal>"
        )
    if writer == PORTAL or is_operator(writer):
        return None
    return f"{writer!r} may not publish configuration: only the portal and the operators may"
