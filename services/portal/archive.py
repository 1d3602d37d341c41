"""Afgehandeld: the declarations whose workflow is over, as the viewer may see them, with where each ended and
the gateway's last answer; searched by period, type and client, a page at a time.

Who sees what follows access.may_see, for items without an open task: a client their own organisations'
items, office staff every item, and a confidential item only its task manager and whoever decided it (acted on
one of its tasks), so what someone approved stays findable.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from asyncpg.pool import PoolConnectionProxy

from services.portal.access import Viewer, client_choices, client_label
from services.portal.queries import CLIENT_NAME
from shared.gateway_codes import described

PAGE_SIZE = 20
DECIDED_FROM = 40
"""From here on the workflow is over: rejected (40), on its way to the authority (50-70) or answered (80, 90)."""


@dataclass(frozen=True)
class Search:
    """What the person asked for, as read from the address; anything unreadable is left out, never an error."""

    since: date | None = None
    until: date | None = None
    message_type: str = ""
    client: str = ""
    page: int = 1
    not_dates: tuple[str, ...] = ()
    """What was given as a date and is none (the page says it left them out)."""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> "Search":
        given = {name: params.get(name, "").strip()[:32] for name in ("van", "tot")}
        days = {name: _day(text) for name, text in given.items()}
        return cls(
            since=days["van"],
            until=days["tot"],
            message_type=params.get("soort", "").strip()[:64],
            client=params.get("klant", "").strip()[:64],
            page=min(max(1, _number(params.get("pagina", "1"))), 100_000),
            not_dates=tuple(text for name, text in given.items() if text and days[name] is None),
        )

    @property
    def backwards(self) -> bool:
        return bool(self.since and self.until and self.since > self.until)

    def address(self, page: int) -> str:
        """The query string of this search at ``page``."""
        kept = {
            "van": self.since.isoformat() if self.since else "",
            "tot": self.until.isoformat() if self.until else "",
            "soort": self.message_type,
            "klant": self.client,
            "pagina": str(page),
        }
        return urlencode({name: value for name, value in kept.items() if value})


@dataclass(frozen=True)
class Decided:
    dossier_item_id: str
    subject: str | None
    confidential: bool
    message_type: str | None
    organisation_person_id: str | None
    status_code: int | None
    status_at: datetime | None
    gateway_code: int | None
    decided_by_viewer: bool
    decided_through: str | None = None
    """The operator who took the viewer's last action on their behalf, if one did."""
    client_name: str | None = None

    @property
    def client(self) -> str:
        return client_label(self.client_name, self.organisation_person_id)

    @property
    def gateway_answer(self) -> str:
        """The gateway's last status code with Digipoort's own (Dutch) words for it; empty before any."""
        return described(self.gateway_code) if self.gateway_code is not None else ""


@dataclass(frozen=True)
class Page:
    items: list[Decided]
    total: int
    search: Search
    message_types: list[str]
    clients: dict[str, str]
    """Client id → name, in the order of the names."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


_VISIBLE = f"""
  FROM portal.items i
  WHERE NOT EXISTS (SELECT 1 FROM portal.tasks t WHERE t.dossier_item_id = i.dossier_item_id)
    AND i.status_code >= {DECIDED_FROM}
    AND ((NOT i.confidential AND ($2 <> 'client' OR i.organisation_person_id = ANY($3::text[])))
         OR i.task_manager = $1
         OR EXISTS (SELECT 1 FROM portal.history h WHERE h.dossier_item_id = i.dossier_item_id AND h.actor = $1))
"""


async def search(conn: PoolConnectionProxy, viewer: Viewer, asked: Search) -> Page:
    """One page of what the viewer may see of the decided declarations, newest first, and the choices the
    search offers (the types and clients among them)."""
    who = (viewer.user, viewer.role, sorted(viewer.organisations))
    narrowed = (
        _VISIBLE + " AND ($4::date IS NULL OR i.status_at >= $4::date)"
        " AND ($5::date IS NULL OR i.status_at < $5::date)"
        " AND ($6 = '' OR i.message_type = $6) AND ($7 = '' OR i.organisation_person_id = $7)"
    )
    until = asked.until + timedelta(days=1) if asked.until else None  # "tot en met": the whole last day
    criteria = (*who, asked.since, until, asked.message_type, asked.client)
    total = await conn.fetchval("SELECT count(*)" + narrowed, *criteria)
    rows = await conn.fetch(
        "SELECT i.dossier_item_id, i.subject, i.confidential, i.message_type, i.organisation_person_id,"
        f" i.status_code, i.status_at, {CLIENT_NAME},"
        " (SELECT h.authority_status_code FROM portal.history h WHERE h.dossier_item_id = i.dossier_item_id"
        "   AND h.authority_status_code IS NOT NULL ORDER BY h.at DESC, h.event_id DESC LIMIT 1) AS gateway,"
        " EXISTS (SELECT 1 FROM portal.history h WHERE h.dossier_item_id = i.dossier_item_id AND h.actor = $1)"
        "   AS decided,"
        " (SELECT h.operator FROM portal.history h WHERE h.dossier_item_id = i.dossier_item_id AND h.actor = $1"
        "   ORDER BY h.at DESC, h.event_id DESC LIMIT 1) AS decided_through"
        + narrowed
        + " ORDER BY i.status_at DESC NULLS LAST, i.dossier_item_id"
        f" LIMIT {PAGE_SIZE} OFFSET $8",
        *criteria,
        (asked.page - 1) * PAGE_SIZE,
    )
    choices = await conn.fetch(
        f"SELECT DISTINCT i.message_type, i.organisation_person_id, {CLIENT_NAME}" + _VISIBLE, *who
    )
    return Page(
        items=[
            Decided(
                dossier_item_id=str(r["dossier_item_id"]),
                subject=r["subject"],
                confidential=r["confidential"],
                message_type=r["message_type"],
                organisation_person_id=r["organisation_person_id"],
                status_code=r["status_code"],
                status_at=r["status_at"],
                gateway_code=_number(r["gateway"]) if r["gateway"] else None,
                decided_by_viewer=r["decided"],
                decided_through=r["decided_through"],
                client_name=r["client_name"],
            )
            for r in rows
        ],
        total=total,
        search=asked,
        message_types=sorted({r["message_type"] for r in choices if r["message_type"]}),
        clients=client_choices(
            (r["organisation_person_id"], client_label(r["client_name"], r["organisation_person_id"])) for r in choices
        ),
    )


async def decided_by(conn: PoolConnectionProxy, dossier_item_id: str, user: str) -> bool:
    """Whether ``user`` acted on one of the item's tasks."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM portal.history WHERE dossier_item_id = $1 AND actor = $2)",
            dossier_item_id,
            user,
        )
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _number(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return 0
