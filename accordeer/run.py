"""`accordeer run`: the whole system on this machine, until Ctrl-C; the data stays for the next run."""

import asyncio
import shutil
import signal
import time

from accordeer.connect import CACHE_DIR, DATA_DIR
from accordeer.demo import run_demo
from accordeer.localstack.stack import Infrastructure, ServiceProcesses
from accordeer.setup import prepare
from shared.settings import Settings


def run_stack(*, demo: bool = True, say=print) -> None:
    infrastructure = Infrastructure(DATA_DIR, CACHE_DIR)
    services: ServiceProcesses | None = None
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on SIGTERM as on Ctrl-C
    try:
        say("starting PostgreSQL and Kafka (the first run fetches Kafka from Maven Central) ...")
        infrastructure.start()
        settings = Settings(database_url=infrastructure.database_url,
                            kafka_bootstrap_servers=infrastructure.bootstrap_servers)
        for line in asyncio.run(prepare(settings)):
            say(f"  {line}")
        services = ServiceProcesses(DATA_DIR / "logs", env={
            "DATABASE_URL": settings.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "ACCORDEER_LOG_FORMAT": "json",
        })
        services.start_all()
        _where_to_look(settings, services, say)
        if demo:
            final = asyncio.run(run_demo(settings, say=say))
            say(f"demo done: {sum(1 for c in final.values() if c == 80)} accepted by the authority, "
                f"{sum(1 for c in final.values() if c == 40)} rejected by the client")
        say("the system keeps running; press Ctrl-C to stop it")
        while True:
            time.sleep(1)
            dead = [name for name, p in services.processes.items() if not p.running()]
            if dead:
                say(f"service(s) stopped unexpectedly: {', '.join(dead)}; see {DATA_DIR / 'logs'}")
                break
    except KeyboardInterrupt:
        pass
    finally:
        say("stopping ...")
        if services is not None:
            services.stop_all()
        infrastructure.stop()
        say("stopped; data kept in .data/ (`make wipe` removes it)")


def wipe(say=print) -> None:
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    say(f"removed {DATA_DIR}")


def _where_to_look(settings: Settings, services: ServiceProcesses, say) -> None:
    say(f"""
running:
  Kafka       {settings.kafka_bootstrap_servers}
  PostgreSQL  {settings.database_url}
  portal      http://127.0.0.1:{services.portal_port}  (log in as sanne.vandijk, eva.jansen or medewerker; password: demo)
  gateway     {services.gateway_url}/_admin/received  (the mocked Digipoort)
  mail        127.0.0.1:{services.mail_port} (an SMTP sink; `accordeer mail list` shows what it received)
  logs        {DATA_DIR / 'logs'}/<service>.log
try, in another terminal (after `. .venv/bin/activate`):
  accordeer submit shared/contracts/examples/inbound_loonheffing.json
  accordeer history <the first characters of an item id above>
  accordeer directory show ORG-10045
""")


def _interrupt(*_) -> None:
    raise KeyboardInterrupt
