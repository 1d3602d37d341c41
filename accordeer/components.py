"""Is each part of the system there? One short state per component ("up", "down (why)"), never an exception.

Services (the portal among them) answer /health/ready on their ops port; the portal's pages answer GET /login;
the mocked gateway answers /health; the mail sink is a TCP port; Kafka and PostgreSQL are asked for the least
they can answer. Addresses come from the settings (or
ACCORDEER_OPS_ENDPOINTS), else the local stack's defaults.
"""

import asyncio
from collections.abc import Awaitable
from urllib.parse import urlsplit

import httpx
from aiokafka.errors import KafkaConnectionError

from services.notifier.config import NotifierSettings
from services.portal.config import PortalSettings
from shared.kafka.admin import partitions_of
from shared.operations.readiness import ops_endpoints
from shared.settings import Settings

TIMEOUT = 5


async def components(settings: Settings, database_url: str | None) -> dict[str, str]:
    """Every component's state, in the order a person reads them: services, the portal's pages, gateway, mail,
    infrastructure."""
    mail, portal = NotifierSettings(), PortalSettings()
    checks = {name: _service(base) for name, base in ops_endpoints().items()}
    checks["portal web"] = _answers(f"http://{portal.host}:{portal.port}", "/login")
    checks["gateway"] = _answers(settings.gateway_url, "/health")
    checks["mail sink"] = _port(mail.smtp_host, mail.smtp_port)
    checks["Kafka"] = _kafka(settings)
    checks["PostgreSQL"] = _postgres(database_url)
    states = await asyncio.gather(*(_state(check) for check in checks.values()))
    return dict(zip(checks, states, strict=True))


async def _state(check: Awaitable[str]) -> str:
    try:
        return await asyncio.wait_for(check, TIMEOUT)
    except TimeoutError:
        return f"down (no answer within {TIMEOUT}s)"
    except Exception as exc:
        return f"down ({type(exc).__name__}: {exc})"


async def _service(base: str) -> str:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        try:
            response = await client.get(f"{base}/health/ready")
        except httpx.TransportError:
            return f"down (no answer on {base})"
    if response.status_code == 200:
        return "ready"
    failing = [name for name, ok in response.json().get("checks", {}).items() if not ok]
    return f"not ready ({', '.join(failing)} failing)"


async def _answers(base: str, path: str) -> str:
    """Up when GET ``path`` answers 200: the gateway's /health, the portal's /login."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        try:
            response = await client.get(f"{base.rstrip('/')}{path}")
        except httpx.TransportError:
            return f"down (no answer on {base})"
    return f"up ({base})" if response.status_code == 200 else f"down ({base}{path} answers HTTP {response.status_code})"


async def _port(host: str, port: int) -> str:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        return f"down (nothing listens on {host}:{port}: {exc.strerror or exc})"
    writer.close()
    return f"up ({host}:{port})"


async def _kafka(settings: Settings) -> str:
    try:
        await partitions_of(settings.kafka_bootstrap_servers, settings.topics.status)
    except KafkaConnectionError:
        return f"down (not reachable at {settings.kafka_bootstrap_servers})"
    return f"up ({settings.kafka_bootstrap_servers})"


async def _postgres(database_url: str | None) -> str:
    if database_url is None:
        return "down (no DATABASE_URL is set and the local stack is not running)"
    from asyncpg import InvalidAuthorizationSpecificationError

    from shared.db.pool import connect

    try:
        conn = await connect(database_url)
    except InvalidAuthorizationSpecificationError as refused:
        return f"answers, but refused the login ({refused})"
    await conn.close()
    where = urlsplit(database_url)
    return f"up ({where.hostname}:{where.port or 5432})" if where.hostname else "up (the local stack's, on its socket)"
