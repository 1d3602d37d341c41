"""The raw limits of the same broker and server, measured in the same round: a plain aiokafka relay (consume,
produce, commit, as every service does per batch) and PostgreSQL COPY of dossier-item rows."""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer

from shared.db.pool import connect
from shared.kafka.producer import create_producer
from shared.settings import Settings

BATCH = 500


async def relay(settings: Settings, records: list[tuple[str, bytes]]) -> float:
    """Records/s relayed from declarations.inbound to messages.approved, batch by batch: send, await the
    acknowledgements, commit. The records are on the source topic before the clock starts, and the clock
    starts once the first batch is committed, so neither the group's join nor the broker loading the group's
    coordinator is counted."""
    source, target = settings.topics.inbound, settings.topics.approved
    producer = create_producer(settings.kafka_bootstrap_servers, client_id="bench-relay")
    await producer.start()
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-relay-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=BATCH,
    )
    try:
        await asyncio.gather(*[await producer.send(source, value=v, key=k.encode()) for k, v in records])
        await consumer.start()
        relayed, untimed, started = 0, 0, time.perf_counter()
        while relayed < len(records):
            batch = [r for rs in (await consumer.getmany(timeout_ms=500, max_records=BATCH)).values() for r in rs]
            await asyncio.gather(*[await producer.send(target, value=r.value, key=r.key) for r in batch])
            await consumer.commit()
            relayed += len(batch)
            if not untimed and batch and relayed < len(records):
                untimed, started = relayed, time.perf_counter()
        return (relayed - untimed) / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()


async def copy(settings: Settings, records: list[tuple[str, bytes]]) -> float:
    """Rows/s COPYed into a table shaped like intake.dossier_items, one transaction per batch."""
    conn = await connect(settings.database_url)
    try:
        await conn.execute("CREATE TEMP TABLE raw_items (LIKE intake.dossier_items INCLUDING ALL)")
        document = json.loads(records[0][1])
        now = datetime.now(UTC)
        started = time.perf_counter()
        for start in range(0, len(records), BATCH):
            rows: list[tuple[object, ...]] = [  # a row of intake.dossier_items, column by column
                (
                    uuid.uuid4(),
                    "bench",
                    key,
                    0,
                    "Accorderingsbericht",
                    "btw-aangifte",
                    "svc",
                    now,
                    "s",
                    "ORG",
                    None,
                    document["identity"],
                    document["document"],
                    None,
                    {},
                    {},
                    False,
                    now,
                    None,
                )
                for key, _ in records[start : start + BATCH]
            ]
            async with conn.transaction():
                await conn.copy_records_to_table("raw_items", records=rows)
        return len(records) / (time.perf_counter() - started)
    finally:
        await conn.close()
