"""Dossier item ids as people type them: the full UUID, or any unique prefix of it (the demo prints 8 characters)."""

from dataclasses import dataclass

from shared.contracts.status import StatusCode

MOST_SHOWN = 10

# Once approved, an item's status moves on in dispatch (60-90); workflow keeps the 50 it handed over.
CANDIDATES = """
SELECT w.dossier_item_id::text AS id, w.message_id, coalesce(d.status_code, w.status_code) AS status_code,
       w.state->>'current_task' AS task
FROM workflow.instances w LEFT JOIN dispatch.deliveries d ON d.dossier_item_id = w.dossier_item_id
WHERE w.dossier_item_id::text LIKE $1 || '%' ORDER BY w.created_at LIMIT $2
"""


@dataclass(frozen=True)
class ItemRow:
    id: str
    message_id: str
    status_code: int
    task: str | None

    def describe_status(self) -> str:
        task = f", task '{self.task}'" if self.task else ""
        return f"{self.status_code} {StatusCode(self.status_code).label}{task}"

    def describe(self) -> str:
        return f"{self.id}  {self.message_id}  {self.describe_status()}"


class UnknownItem(LookupError):
    """The id names no dossier item, or more than one."""


async def resolve_item(conn, text: str) -> ItemRow:
    """The one item whose id is ``text`` or starts with it; else UnknownItem with a sentence listing candidates."""
    prefix = text.strip().lower()
    if not prefix or prefix.strip("0123456789abcdef-"):
        raise UnknownItem(
            f"'{text}' is not a dossier item id: give the id (a UUID) or its first characters, "
            "as `accordeer submit` and the demo print them"
        )
    rows = [ItemRow(**dict(r)) for r in await conn.fetch(CANDIDATES, prefix, MOST_SHOWN + 1)]
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise UnknownItem(
            f"no dossier item {prefix}" if len(prefix) == 36 else f"no dossier item has an id starting with '{prefix}'"
        )
    shown = "\n".join(f"  {row.describe()}" for row in rows[:MOST_SHOWN])
    more = "\n  … and more; give more characters" if len(rows) > MOST_SHOWN else ""
    raise UnknownItem(f"'{prefix}' is the start of several dossier item ids; give more characters:\n{shown}{more}")
