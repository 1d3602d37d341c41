"""Dispatch's configuration: berichtsoort per message type (deploy/config/gateway.yaml), and how hard it
pushes the gateway (ACCORDEER_DISPATCH_* environment variables)."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.dispatch.domain import Polling


@dataclass(frozen=True)
class GatewayConfig:
    rol_belanghebbende: str
    berichtsoorten: dict[str, str]

    def berichtsoort(self, message_type: str) -> str | None:
        return self.berichtsoorten.get(message_type)


def load_gateway_config(config_dir: Path) -> GatewayConfig:
    document = yaml.safe_load((config_dir / "gateway.yaml").read_text())
    return GatewayConfig(
        rol_belanghebbende=document["rol_belanghebbende"], berichtsoorten=dict(document["berichtsoorten"])
    )


class DispatchSettings(BaseSettings):
    """Per dispatch process; every field is also ACCORDEER_DISPATCH_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_DISPATCH_", env_file=".env", extra="ignore")

    concurrency: int = Field(
        32, ge=1, description="Most deliveries in flight at once; with ~1 s answers, about this many per second."
    )
    gateway_connections: int = Field(
        8, ge=1, description="HTTP connections to the gateway kept open; deliveries in flight share them."
    )
    poll_batch_size: int = Field(200, ge=1, description="Most kenmerken asked for in one status poll.")
    poll_first_seconds: float = Field(
        0.15, gt=0, description="Time from sending a delivery to its first status poll; an instant answer is seen soon."
    )
    poll_factor: float = Field(2.0, ge=1, description="Each next poll of one delivery waits this many times longer.")
    poll_max_seconds: float = Field(60.0, gt=0, description="The longest wait between two polls of one delivery.")
    poll_give_up_seconds: float = Field(
        86400.0,
        gt=0,
        description="Without a final answer from the gateway this long after sending, a delivery "
        "stops at 70 ('no final answer from Digipoort after ...') and can be sent again with `accordeer resend`.",
    )
    unknown_polls_before_redelivery: int = Field(
        3,
        ge=1,
        description="Polls answered 'kenmerk unknown' in a row before the delivery is sent again under the "
        "same aanleverkenmerk (the gateway lost it; it is idempotent on the aanleverkenmerk).",
    )
    breaker_threshold: int = Field(5, ge=1, description="Transient gateway failures in a row that open the circuit.")
    breaker_cooldown_seconds: float = Field(5.0, gt=0, description="How long an open circuit sends nothing.")
    gateway_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout per read/write at the gateway.")
    lease_seconds: float = Field(
        30.0, gt=0, description="How long a claimed delivery is this process's; after a crash, others wait this long."
    )

    def polling(self) -> Polling:
        return Polling(
            first=timedelta(seconds=self.poll_first_seconds),
            factor=self.poll_factor,
            cap=timedelta(seconds=self.poll_max_seconds),
            give_up_after=timedelta(seconds=self.poll_give_up_seconds),
            unknown_polls_before_redelivery=self.unknown_polls_before_redelivery,
        )

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> "DispatchSettings":
        # A lease that ends while its call is still running lets a second process send the same delivery.
        if self.lease_seconds < 2 * self.gateway_timeout_seconds:
            raise ValueError("lease_seconds must be at least twice gateway_timeout_seconds")
        return self
