"""`accordeer workflows publish`: a configuration sent to workflow as a set-up command, as the portal sends one,
and workflow's verdict waited for. Workflow keeps each command's outcome in workflow.setup_outcomes by its id, in
the transaction that publishes, so that row is the verdict."""

import asyncio
import uuid
from dataclasses import dataclass

from accordeer.acting import operator_name
from accordeer.kafka_io import publish
from services.workflow.domain import ValidationProblem, publish_report
from services.workflow.domain.export import texts
from services.workflow.domain.loading import ConfigFolder
from services.workflow.repository import WorkflowRepository
from shared.contracts.setup import KEY, SetupCommand
from shared.settings import Settings

OUTCOME = "SELECT version, superseded_by, problems, routed FROM workflow.setup_outcomes WHERE command_id = $1"
LOOK_EVERY = 0.2


@dataclass(frozen=True)
class Verdict:
    published: bool
    lines: list[str]
    version: int | None = None


def command_for(folder: ConfigFolder, actor: str) -> SetupCommand:
    return SetupCommand(command_id=str(uuid.uuid4()), actor=actor, files=texts(folder))


async def send_and_wait(conn, settings: Settings, command: SetupCommand, wait: float) -> Verdict | None:
    """Workflow's verdict on ``command``, or None when it has not decided within ``wait`` seconds (the command
    stays on its topic and is decided when workflow runs)."""
    await publish(
        settings.kafka_bootstrap_servers,
        settings.topics.setup_from(operator_name(settings)),
        [(KEY, command.model_dump_json().encode())],
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        row = await conn.fetchrow(OUTCOME, command.command_id)
        if row is not None:
            return await _verdict(conn, row)
        await asyncio.sleep(LOOK_EVERY)
    return None


async def _verdict(conn, row) -> Verdict:
    if row["version"] is not None:
        repository = WorkflowRepository(conn)
        published = await repository.publication(row["version"])
        before = await repository.publication(row["version"] - 1) if row["version"] > 1 else None
        changed = "first version" if before is None else changes(texts(before.folder()), texts(published.folder()))
        lines = [*publish_report([], published.workflows), f"published as version {row['version']} ({changed})"]
        if row["routed"]:
            lines.append(f"{row['routed']} waiting dossier item(s) routed into a workflow")
        return Verdict(True, lines, row["version"])
    if row["superseded_by"] is not None:
        return Verdict(False, [f"version {row['superseded_by']} was published in the meantime; nothing was published"])
    problems = [ValidationProblem(**p) for p in row["problems"]]
    return Verdict(False, [*map(str, problems), f"{len(problems)} problem(s); nothing was published"])


def changes(before: dict[str, str], after: dict[str, str]) -> str:
    """E.g. 'changed workflows/kvk.yaml, routes.yaml; added workflows/new.yaml' or 'no change'."""
    parts = [
        f"{kind} {', '.join(names)}"
        for kind, names in (
            ("changed", sorted(n for n in after if n in before and before[n] != after[n])),
            ("added", sorted(set(after) - set(before))),
            ("removed", sorted(set(before) - set(after))),
        )
        if names
    ]
    return "; ".join(parts) or "no change"
