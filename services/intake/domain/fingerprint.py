"""Idempotency by content: the same message_id with the same content is a no-op, with other content a refusal."""

import hashlib
import json
from typing import Literal

from shared.contracts.inbound import InboundDeclaration

from .reasons import ReasonCode
from .refusal import Refusal


def fingerprint(decl: InboundDeclaration) -> str:
    """SHA-256 (hex) of the canonical JSON of the whole declaration.

    Nothing is left out; an absent optional field counts the same as an explicit null.
    """
    canonical = json.dumps(decl.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def check_reuse(existing_fingerprint: str | None, decl: InboundDeclaration) -> Literal["new", "duplicate"] | Refusal:
    if existing_fingerprint is None:
        return "new"
    if existing_fingerprint == fingerprint(decl):
        return "duplicate"
    return Refusal(
        ReasonCode.MESSAGE_ID_REUSED,
        f"message_id: {decl.message_id!r} was already used by source {decl.source!r}:"
        " message id already used with other content; send changed content under a new message_id",
        decl.message_id,
        decl.source,
    )
