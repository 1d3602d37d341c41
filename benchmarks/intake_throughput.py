"""Intake throughput against the raw limits of the same Kafka and PostgreSQL, measured in the same run.

    make bench            (or: python -m benchmarks.intake_throughput --records 20000 --rounds 3)

Per round: (1) raw Kafka: produce N declaration-sized records with the idempotent producer and consume them
back; (2) raw PostgreSQL: COPY N dossier-item rows in transactions of one batch each; (3) intake: N
declarations already on the topic, one intake process from start to the last dossier item stored and the
outbox drained. Prints each round and the medians, and intake as a share of the slower raw limit.
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from accordeer.kafka_io import publish
from accordeer.localstack.stack import ServiceProcesses, with_database
from shared.db.pool import connect
from shared.kafka.admin import partitions_of
from shared.kafka.producer import create_producer
from shared.settings import Settings
from tests.support.declarations import example
from tests.support.infrastructure import session_infrastructure

BATCH = 500


def declarations(n: int, run: str) -> list[tuple[str, bytes]]:
    return [(f"bench-{run}-{i}", json.dumps(example("btw_aangifte", message_id=f"bench-{run}-{i}")).encode())
            for i in range(n)]


async def raw_kafka(bootstrap: str, records: list[tuple[str, bytes]], topic: str) -> float:
    producer = create_producer(bootstrap, client_id="bench")
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send(topic, value=v, key=k.encode()) for k, v in records]
    await asyncio.gather(*futures)
    await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=BATCH)
    await consumer.start()
    partitions = await partitions_of(bootstrap, topic)
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    seen = 0
    while seen < len(records):
        seen += sum(len(rs) for rs in (await consumer.getmany(timeout_ms=500, max_records=BATCH)).values())
    await consumer.stop()
    return len(records) / (time.perf_counter() - started)


async def raw_postgres(database_url: str, records: list[tuple[str, bytes]]) -> float:
    conn = await connect(database_url)
    await conn.execute("CREATE TEMP TABLE raw_items (LIKE intake.dossier_items INCLUDING ALL)")
    document = json.loads(records[0][1])
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        rows = [(uuid.uuid4(), "bench", k, 0, "Accorderingsbericht", "btw-aangifte", "svc", time_now(), "s",
                 "ORG", None, document["identity"], document["document"], None, {}, {}, False, time_now(), None)
                for k, _ in records[start:start + BATCH]]
        async with conn.transaction():
            await conn.copy_records_to_table("raw_items", records=rows)
    elapsed = time.perf_counter() - started
    await conn.close()
    return len(records) / elapsed


def time_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def intake_run(settings: Settings, log_dir: Path, records: list[tuple[str, bytes]]) -> float:
    """From the first record published to the last one stored and its events relayed, with intake warmed up
    (process started, group joined, one declaration through) so start-up is not counted."""
    services = ServiceProcesses(log_dir, env={"DATABASE_URL": settings.database_url,
                                              "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
                                              "ACCORDEER_TOPIC_PREFIX": settings.topic_prefix,
                                              "ACCORDEER_LOG_LEVEL": "WARNING"})
    conn = await connect(settings.database_url)
    services.start_service("intake")
    try:
        warm_up = declarations(1, "warm-up")
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, warm_up)
        await _stored(conn, 1)
        started = time.perf_counter()
        await publish(settings.kafka_bootstrap_servers, settings.topics.inbound, records)
        await _stored(conn, 1 + len(records))
        return len(records) / (time.perf_counter() - started)
    finally:
        services.stop_all()
        await conn.close()


async def _stored(conn, count: int) -> None:
    while (await conn.fetchval("SELECT count(*) FROM intake.declarations") < count
           or await conn.fetchval("SELECT count(*) FROM intake.outbox") > 0):
        await asyncio.sleep(0.02)


async def prepared_settings(infra, number: int) -> Settings:
    from accordeer.setup import prepare

    admin = await connect(infra.database_url)
    database = f"bench_{number}_{uuid.uuid4().hex[:6]}"
    await admin.execute(f'CREATE DATABASE "{database}"')
    await admin.close()
    settings = Settings(database_url=with_database(infra.database_url, database),
                        kafka_bootstrap_servers=infra.bootstrap_servers, topic_prefix=f"bench{number}.")
    await prepare(settings)
    return settings


async def main(records: int, rounds: int) -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        infra = stack.enter_context(session_infrastructure(Path(tmp)))
        print(f"infrastructure: {infra.origin}; {records} declarations per round, {rounds} rounds")
        results = {"kafka": [], "postgres": [], "intake": []}
        for n in range(rounds):
            settings = await prepared_settings(infra, n)
            run = uuid.uuid4().hex[:6]
            results["kafka"].append(await raw_kafka(infra.bootstrap_servers, declarations(records, run),
                                                    settings.topics.status))
            results["postgres"].append(await raw_postgres(settings.database_url, declarations(records, run)))
            results["intake"].append(await intake_run(settings, Path(tmp) / f"logs{n}", declarations(records, run)))
            print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()))
        medians = {k: statistics.median(v) for k, v in results.items()}
        limit = min(medians["kafka"], medians["postgres"])
        print("medians (records/s): " + ", ".join(f"{k} {v:,.0f}" for k, v in medians.items()))
        print(f"intake = {medians['intake'] / limit:.0%} of the slower raw limit "
              f"({'Kafka' if medians['kafka'] < medians['postgres'] else 'PostgreSQL'}), "
              f"{medians['intake'] / medians['kafka']:.0%} of raw Kafka, "
              f"{medians['intake'] / medians['postgres']:.0%} of raw PostgreSQL")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.records, args.rounds)))
