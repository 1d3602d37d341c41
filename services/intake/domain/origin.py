"""Where a declaration comes from: on a per-source topic (``declarations.from.<source>``) the topic says it.

The broker lets only a source's own principal write its topic, so the topic is
the authenticated sender. A body there naming another source is refused as
``source_mismatch``: an impersonation, never judged as that other source's
message. A refusal whose body names no readable source is the topic's source's.
On the shared ``declarations.inbound`` the body's ``source`` is taken as given.
"""

from dataclasses import replace

from .parsing import Declaration
from .reasons import ReasonCode
from .refusal import Refusal


def check_origin(parsed: Declaration | Refusal, *, topic: str, topic_source: str | None) -> Declaration | Refusal:
    """``parsed`` as it stands, or the ``source_mismatch`` refusal; ``topic_source`` None: not a per-source topic."""
    if topic_source is None:
        return parsed
    if parsed.source is None:
        return replace(parsed, source=topic_source)
    if parsed.source == topic_source:
        return parsed
    return Refusal(
        ReasonCode.SOURCE_MISMATCH,
        f"source: the message names source {parsed.source!r}, but it was published on {topic}, the topic of source"
        f" {topic_source!r}; a source submits only under its own name, on its own topic",
        parsed.message_id,
        topic_source,
    )
