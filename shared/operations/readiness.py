"""Whether each service answers its readiness check: for `accordeer status` and the operator page.

Every service answers /health/ready on its ops port: 200 when ready, else which of its checks fail. The addresses
come from ACCORDEER_OPS_ENDPOINTS ("intake=http://host:port,...", as a deployment names its services), else the
local stack's ports on 127.0.0.1 (shared/topology).
"""

import asyncio
import os
from dataclasses import dataclass

import httpx

from shared import topology

TIMEOUT = 3.0


def configured_endpoints() -> dict[str, str]:
    """The services' health endpoints as ACCORDEER_OPS_ENDPOINTS names them; none when it is not set."""
    configured = os.environ.get("ACCORDEER_OPS_ENDPOINTS", "")
    return dict(item.split("=", 1) for item in configured.split(",")) if configured else {}


def ops_endpoints() -> dict[str, str]:
    """Where each service's health endpoint is: as configured, else the local stack's ports."""
    return configured_endpoints() or {
        service.name: f"http://127.0.0.1:{service.ops_port}" for service in topology.SERVICES
    }


def endpoints_setting(ports: dict[str, int]) -> str:
    """ACCORDEER_OPS_ENDPOINTS for services on 127.0.0.1 at ``ports``."""
    return ",".join(f"{name}=http://127.0.0.1:{port}" for name, port in ports.items())


@dataclass(frozen=True)
class Readiness:
    service: str
    address: str
    answered: bool
    failing: tuple[str, ...] = ()
    """The checks that fail, when it answered not ready."""

    @property
    def ready(self) -> bool:
        return self.answered and not self.failing


async def readiness(endpoints: dict[str, str]) -> list[Readiness]:
    """Each service's answer, asked all at once; one that does not answer within TIMEOUT counts as not answering."""
    if not endpoints:
        return []
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        return list(await asyncio.gather(*(_ask(client, name, base) for name, base in endpoints.items())))


async def _ask(client: httpx.AsyncClient, name: str, base: str) -> Readiness:
    try:
        response = await client.get(f"{base}/health/ready")
    except httpx.HTTPError:
        return Readiness(name, base, answered=False)
    if response.status_code == 200:
        return Readiness(name, base, answered=True)
    try:
        checks = response.json().get("checks", {})
        failing = tuple(check for check, ok in checks.items() if not ok) or (f"HTTP {response.status_code}",)
    except ValueError:
        failing = (f"HTTP {response.status_code}",)
    return Readiness(name, base, answered=True, failing=failing)
