"""Dispatch's configuration: berichtsoort per message type (deploy/config/gateway.yaml), and how hard it
pushes the gateway (ACCORDEER_DISPATCH_* environment variables)."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


@dataclass(frozen=True)
class GatewayConfig:
    rol_belanghebbende: str
    berichtsoorten: dict[str, str]

    def berichtsoort(self, message_type: str) -> str | None:
        return self.berichtsoorten.get(message_type)


def load_gateway_config(config_dir: Path) -> GatewayConfig:
    document = yaml.safe_load((config_dir / "gateway.yaml").read_text())
    return GatewayConfig(rol_belanghebbende=document["rol_belanghebbende"],
                         berichtsoorten=dict(document["berichtsoorten"]))


class DispatchSettings(BaseSettings):
    """Per dispatch process; every field is also ACCORDEER_DISPATCH_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_DISPATCH_", env_file=".env", extra="ignore")

    concurrency: int = Field(
        32, ge=1, description="Most deliveries in flight at once; with ~1 s answers, about this many per second.")
    poll_batch_size: int = Field(200, ge=1, description="Most kenmerken asked for in one status poll.")
    poll_interval_seconds: float = Field(0.5, gt=0, description="Time between two polls of one delivery's trail.")
    breaker_threshold: int = Field(5, ge=1, description="Transient gateway failures in a row that open the circuit.")
    breaker_cooldown_seconds: float = Field(5.0, gt=0, description="How long an open circuit sends nothing.")
    gateway_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout per read/write at the gateway.")
    lease_seconds: float = Field(
        30.0, gt=0, description="How long a claimed delivery is this process's; after a crash, others wait this long.")

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> "DispatchSettings":
        # A lease that ends while its call is still running lets a second process send the same delivery.
        if self.lease_seconds < 2 * self.gateway_timeout_seconds:
            raise ValueError("lease_seconds must be at least twice gateway_timeout_seconds")
        return self
