"""Set-up commands (records of ``workflow.setup.from.<writer>``, each writer proven by its topic): a configuration
to publish, judged and applied inside the batch's transaction.

A command is published when its configuration has no problem and no version was published since the one it was
edited from; either way its outcome is kept by the command's id (a command read again is answered once) and
written to ``workflow.setup.outcomes``, where the portal reads it. The checks are ``check_config``'s, the same as
`accordeer workflows check` runs on a folder.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from aiokafka import ConsumerRecord

from services.workflow.domain import ConfigFolder, Publication, ValidationProblem, check_config, choose_workflow
from services.workflow.domain.export import folder_from, texts
from services.workflow.domain.loading import ITEM_TYPE_FILES, ROUTES_FILE, USERS_FILE, WORKFLOWS_FOLDER
from services.workflow.domain.writers import may_publish
from services.workflow.records import utc_now
from services.workflow.repository import WorkflowRepository
from services.workflow.routing import route, task_events
from shared.contracts.setup import KEY, SetupCommand, SetupOutcome, SetupProblem
from shared.db import outbox
from shared.db.outbox import OutboxRecord
from shared.db.pool import Connection
from shared.dead_letters import dead_letter, read_as
from shared.topics import Topics

log = structlog.get_logger(__name__)

SCHEMA = "workflow"
ROUTING_PAGE = 500
"""Waiting items a publication routes per round: their rows (documents included) are loaded a page at a time."""


class SetupCommands:
    def __init__(self, topics: Topics, group_id: str, clock: Callable[[], datetime]):
        self.topics = topics
        self.group_id = group_id
        self.clock = clock

    async def apply(self, repository: WorkflowRepository, records: Sequence[ConsumerRecord]) -> list[OutboxRecord]:
        """The outbox records of a batch of set-up commands, decided one after another in record order."""
        written: list[OutboxRecord] = []
        for record in records:
            writer = self.topics.setup_writer_of(record.topic)
            command = read_as(
                SetupCommand, record, refused_by=self.group_id, dead_letter_topic=self.topics.setup_dlq, command=True
            )
            if isinstance(command, OutboxRecord):
                written.append(command)
                continue
            if why := may_publish(writer):
                log.warning("set-up command refused: its writer may not publish", writer=writer, reason=why)
                refusal = dead_letter(self.topics.setup_dlq, record, reason_code="writer_not_vouching", reason=why)
                written.append(refusal)
                continue
            assert writer is not None  # may_publish refuses a command without a proven writer
            if await repository.setup_decided(command.command_id):
                continue
            outcome, events = await self._decide(repository, command, writer)
            await repository.remember_setup(outcome)
            written += [*events, outcome_record(self.topics, outcome)]
            log.info(
                "set-up command decided",
                command_id=command.command_id,
                writer=writer,
                actor=command.actor,
                version=outcome.version,
                problems=len(outcome.problems),
                superseded_by=outcome.superseded_by,
            )
        return written

    async def _decide(
        self, repository: WorkflowRepository, command: SetupCommand, writer: str
    ) -> tuple[SetupOutcome, list[OutboxRecord]]:
        now = self.clock()
        refused = SetupOutcome(command_id=command.command_id, writer=writer, actor=command.actor, occurred_at=now)
        await repository.lock_publications()
        latest = await repository.latest_publication_id()
        if command.based_on_version is not None and latest != command.based_on_version:
            return refused.model_copy(update={"superseded_by": latest}), []
        publication = check_config(folder_from(command.files))
        problems = [*_unread_files(command.files), *publication.problems]
        if not publication.workflows and not problems:
            problems.append(ValidationProblem(file=WORKFLOWS_FOLDER, message="no workflows; nothing to publish"))
        if problems:
            return refused.model_copy(update={"problems": [_problem(p) for p in problems]}), []
        return await store_publication(
            repository,
            publication,
            self.topics,
            actor=command.actor,
            now=now,
            writer=writer,
            command_id=command.command_id,
        )


def _unread_files(files: dict[str, str]) -> list[ValidationProblem]:
    """A path a configuration folder has no place for is named, not silently left out."""
    known = (ROUTES_FILE, USERS_FILE, *ITEM_TYPE_FILES)
    return [
        ValidationProblem(
            file=name,
            message=f"not a file of a configuration folder ({WORKFLOWS_FOLDER}/*.yaml, {', '.join(known)})",
        )
        for name in sorted(files)
        if name not in known and not (name.startswith(f"{WORKFLOWS_FOLDER}/") and name.endswith((".yaml", ".yml")))
    ]


def _problem(problem: ValidationProblem) -> SetupProblem:
    return SetupProblem(file=problem.file, workflow=problem.workflow, task=problem.task, message=problem.message)


async def publish(
    conn: Connection,
    folder: ConfigFolder,
    topics: Topics,
    *,
    published_by: str,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[Publication, int]:
    """Validate the whole folder; when clean, store it as the new publication, route the waiting items and report
    the version on workflow.setup.outcomes. For the seed (`accordeer setup`) and tests; people's publications come
    as set-up commands (``setup.SetupCommands``). Returns the publication (its problems, if any) and how many
    waiting items were routed."""
    publication = check_config(folder)
    if not publication.ok:
        return publication, 0
    async with conn.transaction():
        outcome, events = await store_publication(
            WorkflowRepository(conn), publication, topics, actor=published_by, now=clock()
        )
        await outbox.append(conn, SCHEMA, [*events, outcome_record(topics, outcome)])
    return publication, outcome.routed


async def announce_latest(conn: Connection, topics: Topics) -> int | None:
    """The version in use on workflow.setup.outcomes if it never was (published before versions were announced),
    so the portal and intake learn of it after an upgrade; its number when announced now."""
    async with conn.transaction():
        repository = WorkflowRepository(conn)
        latest = await repository.unannounced_latest()
        if latest is None:
            return None
        config = await repository.publication(latest["id"])
        outcome = SetupOutcome(
            actor=latest["published_by"],
            writer=latest["writer"],
            occurred_at=latest["published_at"],
            version=latest["id"],
            files=texts(config.folder()),
        )
        await outbox.append(conn, SCHEMA, [outcome_record(topics, outcome)])
        await repository.mark_announced(latest["id"])
    return config.id


async def store_publication(
    repository: WorkflowRepository,
    publication: Publication,
    topics: Topics,
    *,
    actor: str,
    now: datetime,
    writer: str | None = None,
    command_id: str | None = None,
) -> tuple[SetupOutcome, list[OutboxRecord]]:
    """A valid publication stored as the newest version, with the events of the waiting items it routes (the
    caller writes them to the outbox in the same transaction), and its outcome."""
    publication_id = await repository.add_publication(publication, published_by=actor, writer=writer)
    config = await repository.publication(publication_id)
    routable = [
        item_id
        for item_id, message_type, characteristics in await repository.unrouted()
        if choose_workflow(config.routes, message_type, characteristics) is not None
    ]
    events: list[OutboxRecord] = []
    for start_at in range(0, len(routable), ROUTING_PAGE):  # those still without a route keep waiting
        instances = await repository.instances(routable[start_at : start_at + ROUTING_PAGE])
        tasks = await task_events(repository, topics, config, instances)
        events += await route(repository, tasks, instances, config, now=now, cause=f"publication {publication_id}")
    outcome = SetupOutcome(
        command_id=command_id,
        writer=writer,
        actor=actor,
        occurred_at=now,
        version=publication_id,
        files=texts(config.folder()),
        routed=len(routable),
    )
    return outcome, events


def outcome_record(topics: Topics, outcome: SetupOutcome) -> OutboxRecord:
    return OutboxRecord.of(topics.setup_outcomes, KEY, outcome)
