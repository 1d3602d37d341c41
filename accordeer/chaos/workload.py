"""The chaos run's declarations, from the golden examples, and what each must come to.

Deterministic from the seed: the same seed gives the same records, the same reviewer decisions and the same
expectations, so the checker knows what to expect without asking the system.
"""

import base64
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from accordeer.chaos.checker import ACCEPTED, DECLINED, REJECTED, Expectation
from shared.contracts.inbound import EXAMPLES_DIR

VALID_EXAMPLES = (
    "btw_aangifte",
    "btw_suppletieaangifte",
    "icp_aangifte",
    "kvk_stukken",
    "loonheffing",
    "two_destinations",
    "attachment_inline",
    "attachment_unc",
)
TRAILS = {"500": ACCEPTED, "420": ACCEPTED, "510": DECLINED, "311": DECLINED}
"""The mocked gateway's trail (a MOCK-TRAIL marker in the document) → the item's final status once approved."""

APPROVE, REJECT, REACT = "approve", "reject", "react"


@dataclass(frozen=True)
class Submission:
    message_id: str
    value: bytes
    kind: str  # valid | bad_json | schema | unknown_destination | unauthorised | reuse


def decision(message_id: str) -> str:
    """The reviewer's choice for a message, from its id alone: most approved, some rejected, a few first react
    (the office puts them to the client again, who then approves)."""
    roll = int.from_bytes(hashlib.sha256(message_id.encode()).digest()[:4], "big") % 100
    return REJECT if roll < 10 else REACT if roll < 15 else APPROVE


def _examples() -> dict[str, dict]:
    return {name: json.loads((Path(EXAMPLES_DIR) / f"inbound_{name}.json").read_text()) for name in VALID_EXAMPLES}


def with_trail(document: dict, trail: str) -> dict:
    """The declaration's document with ``<!-- MOCK-TRAIL:<trail> -->`` after the XML declaration (still valid
    XML with the same summary), steering the mocked gateway."""
    content = base64.b64decode(document["content_base64"])
    at = content.index(b"?>") + 2 if content.startswith(b"<?xml") else 0
    marked = content[:at] + f"\n<!-- MOCK-TRAIL:{trail} -->".encode() + content[at:]
    return {**document, "content_base64": base64.b64encode(marked).decode()}


def build(count: int, *, seed: int, run_id: str) -> tuple[list[Submission], dict[str, Expectation]]:
    """``count`` submissions in publishing order and the expectation per message id."""
    rng = random.Random(seed)
    examples = _examples()
    submissions: list[Submission] = []
    expectations: dict[str, Expectation] = {}
    registered: list[str] = []
    for n in range(count):
        message_id = f"chaos-{run_id}-{n:05d}"
        roll = rng.random()
        if roll < 0.02:
            submissions.append(Submission(message_id, f'{{"message_id": "{message_id}", broken'.encode(), "bad_json"))
            expectations[message_id] = Expectation(message_id, registered=False, dead_letters=1)
            continue
        declaration = {**examples[rng.choice(VALID_EXAMPLES)], "message_id": message_id}
        if roll < 0.05:
            kind = rng.choice(["schema", "unknown_destination", "unauthorised"])
            if kind == "schema":
                declaration["unexpected_field"] = "not in the contract"
            elif kind == "unknown_destination":
                declaration["destinations"] = [{"organisation_person_id": "ORG-99999"}]
            else:
                declaration["submitter"] = "nobody.here"
            submissions.append(Submission(message_id, json.dumps(declaration).encode(), kind))
            expectations[message_id] = Expectation(message_id, registered=False, dead_letters=1)
            continue
        if roll < 0.06 and len(registered) > 20:
            # A later submission under an earlier, registered id with other content: refused, and the
            # registered message's own status must not change because of it.
            earlier = registered[rng.randrange(len(registered) - 20)]
            reused = {**json.loads(_value(submissions, earlier)), "subject": f"Other content {n}"}
            submissions.append(Submission(earlier, json.dumps(reused).encode(), "reuse"))
            before = expectations[earlier]
            expectations[earlier] = Expectation(
                earlier,
                registered=True,
                items=before.items,
                outcome=before.outcome,
                dead_letters=before.dead_letters + 1,
                refusals_elsewhere=before.refusals_elsewhere + 1,
            )
            continue
        trail = rng.choices(list(TRAILS), weights=[88, 4, 4, 4])[0]
        declaration["document"] = with_trail(declaration["document"], trail)
        outcome = REJECTED if decision(message_id) == REJECT else TRAILS[trail]
        submissions.append(Submission(message_id, json.dumps(declaration).encode(), "valid"))
        expectations[message_id] = Expectation(
            message_id, registered=True, items=len(declaration["destinations"]), outcome=outcome
        )
        registered.append(message_id)
    return submissions, expectations


def _value(submissions: list[Submission], message_id: str) -> bytes:
    return next(s.value for s in submissions if s.message_id == message_id and s.kind == "valid")
