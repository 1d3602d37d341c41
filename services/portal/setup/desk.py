"""What every set-up page does alike: read the version in use or the one a form was made from, send a change as
a set-up command and wait a moment for workflow's answer, and say what went wrong where."""

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.portal.languages import gettext_for
from services.portal.setup.problems import SUMMARY, in_words, placed
from shared.contracts.setup import KEY, SetupCommand
from shared.db import outbox
from shared.db.outbox import OutboxRecord
from shared.topics import PORTAL_WRITER

if TYPE_CHECKING:  # for annotations only: web.py imports this module
    from services.portal.web import Portal

Gettext = Callable[[str], str]


class SetupDesk:
    def __init__(self, portal: "Portal"):
        self.portal = portal

    async def latest(self, request: Request) -> tuple[int, dict[str, str]]:
        """The version in use and its files."""
        async with self.portal.pool().acquire() as conn:
            row = await conn.fetchrow("SELECT version, files FROM portal.setup_versions ORDER BY version DESC LIMIT 1")
        if row is None:  # the seed (`accordeer setup`) reaches the portal once workflow runs and relays it
            _ = gettext_for(request)
            raise HTTPException(503, _("Er is nog geen versie gepubliceerd; probeer het zo opnieuw."))
        return row["version"], dict(row["files"])

    async def version(self, number: int) -> dict[str, str]:
        async with self.portal.pool().acquire() as conn:
            files = await conn.fetchval("SELECT files FROM portal.setup_versions WHERE version = $1", number)
        if files is None:
            raise HTTPException(404)
        return dict(files)

    async def edited(self, sent: FormData) -> tuple[int, dict[str, str]]:
        """The version the form was made from (its files are what the change applies to)."""
        number = page_number(str(sent.get("versie", "")))
        return number, await self.version(number)

    async def send(self, actor: str, sent: FormData, version: int, files: dict[str, str]) -> Any:
        """Send the command once (its id is the form's) and wait a moment for workflow's answer; None if none."""
        command = SetupCommand(command_id=command_id(sent), actor=actor, based_on_version=version, files=files)
        topic = self.portal.topics.setup_from(PORTAL_WRITER)
        async with self.portal.pool().acquire() as conn, conn.transaction():
            await outbox.append(conn, "portal", [OutboxRecord.of(topic, KEY, command)])
        deadline = asyncio.get_running_loop().time() + self.portal.settings.outcome_wait_seconds
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            async with self.portal.pool().acquire() as conn:
                outcome = await conn.fetchrow(
                    "SELECT * FROM portal.setup_outcomes WHERE command_id = $1", command.command_id
                )
            if outcome is not None:
                return outcome
        return None


def after(request: Request, outcome: Any, sent: FormData, published: str) -> Response:
    """Published: the overview says so; no answer yet: the page that waits for it."""
    if outcome is None:
        return RedirectResponse(f"/inrichting/uitkomst/{command_id(sent)}", status_code=303)
    request.session["notice"] = published
    return RedirectResponse("/inrichting", status_code=303)


def refused(outcome: Any) -> bool:
    return outcome is not None and outcome["version"] is None


def errors(
    _: Gettext, mistakes: dict[str, str] | None, outcome: Any, *, tasks: Sequence[str] = ()
) -> dict[str, list[str]]:
    """Field → what is wrong there, in the reader's words: what the portal found itself, then workflow's problems
    (by the form's task where they name one) and a newer version that came first; ``SUMMARY`` for the rest."""
    found = {field: [_(text)] for field, text in (mistakes or {}).items()}
    if outcome is not None:
        for field, problems in placed(list(outcome["problems"]), tasks).items():
            found.setdefault(field, []).extend(in_words(p, _) for p in problems)
        if outcome["superseded_by"] is not None:
            found.setdefault(SUMMARY, []).append(superseded(outcome, _))
    return found


def notices(request: Request) -> dict[str, object]:
    return {"notice": request.session.pop("notice", None), "error": request.session.pop("error", None)}


def superseded(outcome: Any, _: Gettext) -> str:
    return _(
        "Intussen is versie %(version)s gepubliceerd; uw wijziging is niet gepubliceerd. Open de pagina opnieuw en "
        "breng haar aan op de nieuwe versie."
    ) % {"version": outcome["superseded_by"]}


def problems_sentence(outcome: Any, _: Gettext) -> str:
    if outcome["superseded_by"] is not None:
        return superseded(outcome, _)
    return " ".join(in_words(p, _) for p in outcome["problems"])


def command_id(sent: FormData) -> str:
    try:
        return str(uuid.UUID(str(sent.get("command_id", ""))))
    except ValueError:
        return str(uuid.uuid4())


def page_number(text: str) -> int:
    """A version number from an address or a form; anything else is a 404."""
    if not text.isdigit() or len(text) > 9:
        raise HTTPException(404)
    return int(text)


def typed(sent: FormData) -> dict[str, str]:
    return {key: value for key, value in sent.items() if isinstance(value, str)}


def rows_sent(sent: FormData, name: str) -> int:
    """How many rows a list form says it has (at most 500)."""
    rows = str(sent.get(name, ""))
    return min(int(rows), 500) if rows.isdigit() else 0
