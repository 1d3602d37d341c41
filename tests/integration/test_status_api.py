"""The status API against real PostgreSQL and Kafka (its app built in this process from the system's settings):
status events of two sources on messages.status and a refusal on declarations.refused are consumed into the read
model, and each source, with the key `accordeer status-api key` issued it, reads only its own lines over HTTP.
And without Kafka: batches of one source committed side by side are numbered without a gap, so a reader
following its cursor never misses a line."""

import asyncio
import contextlib
import itertools
import logging
import time

import httpx
import pytest
import structlog

from accordeer.localstack.kafka import free_port
from services.status_api.app import build_app
from services.status_api.config import StatusApiSettings
from services.status_api.repository import SCHEMA, PostgresStatuses, StatusLines
from services.status_api.use_cases import StatusReadModel
from shared import dead_letters
from shared.contracts.refusals import SubmissionRefused
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.pool import create_pool
from shared.db.unit_of_work import PostgresUnitOfWork
from tests.support.records import consumer_record
from tests.unit.status_api.fakes import T0, refusal, status

_minutes = itertools.count()


def event(code: int, message_id: str, source: str) -> StatusEvent:
    return status(StatusCode(code), message_id, source, minutes=next(_minutes))


async def issue_key(system, source: str) -> str:
    issued = await system.cli("status-api", "key", source)
    assert issued.returncode == 0, issued.stderr
    assert "shown only now" in issued.stderr
    return issued.stdout.strip()


class Client:
    """Asks the API served on ``port`` as one source."""

    def __init__(self, port: int, key: str):
        self.base_url, self.headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}

    async def get(self, path: str, **params) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base_url, headers=self.headers, timeout=10) as http:
            return await http.get(path, params=params)

    async def lines(self, after: str = "0") -> dict:
        response = await self.get("/v1/statuses", after=after)
        assert response.status_code == 200, response.text
        return response.json()

    async def until_lines(self, count: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                page = await self.lines()
                if len(page["statuses"]) >= count:
                    return page
            except httpx.TransportError:
                pass  # the API is not listening yet
            assert time.monotonic() < deadline, f"fewer than {count} lines within {timeout}s"
            await asyncio.sleep(0.2)


async def publish(system, topic: str, *events: StatusEvent | SubmissionRefused | bytes) -> None:
    await system.publish(
        topic,
        [(e.message_id, e.model_dump_json().encode()) if not isinstance(e, bytes) else ("broken", e) for e in events],
    )


@contextlib.contextmanager
def logging_kept():
    """A service's app configures the process's logging (structlog caching its loggers on first use, which
    capture_logs in later tests could not see through): here it is put back as it was."""
    saved, root = structlog.get_config(), logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        structlog.configure(**saved)
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
async def served(system):
    """The status API as its process runs it (read model consumer, outbox relay, HTTP on a free port)."""
    port = free_port()
    with logging_kept():
        app = build_app(system.settings, StatusApiSettings(port=port))
        structlog.configure(cache_logger_on_first_use=False)
        await app.start()
        try:
            yield port
        finally:
            await app.stop()


async def test_each_source_reads_its_own_statuses_and_only_those(system, served):
    afas, nmbrs = await issue_key(system, "afas-fin"), await issue_key(system, "nmbrs")
    afas_trail = [event(code, "afas-it-1", "afas-fin") for code in (10, 20, 30)]
    nmbrs_trail = [event(code, "nmbrs-it-1", "nmbrs") for code in (10, 20)]
    reused = refusal(message_id="nmbrs-it-1", source="nmbrs", occurred_at=T0)
    await publish(system, system.topics.status, afas_trail[0], nmbrs_trail[0], afas_trail[1], b"{not a status")
    await publish(system, system.topics.refused, reused)
    await publish(system, system.topics.status, nmbrs_trail[1], afas_trail[2])
    afas_client, nmbrs_client = Client(served, afas), Client(served, nmbrs)

    afas_page = await afas_client.until_lines(3)
    assert [(s["cursor"], s["event_id"]) for s in afas_page["statuses"]] == [
        (str(n), e.event_id) for n, e in enumerate(afas_trail, 1)
    ]
    assert afas_page["next"] == "3" and (await afas_client.lines("3")) == {"statuses": [], "next": "3"}
    nmbrs_page = await nmbrs_client.until_lines(3)
    assert {s["message_id"] for s in nmbrs_page["statuses"]} == {"nmbrs-it-1"}
    assert sorted(s["kind"] for s in nmbrs_page["statuses"]) == ["refused", "status", "status"]

    of_message = await afas_client.get("/v1/messages/afas-it-1/statuses")
    assert [s["status_code"] for s in of_message.json()["statuses"]] == [10, 20, 30]
    windowed = await afas_client.get(
        "/v1/messages/afas-it-1/statuses", **{"from": afas_trail[1].occurred_at.isoformat()}
    )
    assert [s["status_code"] for s in windowed.json()["statuses"]] == [20, 30]
    theirs = await nmbrs_client.get("/v1/messages/afas-it-1/statuses")
    nobodys = await nmbrs_client.get("/v1/messages/afas-it-9/statuses")
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json() | {"instance": ""} == nobodys.json() | {"instance": ""}

    types = await nmbrs_client.get("/v1/message-types")
    assert types.json()["message_types"] == ["loonheffing"]

    [letter] = await system.dead_letters(f"{system.topics.status}.dlq")
    assert letter.value == b"{not a status" and letter.reason_code == dead_letters.UNREADABLE
    assert letter.headers[dead_letters.REFUSED_BY] == system.topics.group("status_api")


async def test_a_key_issued_again_replaces_the_one_before(system, served):
    first = await issue_key(system, "nmbrs")
    second = await issue_key(system, "nmbrs")
    await Client(served, second).until_lines(0)
    refused = await Client(served, first).get("/v1/statuses")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    unknown = await system.cli("status-api", "key", "no-such-source")
    assert unknown.returncode == 2 and "not a source" in unknown.stderr


async def test_batches_committed_side_by_side_number_each_source_without_a_gap(system) -> None:
    pool = await create_pool(system.settings.database_url, max_size=10)
    try:
        consumer = system.topics.group("status_api")
        read_model = StatusReadModel(
            lambda: PostgresUnitOfWork(pool, SCHEMA, consumer, StatusLines), system.topics, consumer
        )
        # A partition of its own per batch: Kafka never hands out two batches of one partition at once.
        batches = [
            [
                consumer_record(system.topics.status, e.message_id, e.model_dump_json().encode(), partition=n)
                for e in (event(10, f"m-{n}-{k}", source) for k in range(3) for source in ("afas-fin", "nmbrs"))
            ]
            for n in range(30)
        ]
        statuses = PostgresStatuses(lambda: pool)
        seen: list[int] = []

        async def follow() -> None:
            # A reader asking "what is new" while the batches commit: every page starts right after its cursor.
            while len(seen) < 90:
                lines = await statuses.after("afas-fin", seen[-1] if seen else 0, 7)
                assert [line.seq for line in lines] == list(range(len(seen) + 1, len(seen) + 1 + len(lines)))
                seen.extend(line.seq for line in lines)
                await asyncio.sleep(0.01)

        reader = asyncio.create_task(follow())
        await asyncio.gather(*(read_model.apply(batch) for batch in batches))
        await asyncio.wait_for(reader, 30)
        await asyncio.gather(*(read_model.apply(batch) for batch in batches[:5]))  # redelivered: nothing new

        rows = await pool.fetch(f"SELECT source, array_agg(seq ORDER BY seq) AS seqs FROM {SCHEMA}.events GROUP BY 1")
        assert {r["source"]: r["seqs"] for r in rows} == {s: list(range(1, 91)) for s in ("afas-fin", "nmbrs")}
        counters = await pool.fetch(f"SELECT source, last_seq FROM {SCHEMA}.sequences")
        assert {r["source"]: r["last_seq"] for r in counters} == {"afas-fin": 90, "nmbrs": 90}
        assert await statuses.of_message("nmbrs", "m-0-0", T0.replace(year=2030), None) == []
        assert await statuses.of_message("nmbrs", "m-0-0-unknown", None, None) is None
        assert await statuses.of_message("afas-fin", "m-0-0", None, None) is not None
    finally:
        await pool.close()
