"""`accordeer run`: the whole system on this machine, until Ctrl-C; the data stays for the next run.

A crashed process (a service, the mocked gateway, the mail sink) is started again with a growing wait, and
`accordeer stack restart NAME` restarts one at once (accordeer/localstack/supervisor.py).
"""

import asyncio
import shutil
import signal
import time

from accordeer.connect import DATA_DIR
from accordeer.demo import run_demo
from accordeer.localstack.postgres import passwords_file
from accordeer.localstack.secure import ADMIN
from accordeer.localstack.settings import LocalStackSettings
from accordeer.localstack.stack import Infrastructure, ServiceProcesses, ops_ports
from accordeer.localstack.supervisor import RunState, Supervisor
from accordeer.paths import TOOLS_CACHE
from accordeer.setup import prepare
from services.intake.source_topics import ensure_source_topics
from shared.db.roles import without_password
from shared.kafka.admin import ensure_topics
from shared.kafka.security import as_principal
from shared.settings import Settings


def run_stack(*, demo: bool = True, brokers: int | None = None, secure: bool = False, say=print) -> None:
    """``secure``: SCRAM over TLS and ACLs (as ACCORDEER_KAFKA_SECURITY=scram); the stack itself acts as the admin
    principal, each service as its own."""
    local, configured = LocalStackSettings(), Settings()
    infrastructure = Infrastructure(
        DATA_DIR,
        TOOLS_CACHE,
        kafka_port=local.kafka_port,
        kafka_brokers=brokers or configured.kafka_brokers,
        kafka_security="scram" if secure else configured.kafka_security,
        topic_prefix=configured.topic_prefix,
    )
    services: ServiceProcesses | None = None
    supervisor: Supervisor | None = None
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on SIGTERM as on Ctrl-C
    try:
        say("starting PostgreSQL and Kafka (the first run fetches Kafka from Maven Central) ...")
        infrastructure.start()
        settings = infrastructure.client_settings(
            ADMIN,
            configured.model_copy(
                update={
                    "database_url": infrastructure.database_url,
                    "kafka_environment": infrastructure.kafka_environment,
                }
            ),
        )
        with as_principal(settings):
            # Before `prepare`, which creates missing topics with the environment's replication as well.
            asyncio.run(
                ensure_topics(
                    settings.kafka_bootstrap_servers, settings.topic_prefix, environment=settings.kafka_environment
                )
            )
            asyncio.run(ensure_source_topics(settings))
            for line in asyncio.run(prepare(settings)):
                say(f"  {line}")
        services = ServiceProcesses(
            DATA_DIR / "logs",
            credentials=infrastructure.client_env,
            database_urls=infrastructure.service_database_url,
            env={
                "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
                "ACCORDEER_KAFKA_ENVIRONMENT": settings.kafka_environment,
                "ACCORDEER_LOG_FORMAT": "json",
            },
            gateway_port=local.gateway_port,
            mail_port=local.mail_port,
            portal_port=local.portal_port,
            status_api_port=local.status_api_port,
        )
        services.start_all(ops_ports(local.ops_port))
        supervisor = Supervisor(services, infrastructure, RunState(DATA_DIR / "run"), local, say=say).start()
        _where_to_look(settings, services, infrastructure, say)
        if demo:
            with as_principal(settings):
                final = asyncio.run(run_demo(settings, say=say))
            say(
                f"demo done: {sum(1 for c in final.values() if c == 80)} accepted by the authority, "
                f"{sum(1 for c in final.values() if c == 40)} rejected by the client"
            )
        say("the system keeps running; press Ctrl-C to stop it")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C or SIGTERM (a terminal, a supervisor, `timeout` passing its own on) would break off the
        # stop half-way and leave the services, which run in sessions of their own, running without us.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("stopping ...")
        if supervisor is not None:
            supervisor.close()
        if services is not None:
            services.stop_all()
        infrastructure.stop()
        say(f"stopped; data kept in {DATA_DIR} (`make wipe` removes it)")


def wipe(say=print) -> None:
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    say(f"removed {DATA_DIR}")


def _where_to_look(settings: Settings, services: ServiceProcesses, infrastructure: Infrastructure, say) -> None:
    kafka = "three brokers, topics replicated 3 times" if infrastructure.cluster is not None else "one broker"
    if infrastructure.security is not None:
        kafka += (
            f"; SCRAM over TLS and ACLs, each service its own principal; passwords in "
            f"{infrastructure.security.credentials_file}; `eval $(accordeer stack credentials operator)` "
            "lets this shell's CLI in as the operator"
        )
    roles = ""
    if infrastructure.postgres is not None:
        roles = f"  (a role per service; passwords in {passwords_file(infrastructure.postgres.data_dir)})"
    log_in = (
        "log in as sanne.vandijk, eva.jansen or medewerker; password: demo; staff set up a second factor"
        " with an authenticator app at their first login"
    )
    say(f"""
running:
  Kafka       {settings.kafka_bootstrap_servers}  ({kafka})
  PostgreSQL  {without_password(settings.database_url)}{roles}
  portal      http://127.0.0.1:{services.portal_port}  ({log_in})
  status API  http://127.0.0.1:{services.status_api_port}/v1  (statuses per source; accordeer status-api key SOURCE)
  gateway     {services.gateway_url}/_admin/received  (the mocked Digipoort)
  mail        127.0.0.1:{services.mail_port} (an SMTP sink; `accordeer mail list` shows what it received)
  logs        {DATA_DIR / "logs"}/<service>.log
try, in another terminal (after `. .venv/bin/activate`):
  accordeer submit shared/contracts/examples/inbound_loonheffing.json
  accordeer history <the first characters of an item id above>
  accordeer directory show ORG-10045
  accordeer stack restart dispatch   (a crashed service is restarted by itself)
""")


def _interrupt(*_) -> None:
    raise KeyboardInterrupt
