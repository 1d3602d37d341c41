"""The communication service (Digipoort or its mock) behind a small protocol: the real HTTP client and a fake."""

from dataclasses import dataclass, field
from typing import Protocol

import httpx

from services.dispatch.domain import GatewayStatus


class TransientGatewayError(Exception):
    """Timeout, dropped connection, 5xx: the delivery is tried again later."""


class PermanentGatewayError(Exception):
    """The gateway refused the request itself (4xx): sending it again cannot help."""

    def __init__(self, code: str, text: str):
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Receipt:
    kenmerk: str
    timestamp: str


class Gateway(Protocol):
    async def deliver(self, request: dict) -> Receipt: ...

    async def statuses(self, kenmerken: list[str]) -> dict[str, list[GatewayStatus]]: ...


class HttpGateway:
    """Digipoort's vocabulary over HTTP/JSON, as the mock speaks it."""

    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self._client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(timeout, connect=2.0))

    async def close(self) -> None:
        await self._client.aclose()

    async def deliver(self, request: dict) -> Receipt:
        body = await self._post("/aanleveren", request)
        return Receipt(kenmerk=body["kenmerk"], timestamp=body.get("tijdstempelAangeleverd", ""))

    async def statuses(self, kenmerken: list[str]) -> dict[str, list[GatewayStatus]]:
        body = await self._post("/statussen", {"kenmerken": kenmerken})
        return {
            kenmerk: [_status(s) for s in result["statussen"]]
            for kenmerk, result in body.get("resultaten", {}).items()
        }

    async def _post(self, path: str, payload: dict) -> dict:
        try:
            response = await self._client.post(path, json=payload)
        except httpx.TransportError as exc:
            raise TransientGatewayError(f"{type(exc).__name__}: {exc or 'connection failed'}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientGatewayError(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientGatewayError(f"HTTP {response.status_code} without JSON") from exc
        if response.status_code >= 400:
            raise PermanentGatewayError(str(body.get("foutcode", response.status_code)),
                                        str(body.get("foutbeschrijving", response.text[:200])))
        return body


def _status(entry: dict) -> GatewayStatus:
    return GatewayStatus(
        code=int(entry["statuscode"]), description=entry.get("omschrijving", ""), timestamp=str(entry["tijdstempel"]),
        error_code=entry.get("foutcode"), error_text=entry.get("foutbeschrijving"),
    )


@dataclass
class FakeGateway:
    """In memory, for unit tests: idempotent on aanleverkenmerk like the real one."""

    trails: dict[str, list[GatewayStatus]] = field(default_factory=dict)
    received: dict[str, dict] = field(default_factory=dict)
    failures_left: int = 0

    async def deliver(self, request: dict) -> Receipt:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise TransientGatewayError("HTTP 503: fake outage")
        self.received.setdefault(request["aanleverkenmerk"], request)
        return Receipt(kenmerk=f"k-{request['aanleverkenmerk']}", timestamp="2026-01-01T00:00:00Z")

    async def statuses(self, kenmerken: list[str]) -> dict[str, list[GatewayStatus]]:
        return {k: self.trails.get(k, []) for k in kenmerken if k.removeprefix("k-") in self.received}
