"""A refusal: the permanent, explained "no" that intake gives instead of raising."""

from dataclasses import dataclass

from .reasons import ReasonCode


@dataclass(frozen=True)
class Refusal:
    """Never retried. ``message_id`` and ``source`` are filled whenever they could be read from the input."""

    reason_code: ReasonCode
    message: str
    message_id: str | None = None
    source: str | None = None

    @property
    def explanation(self) -> str:
        return self.reason_code.explanation
