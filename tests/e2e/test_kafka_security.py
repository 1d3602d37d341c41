"""The secure configuration end to end: a broker with SCRAM over TLS and the ACLs of deploy/kafka_acls.yaml, every
service as its own principal, a source submitting on its own topic, the operator acting at the CLI, and the
broker refusing a principal what the table does not give it (a topic, a consumer group, workflow.actions), and no
SCRAM password written anywhere (logs, metrics, health, the CLI's words), also when a login or a write is refused.
One secure stack serves every test here: it is the slowest thing to start."""

import asyncio
import json
import os
import secrets
import sys
from collections.abc import Callable

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError

from accordeer.localstack.acls import configured_sources, principals
from accordeer.localstack.kafka import free_port
from accordeer.localstack.secure import ADMIN
from accordeer.localstack.stack import SERVICES, Infrastructure, ServiceProcesses
from accordeer.paths import TOOLS_CACHE
from accordeer.setup import prepare
from services.intake.source_topics import ensure_source_topics
from shared.contracts.status import StatusCode, StatusEvent
from shared.db.roles import OWNER, SERVICE_ROLES
from shared.kafka.admin import partitions_of
from shared.kafka.security import as_principal, client_options
from shared.settings import Settings
from tests.support.declarations import example

pytestmark = pytest.mark.e2e

PREFIX = "sec."
TOKEN = secrets.token_hex(6)
CLIENT_TASK, APPROVE = "Beoordelen aangifte klant", "Goedkeuren bericht"


class SecureStack:
    def __init__(self, infrastructure: Infrastructure, services: ServiceProcesses, ops: dict[str, int]):
        self.infrastructure, self.services, self.ops = infrastructure, services, ops
        self.topics = Settings(topic_prefix=PREFIX).topics

    def settings(self, principal: str) -> Settings:
        return self.infrastructure.client_settings(
            principal, Settings(database_url=self.infrastructure.database_url, topic_prefix=PREFIX)
        )

    def options(self, principal: str) -> dict:
        return {"bootstrap_servers": self.infrastructure.bootstrap_servers, **client_options(self.settings(principal))}

    async def publish(self, principal: str, topic: str, key: str, value: bytes) -> None:
        producer = AIOKafkaProducer(**self.options(principal))
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=key.encode())
        finally:
            await producer.stop()

    async def statuses(self, message_id: str, until: int, timeout: float = 90) -> list[int]:
        """The status codes of ``message_id`` (read as the operator) once ``until`` is among them."""
        with as_principal(self.settings("operator")):
            partitions = await partitions_of(self.infrastructure.bootstrap_servers, self.topics.status)
            consumer = AIOKafkaConsumer(enable_auto_commit=False, **self.options("operator"))
        await consumer.start()
        codes: list[int] = []
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            deadline = asyncio.get_running_loop().time() + timeout
            while until not in codes and asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=300)).values():
                    events = [StatusEvent.model_validate_json(r.value) for r in records]
                    codes += [int(e.status_code) for e in events if e.message_id == message_id]
        finally:
            await consumer.stop()
        assert until in codes, f"{message_id} did not reach {until}: {codes}\n{self.logs()}"
        return codes

    async def cli(self, principal: str, *args: str) -> tuple[int, str]:
        environment = {
            **os.environ,
            **self.services.env,
            **self.infrastructure.client_env(principal),
            "ACCORDEER_DATA_DIR": str(self.infrastructure.data_dir),  # finds the stack's database, as a person does
            "ACCORDEER_GATEWAY_URL": self.services.gateway_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "accordeer.cli",
            *args,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 90)
        assert process.returncode is not None, "communicate() returns once the process has exited"
        return process.returncode, output.decode()

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{p.tail(30)}" for name, p in self.services.processes.items())


@pytest.fixture(scope="module")
async def secure(tmp_path_factory):
    work = tmp_path_factory.mktemp("secure")
    given = {name: os.environ.pop(name) for name in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL") if name in os.environ}
    infrastructure = Infrastructure(
        work / "data", TOOLS_CACHE, kafka_port=free_port(), kafka_security="scram", topic_prefix=PREFIX
    )
    services = None
    try:
        await asyncio.to_thread(infrastructure.start)
        admin = infrastructure.client_settings(
            ADMIN, Settings(database_url=infrastructure.database_url, topic_prefix=PREFIX)
        )
        with as_principal(admin):
            await prepare(admin)
            await ensure_source_topics(admin)
        services = ServiceProcesses(
            work / "logs",
            credentials=infrastructure.client_env,
            database_urls=infrastructure.service_database_url,
            env={
                "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
                "ACCORDEER_TOPIC_PREFIX": PREFIX,
                "ACCORDEER_LOG_FORMAT": "json",
                "ACCORDEER_LAG_SAMPLE_SECONDS": "1",
                "DIGIPOORT_MOCK_SECONDS_PER_STEP": "0.05",
            },
            gateway_port=free_port(),
            mail_port=free_port(),
            portal_port=free_port(),
            status_api_port=free_port(),
        )
        ops = {name: free_port() for name in SERVICES}
        services.start_all(ops)
        yield SecureStack(infrastructure, services, ops)
    finally:
        if services is not None:
            services.stop_all()
        await asyncio.to_thread(infrastructure.stop)
        os.environ.update(given)


async def test_a_sources_declaration_flows_through_every_service_each_with_its_own_principal(secure):
    declaration = example("btw_aangifte", message_id="secure-1")  # from afas-fin
    await secure.publish(
        "afas-fin", secure.topics.inbound_from("afas-fin"), "secure-1", json.dumps(declaration).encode()
    )
    assert (await secure.statuses("secure-1", until=StatusCode.IN_WORKFLOW))[:3] == [10, 20, 30]

    item_id = await _item_id(secure, "secure-1")
    code, output = await secure.cli("operator", "act", item_id[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk")
    assert code == 0, output  # the operator may write its own workflow.actions.from.operator
    codes = await secure.statuses("secure-1", until=StatusCode.ACCEPTED_BY_AUTHORITY)
    assert [c for c in codes if c in (10, 20, 30, 50, 60, 80)][:5] == [10, 20, 30, 50, 60]
    audit = await _query(
        secure,
        "SELECT actor, operator, writer FROM workflow.audit WHERE dossier_item_id = $1 AND action = $2",
        item_id,
        APPROVE,
    )
    assert [tuple(r) for r in audit] == [("sanne.vandijk", "operator", "operator")]  # the operator's principal

    async with httpx.AsyncClient(timeout=10) as client:
        for name, port in secure.ops.items():
            health = await client.get(f"http://127.0.0.1:{port}/health/ready")
            assert health.status_code == 200, f"{name}: {health.text}"
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert secure.settings(name).kafka_password.get_secret_value() not in metrics.text
    for name in SERVICES:
        log = secure.services.processes[name].log_path.read_text(errors="replace")
        assert "AuthorizationFailed" not in log and "SaslAuthentication" not in log, f"{name} was refused:\n{log}"


async def test_a_source_cannot_write_another_sources_topic(secure):
    with pytest.raises(TopicAuthorizationFailedError):
        await secure.publish(
            "nmbrs",
            secure.topics.inbound_from("exact"),
            "forged-1",
            json.dumps(example("btw_aangifte", message_id="forged-1")).encode(),
        )
    await secure.publish("nmbrs", secure.topics.inbound_from("nmbrs"), "own-1", b"{}")  # its own topic it may


async def test_only_a_writer_writes_its_own_actions_topic_and_nobody_the_shared_one(secure):
    action = {
        "schema_version": 1,
        "action_id": "forged-action",
        "dossier_item_id": "x",
        "task": CLIENT_TASK,
        "action": APPROVE,
        "actor": "sanne.vandijk",
        "comment": "",
    }
    topics = secure.topics
    for principal, topic in [
        ("exact", topics.portal_actions),
        ("exact", topics.actions_from("operator")),
        ("operator", topics.portal_actions),  # the operator cannot pass for a person in the portal
        ("portal", topics.actions_from("operator")),
        ("operator", topics.workflow_actions),
        ("portal", topics.workflow_actions),
    ]:
        with pytest.raises(TopicAuthorizationFailedError):
            await secure.publish(principal, topic, "x", json.dumps(action).encode())


async def test_a_principal_is_refused_another_services_consumer_group(secure):
    consumer = AIOKafkaConsumer(
        secure.topics.tasks, group_id=secure.topics.group("portal"), **secure.options("notifier")
    )  # notifier may read workflow.tasks, in its own group
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
            for _ in range(30):  # the refusal comes with the group coordinator's answer
                await consumer.getmany(timeout_ms=1000)
    finally:
        await consumer.stop()


async def test_every_service_connects_to_postgresql_as_its_own_role_and_none_as_a_superuser(secure):
    sessions = await _query(
        secure,
        "SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename "
        "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()",
    )
    assert {row["usename"] for row in sessions} == set(SERVICE_ROLES.values()), sessions
    assert not any(row["rolsuper"] for row in sessions)
    assert [row[0] for row in await _query(secure, "SELECT current_user")] == [OWNER], "the stack works as the owner"


async def _item_id(secure: SecureStack, message_id: str) -> str:
    [row] = await _query(secure, "SELECT id::text FROM intake.dossier_items WHERE message_id = $1", message_id)
    return row["id"]


async def _query(secure: SecureStack, sql: str, *arguments) -> list:
    connection = await asyncpg.connect(secure.infrastructure.database_url)
    try:
        return await connection.fetch(sql, *arguments)
    finally:
        await connection.close()


# -- the secure stack: the SCRAM passwords the stack made ------------------------------------------------------------


async def test_on_the_secure_stack_no_kafka_or_database_password_is_written_anywhere(secure, tmp_path):
    """Every principal's SCRAM password, every PostgreSQL role's (and a wrong one a client tried) never reaches a
    log, /metrics, /health, a dead letter or the CLI's words, also when the broker refuses a login or a write."""
    passwords = {
        name: secure.settings(name).kafka_password.get_secret_value()
        for name in [*principals(configured_sources()), ADMIN]
    }
    wrong = f"wrongpw{TOKEN}x"
    declaration = example("btw_aangifte", message_id=f"scan-secure-{TOKEN}")  # afas-fin
    await secure.publish(
        "afas-fin", secure.topics.inbound_from("afas-fin"), declaration["message_id"], json.dumps(declaration).encode()
    )
    await secure.publish("afas-fin", secure.topics.inbound_from("afas-fin"), "garbled", b"{not json")
    impersonation = {**declaration, "message_id": f"scan-forged-{TOKEN}", "source": "exact"}
    await secure.publish(
        "afas-fin",
        secure.topics.inbound_from("afas-fin"),
        impersonation["message_id"],
        json.dumps(impersonation).encode(),
    )
    await secure.statuses(declaration["message_id"], until=30)
    refused_login = secure.services.start_service(
        "intake", instance="wrong", ACCORDEER_KAFKA_PASSWORD=wrong, ACCORDEER_HTTP_PORT=str(free_port())
    )
    for _ in range(300):  # it tries to log in, is refused, and says so
        if "SaslAuthenticationFailed" in refused_login.log_path.read_text(errors="replace"):
            break
        await asyncio.sleep(0.1)
    refused_login.stop()
    words = [await secure.cli("operator", "dlq", "list"), await secure.cli("operator", "status")]
    environment = {**secure.infrastructure.client_env("operator"), "ACCORDEER_KAFKA_PASSWORD": wrong}
    words.append(await _cli_with(secure, environment, "dlq", "list"))
    assert "did not let operator in: a wrong password" in words[-1][1], words[-1]  # a refusal, named as one

    texts = {f"log {p.name}": p.read_text(errors="replace") for p in (secure.services.log_dir).rglob("*.log")}
    texts |= {f"cli {n}": output for n, (_, output) in enumerate(words)}
    async with httpx.AsyncClient(timeout=10) as client:
        for name, port in secure.ops.items():
            for path in ("/metrics", "/health", "/health/ready"):
                texts[f"{name} {path}"] = (await client.get(f"http://127.0.0.1:{port}{path}")).text
    planted = {**{f"password of {n}": p for n, p in passwords.items()}, "the wrong password": wrong}
    assert secure.infrastructure.postgres is not None
    planted |= {f"database password of {n}": p for n, p in secure.infrastructure.postgres.passwords.items()}
    for where, text in texts.items():
        assert not [n for n, p in planted.items() if p in text], (
            f"{[n for n, p in planted.items() if p in text]} found in {where}"
        )
    assert "SaslAuthenticationFailed" in texts["log intake-wrong.log"], "the wrong password was never tried"
    assert len(passwords) >= 11 and all(passwords.values())


async def _cli_with(secure, environment: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "accordeer.cli",
        *args,
        env={
            **os.environ,
            **secure.services.env,
            "ACCORDEER_DATA_DIR": str(secure.infrastructure.data_dir),  # finds the stack's database, as a person does
            **environment,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None, "communicate() returns once the process has exited"
    return process.returncode, output.decode()


# -- each source reads its own statuses and refusals, and nobody else's --------------------------------------------


async def _read(
    secure: SecureStack, principal: str, topic: str, group: str, until: Callable[[dict], bool], timeout: float = 60
) -> list:
    """What ``principal`` reads from ``topic`` in consumer group ``group``, until a record matches ``until``."""
    consumer = AIOKafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False, **secure.options(principal)
    )
    await consumer.start()
    events: list[dict] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(until(e) for e in events) and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                events += [json.loads(r.value) for r in records]
    finally:
        await consumer.stop()
    return events


def _status(message_id: str, code: int) -> Callable[[dict], bool]:
    return lambda event: event.get("message_id") == message_id and event.get("status_code") == code


async def test_a_source_follows_its_declaration_on_its_own_status_topic_and_is_refused_anothers(secure):
    declaration = example("btw_aangifte", message_id=f"own-{TOKEN}")  # afas-fin's
    await secure.publish(
        "afas-fin", secure.topics.inbound_from("afas-fin"), declaration["message_id"], json.dumps(declaration).encode()
    )
    events = await _read(
        secure,
        "afas-fin",
        secure.topics.status_of("afas-fin"),
        secure.topics.source_groups("afas-fin") + "statuses",
        until=_status(declaration["message_id"], 30),
    )
    mine = [e for e in events if e["message_id"] == declaration["message_id"]]
    assert [e["status_code"] for e in mine][:3] == [10, 20, 30]
    assert {e["source"] for e in events} == {"afas-fin"}, "only afas-fin's own messages on its topic"

    for topic, group in [
        (
            secure.topics.status_of("exact"),
            secure.topics.source_groups("afas-fin") + "spy",
        ),  # another source's statuses
        (secure.topics.status, secure.topics.source_groups("afas-fin") + "all"),  # every source's
        (secure.topics.refused_of("exact"), secure.topics.source_groups("afas-fin") + "spy"),
    ]:
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(secure, "afas-fin", topic, group, until=lambda event: True, timeout=10)
    with pytest.raises(GroupAuthorizationFailedError):  # a group of another source's name
        await _read(
            secure,
            "afas-fin",
            secure.topics.status_of("afas-fin"),
            secure.topics.source_groups("exact") + "statuses",
            until=lambda event: True,
            timeout=10,
        )


async def test_a_refusal_reaches_its_sender_on_its_own_refusal_topic(secure):
    await secure.publish("nmbrs", secure.topics.inbound_from("nmbrs"), f"bad-{TOKEN}", b"{not json")
    events = await _read(
        secure,
        "nmbrs",
        secure.topics.refused_of("nmbrs"),
        secure.topics.source_groups("nmbrs") + "refusals",
        # nmbrs's earlier records are refused on this topic too: wait for this one's refusal, not the first one's
        until=lambda event: event.get("reason_code") == "not_json",
    )
    assert any(
        e["reason_code"] == "not_json" and e["original_topic"] == secure.topics.inbound_from("nmbrs") for e in events
    )


async def test_a_source_added_while_the_stack_runs_submits_and_reads_without_any_restart(secure, tmp_path):
    """Added to the authorisations and loaded: it gets a principal, its topics and ACLs; intake's pattern finds its
    inbound topic; the services write its statuses. No service restarts (their process ids stay the same)."""
    import yaml

    from accordeer.paths import REPO_ROOT

    before = {name: p.popen.pid for name, p in secure.services.processes.items() if p.popen is not None}
    shipped = yaml.safe_load((REPO_ROOT / "deploy" / "config" / "authorisations.yaml").read_text())
    shipped["sources"]["laat"] = {"service_user": "svc-laat"}
    shipped["users"]["svc-laat"] = {"item_types": ["Accorderingsbericht"], "message_types": ["btw-aangifte"]}
    file = tmp_path / "authorisations.yaml"
    file.write_text(yaml.safe_dump(shipped))
    environment = {
        **secure.infrastructure.client_env("operator"),
        "ACCORDEER_DATA_DIR": str(secure.infrastructure.data_dir),
    }
    code, output = await _cli_with(secure, environment, "authorisations", "load", str(file))
    assert (
        code == 0 and "a Kafka principal for laat" in output and "created topic sec.messages.status.laat" in output
    ), output

    declaration = example("btw_aangifte", message_id=f"laat-{TOKEN}", source="laat")
    await secure.publish(
        "laat", secure.topics.inbound_from("laat"), declaration["message_id"], json.dumps(declaration).encode()
    )
    events = await _read(
        secure,
        "laat",
        secure.topics.status_of("laat"),
        secure.topics.source_groups("laat") + "statuses",
        until=_status(declaration["message_id"], 30),
        timeout=90,
    )
    assert [e["status_code"] for e in events if e["message_id"] == declaration["message_id"]][:3] == [10, 20, 30]
    after = {name: p.popen.pid for name, p in secure.services.processes.items() if p.popen is not None}
    assert after == before


async def test_a_person_at_the_cli_acts_as_their_own_principal_and_the_audit_names_them(secure, tmp_path):
    """`accordeer operators add` makes operator.m.devries (principal, ACLs, its actions topic) while the stack runs;
    acting with its credentials is audited as that person; it cannot write the shared operator's actions."""
    import shutil

    from accordeer.paths import REPO_ROOT

    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "deploy" / "config", config)
    as_operator = {
        **secure.infrastructure.client_env("operator"),
        "ACCORDEER_DATA_DIR": str(secure.infrastructure.data_dir),
        "ACCORDEER_CONFIG_DIR": str(config),
    }
    code, output = await _cli_with(secure, as_operator, "operators", "add", "m.devries")
    person = "operator.m.devries"
    assert code == 0 and f"a Kafka principal for {person}" in output, output
    assert f"created topic {secure.topics.actions_from(person)}" in output, output
    assert "- m.devries" in (config / "operators.yaml").read_text()

    declaration = example("btw_aangifte", message_id=f"person-{TOKEN}")  # afas-fin's
    await secure.publish(
        "afas-fin", secure.topics.inbound_from("afas-fin"), declaration["message_id"], json.dumps(declaration).encode()
    )
    await secure.statuses(declaration["message_id"], until=StatusCode.IN_WORKFLOW)
    item_id = await _item_id(secure, declaration["message_id"])
    as_person = {**secure.infrastructure.client_env(person), "ACCORDEER_CONFIG_DIR": str(config)}
    code, output = await _cli_with(
        secure, as_person, "act", item_id[:8], CLIENT_TASK, APPROVE, "--as", "sanne.vandijk", "--wait", "120"
    )
    assert code == 0, output
    audit = await _query(
        secure,
        "SELECT actor, operator, writer FROM workflow.audit WHERE dossier_item_id = $1 AND action = $2",
        item_id,
        APPROVE,
    )
    assert [tuple(r) for r in audit] == [("sanne.vandijk", person, person)]
    with pytest.raises(TopicAuthorizationFailedError):
        await secure.publish(person, secure.topics.actions_from("operator"), "x", b"{}")


async def test_a_source_reconciles_its_own_statuses_at_the_status_service_and_learns_nothing_of_anothers(secure):
    """The status service on the secure stack (its own principal, reading the product's streams): afas-fin asks
    for its message and what is new since a cursor; nmbrs asking for afas-fin's message id gets the answer an
    unknown id gets."""
    declaration = example("btw_aangifte", message_id=f"api-{TOKEN}")  # afas-fin's
    await secure.publish(
        "afas-fin", secure.topics.inbound_from("afas-fin"), declaration["message_id"], json.dumps(declaration).encode()
    )
    await secure.statuses(declaration["message_id"], until=30)
    keys = {}
    for source in ("afas-fin", "nmbrs"):
        environment = {**secure.infrastructure.client_env("operator")}
        code, output = await _cli_with(secure, environment, "status-api", "key", source)
        assert code == 0, output
        keys[source] = output.strip().splitlines()[-1]
    api = f"http://127.0.0.1:{secure.services.status_api_port}/v1"
    async with httpx.AsyncClient(timeout=10) as client:
        mine = f"{api}/messages/{declaration['message_id']}/statuses"
        for _ in range(100):  # the read model follows the status topic a moment behind
            answer = await client.get(mine, headers={"Authorization": f"Bearer {keys['afas-fin']}"})
            if answer.status_code == 200 and 30 in [s["status_code"] for s in answer.json()["statuses"]]:
                break
            await asyncio.sleep(0.2)
        assert [s["status_code"] for s in answer.json()["statuses"]][:3] == [10, 20, 30], answer.text
        page = await client.get(f"{api}/statuses", headers={"Authorization": f"Bearer {keys['afas-fin']}"})
        assert page.status_code == 200 and {s["message_id"] for s in page.json()["statuses"]} >= {
            declaration["message_id"]
        }
        spying = await client.get(mine, headers={"Authorization": f"Bearer {keys['nmbrs']}"})
        unknown = await client.get(
            f"{api}/messages/nobody-{TOKEN}/statuses", headers={"Authorization": f"Bearer {keys['nmbrs']}"}
        )
        assert spying.status_code == unknown.status_code == 404
        assert _without_instance(spying.json()) == _without_instance(unknown.json())
        assert (await client.get(mine)).status_code == 401


def _without_instance(problem: dict) -> dict:
    """A problem names the request it answers (RFC 9457 instance); the rest must not differ."""
    return {k: v for k, v in problem.items() if k != "instance"}


async def test_the_operator_pages_figures_come_with_the_portals_own_rights(secure):
    """The portal's operator page follows every dead-letter topic, reads one letter on demand and describes every
    group's lag as the portal's principal: no refusal, and the lag of the sources' own inbound topics among
    intake's."""
    from services.portal.dashboard.letter_tally import DeadLetterTally
    from shared.lag import lag_report
    from shared.operations.dead_letters import dead_letter_topics, read_dead_letter

    settings = secure.settings("portal")
    tally = DeadLetterTally(dead_letter_topics(secure.topics))
    with as_principal(settings):
        following = asyncio.create_task(tally.follow(settings.kafka_bootstrap_servers, 0.5))
        try:
            for _ in range(120):
                if tally.caught_up_at or tally.error:
                    break
                await asyncio.sleep(0.25)
        finally:
            following.cancel()
        with pytest.raises(LookupError, match="no dead letter at 0:999999"):  # read, and found nothing: no refusal
            await read_dead_letter(settings.kafka_bootstrap_servers, secure.topics.inbound_dlq, "0:999999")
        report = await lag_report(settings.kafka_bootstrap_servers, settings.topics, window=1, interval=0.1)
    assert tally.error is None and tally.caught_up_at is not None
    assert {t.topic for t in tally.shown()} == set(dead_letter_topics(secure.topics))
    intake = next(g for g in report.groups if g.group == secure.topics.group("intake"))
    assert secure.topics.inbound_from("afas-fin") in {p.latest.topic for p in intake.partitions}
    assert all(g.partitions for g in report.groups)


async def test_the_import_may_submit_only_as_itself(secure):
    """The import is a source like any other: the shared inbound topic is refused it by the broker, and a body
    naming another source on its own topic is refused by intake as source_mismatch."""
    forged = example("btw_aangifte", message_id=f"import-as-exact-{TOKEN}", source="exact")
    with pytest.raises(TopicAuthorizationFailedError):
        await secure.publish("import", secure.topics.inbound, forged["message_id"], json.dumps(forged).encode())
    await secure.publish(
        "import", secure.topics.inbound_from("import"), forged["message_id"], json.dumps(forged).encode()
    )
    events = await _read(
        secure,
        "import",
        secure.topics.refused_of("import"),
        secure.topics.source_groups("import") + "refusals",
        until=lambda event: event.get("message_id") == forged["message_id"],
    )
    refused = next(e for e in events if e.get("message_id") == forged["message_id"])
    assert refused["reason_code"] == "source_mismatch"
