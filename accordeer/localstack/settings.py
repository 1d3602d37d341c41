"""Settings of the local stack `accordeer run` starts (``ACCORDEER_RUN_*``): its ports and how it restarts a
crashed process. The defaults are the documented ports of `make run`; tests give free ones."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LocalStackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORDEER_RUN_", env_file=".env", extra="ignore")

    kafka_port: int = Field(
        9092,
        description="Client port of the local broker (cluster: of the first broker; the others use the next ports).",
    )
    gateway_port: int = Field(8470, description="Port of the mocked Digipoort.")
    mail_port: int = Field(8025, description="Port of the SMTP sink.")
    portal_port: int = Field(8480, description="Port of the portal's pages.")
    status_api_port: int = Field(8490, description="Port of the status service's HTTP API (per-source keys).")
    ops_port: int = Field(
        8481,
        description="Health and metrics port of the first service; the others follow "
        "(intake, workflow, dispatch, notifier, portal).",
    )
    restart_first_seconds: float = Field(
        1.0,
        description="Wait before restarting a crashed process the first time; it doubles with each crash that follows.",
    )
    restart_max_seconds: float = Field(30.0, description="Longest wait before a restart.")
    stable_seconds: float = Field(
        60.0,
        description="A process that has run this long counts as healthy again: "
        "its next crash waits restart_first_seconds.",
    )
