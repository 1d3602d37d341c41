"""Secrets and confidential contents end to end: plant them, run traffic with refusals and faults, scan all output.

Planted secrets: a Kafka password (``ACCORDEER_KAFKA_PASSWORD``), SMTP credentials
(the notifier uses them against a mail sink that offers no AUTH, a fault in itself) and a database password in
``DATABASE_URL``. Every item is confidential (the type's setting), with a marked subject, document and
attachment. Traffic: two valid declarations, bad JSON, a schema error, an unauthorised submitter, a source
impersonating another on its own topic, a garbled action and a garbled task event; the gateway fails every
delivery for a while, dispatch and the notifier are SIGKILLed and started again.

Where each thing may be (the decision, as the test checks it):

- Secrets: nowhere. Not in any log file, dead letter (value or header), ``declarations.refused``,
  ``messages.status``, ``workflow.tasks``, any ``/metrics`` (names and labels), the AsyncAPI document, a mail,
  nor the CLI's output when the database is unreachable.
- Confidential subject, document and attachment: never in a log, a metric, ``messages.status`` or a mail.
  They are the data itself on the topics that carry it (``declarations.inbound`` and its dead letters, which
  keep the original record for replay; ``dossier.items``; ``messages.approved``, which carries the document to
  the gateway) and in the dossier (database). ``workflow.tasks`` carries the subject for the portal, flagged
  confidential, never the document or the attachment.
"""

import base64
import json
import re
import secrets
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from accordeer.localstack.kafka import free_port
from accordeer.localstack.stack import with_database
from services.intake.source_topics import ensure_source_topics
from shared.db.roles import as_role
from shared.settings import Settings
from tests.support.declarations import example
from tests.support.item_type import publish_confidential
from tests.support.second_factor import http_log_in
from tests.support.system import SystemUnderTest

pytestmark = pytest.mark.e2e

TOKEN = secrets.token_hex(6)
KAFKA_PASSWORD = f"kafkapw{TOKEN}x"
SMTP_USER = f"smtpuser{TOKEN}x"
SMTP_PASSWORD = f"smtppw{TOKEN}x"
DB_PASSWORD = f"dbpw{TOKEN}x"
SECRETS = {
    "Kafka password": KAFKA_PASSWORD,
    "SMTP user": SMTP_USER,
    "SMTP password": SMTP_PASSWORD,
    "database password": DB_PASSWORD,
}

SUBJECT = f"Geheim onderwerp {TOKEN}"
DOCUMENT_MARK = f"geheimdocument{TOKEN}"
ATTACHMENT_TEXT = f"geheime bijlage {TOKEN}"
CLIENT_TASK = "Beoordelen aangifte klant"
SERVICES = ("intake", "workflow", "dispatch", "notifier", "portal")


def _marked_document(golden: dict) -> dict:
    xml = base64.b64decode(golden["content_base64"]).decode()
    head, rest = xml.split("?>", 1) if xml.startswith("<?xml") else ("", xml)
    marked = (f"{head}?>" if head else "") + f"<!-- {DOCUMENT_MARK} -->" + rest
    return {**golden, "content_base64": base64.b64encode(marked.encode()).decode()}


def _confidential_declarations() -> list[dict]:
    plain = example("btw_aangifte", message_id=f"secret-btw-{TOKEN}", subject=SUBJECT)
    plain["document"] = _marked_document(plain["document"])
    with_attachment = example("attachment_inline", message_id=f"secret-kvk-{TOKEN}", subject=SUBJECT)
    with_attachment["document"] = _marked_document(with_attachment["document"])
    with_attachment["attachment"] = {
        "file_name": "bijlage.pdf",
        "content_base64": base64.b64encode(ATTACHMENT_TEXT.encode()).decode(),
    }
    return [plain, with_attachment]


def _refusals_carrying_confidential_contents() -> list[dict]:
    """Declarations refused for their confidential parts: a refusal must say what is wrong, not repeat them."""

    def declaration(name: str, **changes) -> dict:
        return example("btw_aangifte", **{"message_id": f"{name}-{TOKEN}", "subject": SUBJECT, **changes})

    golden = example("btw_aangifte")["document"]

    def document(content: bytes) -> dict:
        return {**golden, "content_base64": base64.b64encode(content).decode()}

    return [
        declaration("long-subject", subject=SUBJECT + " " + "x" * 300),
        declaration("subject-not-text", subject={"text": SUBJECT}),
        declaration("not-xml", document=document(f"{DOCUMENT_MARK} is geen XML".encode())),
        declaration(
            "dtd",
            document=document(f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "{DOCUMENT_MARK}">]><r>&e;</r>'.encode()),
        ),
        declaration("broken-xml", document=document(f"<r><{DOCUMENT_MARK}></r>".encode())),
        declaration("bad-base64", document={**golden, "content_base64": f"{DOCUMENT_MARK}!!"}),
        declaration(
            "bad-attachment", attachment={"file_name": "bijlage.pdf", "content_base64": f"{ATTACHMENT_TEXT}!!"}
        ),
        # The refusal shows the location's UNC form (the product contract): a location is no content.
        declaration("local-path", attachment={"file_name": "bijlage.pdf", "location": "C:\\Import\\bijlage.pdf"}),
    ]


def _confidential_markers(declarations: list[dict]) -> dict[str, str]:
    markers = {"subject": SUBJECT, "document text": DOCUMENT_MARK, "attachment text": ATTACHMENT_TEXT}
    for n, declaration in enumerate(declarations):
        markers[f"document base64 {n}"] = declaration["document"]["content_base64"][60:120]
    markers["attachment base64"] = declarations[1]["attachment"]["content_base64"][:16]
    return markers


def _found(what: dict[str, str], text: str) -> list[str]:
    return [name for name, value in what.items() if value in text]


@pytest.fixture
async def secret_system(infrastructure, tmp_path):
    """A system whose database URL holds a password (a role of its own), with the other secrets in the env."""
    number = uuid.uuid4().hex[:10]
    database, role = f"accordeer_scan_{number}", f"scan_{number}"
    admin = await asyncpg.connect(infrastructure.database_url)
    try:
        await admin.execute(f"CREATE ROLE \"{role}\" LOGIN SUPERUSER PASSWORD '{DB_PASSWORD}'")
        await admin.execute(f'CREATE DATABASE "{database}" OWNER "{role}"')
    finally:
        await admin.close()
    url = as_role(with_database(infrastructure.database_url, database), role, DB_PASSWORD)
    settings = Settings(
        database_url=url, kafka_bootstrap_servers=infrastructure.bootstrap_servers, topic_prefix=f"scan{number}."
    )
    system = SystemUnderTest(settings, tmp_path / "logs")
    system.services.env.update(
        {
            "ACCORDEER_KAFKA_PASSWORD": KAFKA_PASSWORD,
            "ACCORDEER_LOG_LEVEL": "DEBUG",
        }
    )
    await system.open()
    try:
        yield system
    finally:
        await system.close()


def _logged(tmp_path, service: str) -> str:
    return "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").rglob(f"{service}*") if p.is_file())


async def _until(predicate, system, what: str, timeout: float = 90) -> None:
    await system.wait_for(predicate, timeout=timeout, what=what)


async def test_no_secret_anywhere_and_no_confidential_content_in_logs(secret_system, tmp_path):
    system = secret_system
    await ensure_source_topics(system.settings)  # before intake starts: its pattern then matches them at once
    ops = {name: free_port() for name in SERVICES}
    portal_port = free_port()
    smtp_secrets = {
        "ACCORDEER_NOTIFIER_SMTP_USERNAME": SMTP_USER,
        "ACCORDEER_NOTIFIER_SMTP_PASSWORD": SMTP_PASSWORD,
        "ACCORDEER_NOTIFIER_SMTP_TIMEOUT_SECONDS": "1",
        "ACCORDEER_NOTIFIER_RETRY_MAX_SECONDS": "1",
        "ACCORDEER_NOTIFIER_LEASE_SECONDS": "6",
    }
    system.start("digipoort_mock", "mail_sink")
    await system.gateway("PUT", "/_admin/faults", json={"error_rate": 1.0, "seed": 1})
    for name in SERVICES:
        extra = {"ACCORDEER_HTTP_PORT": str(ops[name])}
        extra |= smtp_secrets if name == "notifier" else {}
        extra |= {"ACCORDEER_PORTAL_PORT": str(portal_port)} if name == "portal" else {}
        system.services.start_service(name, **extra)
    await publish_confidential(system, tmp_path / "config")

    declarations = _confidential_declarations()
    refused = [
        example("btw_aangifte", message_id=f"stranger-{TOKEN}", submitter="niet.bevoegd"),
        {**example("btw_aangifte", message_id=f"schema-{TOKEN}"), "password": "not-a-field"},
        *_refusals_carrying_confidential_contents(),
    ]
    await system.submit(*declarations, *refused)
    await system.publish(system.topics.inbound, [(f"bad-json-{TOKEN}", b"{not json at all")])
    impersonation = {**declarations[0], "message_id": f"impersonated-{TOKEN}"}  # names afas-fin, on exact's topic
    await system.publish(
        system.topics.inbound_from("exact"), [(impersonation["message_id"], json.dumps(impersonation).encode())]
    )
    ids = {d["message_id"] for d in declarations}
    await _until(lambda: ids <= {e.message_id for e in system.events if e.status_code == 30}, system, "both at 30")
    await _until(
        lambda: {d["message_id"] for d in refused} <= {e.message_id for e in system.events},
        system,
        "the refusals' statuses",
    )

    items = [
        next(e.dossier_item_id for e in system.events if e.message_id == m and e.status_code == 30) for m in sorted(ids)
    ]
    for item in items:
        await system.act(item, CLIENT_TASK, "Goedkeuren bericht", "sanne.vandijk")
    await system.publish(system.topics.portal_actions, [(items[0], b"\xff garbled action")])
    await system.publish(system.topics.tasks, [(items[0], b'{"schema_version": 1, "garbled": true}')])
    await _until(lambda: any(e.status_code == 70 for e in system.events), system, "a delivery the gateway failed")
    # The notifier must have tried its SMTP server with the credentials (and failed) before it is stopped: its log is
    # where the scan sees them in use. It takes its task events up to a quarter of a second late (a read model
    # gathers them), so that is waited for, not assumed.
    await _until(lambda: "smtp" in _logged(tmp_path, "notifier").lower(), system, "the notifier's SMTP failure")

    system.services.processes["dispatch"].kill()
    system.services.processes["notifier"].kill()
    await system.gateway("PUT", "/_admin/faults", json={"error_rate": 0.0})
    system.services.start_service("dispatch", ACCORDEER_HTTP_PORT=str(ops["dispatch"]))
    system.services.start_service("notifier", ACCORDEER_HTTP_PORT=str(ops["notifier"]))
    await _until(lambda: all(80 in system.statuses_of(i) for i in items), system, "both accepted (80)", timeout=120)
    await _until(lambda: len(system.mails()) >= 1, system, "a task mail")

    # Everything the refusals wrote, on the topics the scan reads (the relay publishes them after their statuses).
    await system.dead_letters(system.topics.inbound_dlq, at_least=len(refused) + 1)
    await system.dead_letters(system.topics.workflow_actions_dlq)
    texts = await _everything_written(system, ops, portal_port, tmp_path)
    markers = _confidential_markers(declarations)
    for where, text in texts.items():
        assert not _found(SECRETS, text), f"{_found(SECRETS, text)} found in {where}"
        if where.startswith(("log ", "metrics ", "mail", "messages.status", "cli ", "asyncapi")):
            assert not _found(markers, text), f"confidential {_found(markers, text)} found in {where}"
        if where.startswith("workflow.tasks"):
            assert not _found({k: v for k, v in markers.items() if k != "subject"}, text), where
    # The scan reads what it should: these are there, so a leak in the same places would be seen.
    assert any(where.startswith("log notifier") and "smtp" in text.lower() for where, text in texts.items()), (
        "the notifier never logged its SMTP failure: the scan would not have seen the credentials in use"
    )
    assert f"secret-btw-{TOKEN}" in texts["log intake.log"] and f"stranger-{TOKEN}" in texts["messages.status"]
    assert f"impersonated-{TOKEN}" in texts["declarations.refused"]
    assert SUBJECT in texts["workflow.tasks"], "the task events carry the subject (flagged confidential)"
    assert all(texts[w].strip() for w in texts if w.startswith("cli ")), "the CLI said nothing about the database"
    assert {w for w in texts if w.startswith("dlq ")}, "no dead letter was written: the scan saw no refusal"
    print(
        f"\nscanned {len(texts)} outputs, {sum(len(t) for t in texts.values())} characters: "
        + ", ".join(sorted({w.split(" ")[0] for w in texts}))
    )


async def _everything_written(system, ops: dict[str, int], portal_port: int, tmp_path: Path) -> dict[str, str]:
    """Where → text, of everything the system wrote that a person or another program could read."""
    texts: dict[str, str] = {}
    for path in sorted((tmp_path / "logs").rglob("*")):
        if path.is_file():
            texts[f"log {path.name}"] = path.read_text(errors="replace")
    topics = system.topics
    for dlq in await _dead_letter_topics(system):
        records = await _all_records(system, dlq)
        for n, record in enumerate(records):
            headers = "\n".join(f"{k}: {v.decode(errors='replace')}" for k, v in record.headers or [])
            texts[f"dlq {dlq} #{n}"] = f"{headers}\n{(record.value or b'').decode(errors='replace')}"
    for topic in (topics.refused, topics.status, topics.tasks):
        records = await _all_records(system, topic)
        texts[topic.removeprefix(topics.prefix)] = "\n".join(
            f"{dict(r.headers or [])}\n{(r.value or b'').decode(errors='replace')}" for r in records
        )
    async with httpx.AsyncClient(timeout=10) as client:
        for name, port in ops.items():
            texts[f"metrics {name}"] = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            texts[f"metrics {name} health"] = (await client.get(f"http://127.0.0.1:{port}/health")).text
        for page_path in ("/login", "/nergens", "/taken"):
            response = await client.get(f"http://127.0.0.1:{portal_port}{page_path}")
            texts[f"metrics portal page {page_path}"] = response.text + str(response.headers)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{portal_port}", timeout=20) as browser:
        await http_log_in(browser, "operator")
        page = await browser.get("/operator")  # the dashboard: dead letters, lag, components
        assert page.status_code == 200, page.text[:300]
        texts["portal page /operator"] = page.text + str(page.headers)
    env = {**system.services.env, **_smtp_env()}
    docs = await system.cli("docs", env=env)
    texts["asyncapi (accordeer docs)"] = docs.stdout + docs.stderr
    texts["asyncapi docs/asyncapi.yaml"] = (Path(__file__).parents[2] / "docs" / "asyncapi.yaml").read_text()
    unreachable = as_role(system.settings.database_url.replace("?", "?_=1&"), "someone", DB_PASSWORD)
    unreachable = re.sub(r"host=[^&]*", "host=/nonexistent-socket-dir", unreachable)
    for args in (("status",), ("history", "00000000-0000-0000-0000-000000000000"), ("dlq", "list")):
        result = await system.cli(*args, env={**env, "DATABASE_URL": unreachable}, timeout=120)
        texts[f"cli {' '.join(args)} (database unreachable)"] = result.stdout + result.stderr
    for path in sorted(system.services.mail_dir.rglob("*")):
        if path.is_file():
            texts[f"mail file {path.name}"] = path.read_text(errors="replace")
    return texts


def _smtp_env() -> dict[str, str]:
    return {"ACCORDEER_NOTIFIER_SMTP_USERNAME": SMTP_USER, "ACCORDEER_NOTIFIER_SMTP_PASSWORD": SMTP_PASSWORD}


async def _dead_letter_topics(system) -> list[str]:
    """Every ``.dlq`` topic of this system's prefix that exists, whichever service made it."""
    consumer = AIOKafkaConsumer(bootstrap_servers=system.settings.kafka_bootstrap_servers)
    await consumer.start()
    try:
        return sorted(t for t in await consumer.topics() if t.startswith(system.topics.prefix) and t.endswith(".dlq"))
    finally:
        await consumer.stop()


async def _all_records(system, topic: str) -> list:
    return await system.read_topic(topic, expect=10**6, timeout=2)
