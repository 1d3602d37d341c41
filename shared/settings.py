"""Settings of every Accordeer process, from the environment (prefix ``ACCORDEER_``) or a ``.env`` file."""

import sys
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka.idle import FETCH_WAIT_MS
from shared.topics import Topics

INSTALLED_DEPLOY_DIR = Path(sys.prefix) / "share" / "accordeer"
"""Where installing the package puts the checkout's deploy/ files the services read (pyproject's data-files)."""


class Settings(BaseSettings):
    """One settings object for all services; each reads the fields it needs."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_", env_file=".env", extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "ACCORDEER_KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka bootstrap servers, comma separated.",
    )
    database_url: str = Field(
        "",
        validation_alias=AliasChoices("DATABASE_URL", "ACCORDEER_DATABASE_URL"),
        description="PostgreSQL URL (a Unix-socket URL with ?host=/path works too). Required by a service, as its"
        " own role's; empty for an `accordeer` command: the embedded server of `make run`.",
    )
    kafka_security: Literal["plaintext", "scram"] = Field(
        "plaintext",
        description="'plaintext' (`make run`), or 'scram': SASL/SCRAM-SHA-512 over TLS, each client with "
        "its own principal and the broker's ACLs (`accordeer run --secure`).",
    )
    kafka_username: str = Field("", description="SCRAM principal of this process (secure mode).")
    kafka_password: SecretStr = Field(SecretStr(""), description="SCRAM password of kafka_username (secure mode).")
    kafka_ca_file: Path | None = Field(
        None,
        description="CA certificate (PEM) the broker's TLS certificate is checked against (secure mode); "
        "empty: the system's trusted CAs.",
    )
    kafka_environment: str = Field(
        "local",
        description="Which replication settings of deploy/topics.yaml new topics get: 'local' (one broker) "
        "or 'cluster' (three copies, two in sync).",
    )
    kafka_brokers: int = Field(
        1,
        ge=1,
        description="Brokers of the local stack `accordeer run` starts: 1, or 3 for a KRaft cluster "
        "(as `accordeer run --cluster`; the topics then get the 'cluster' settings).",
    )
    topic_prefix: str = Field("", description="Prefix put before every topic name, e.g. 'acme.'.")
    deploy_dir: Path = Field(
        INSTALLED_DEPLOY_DIR,
        description="Folder with config/, migrations/ and topics.yaml. Default: the copy installed with the package; "
        "the `accordeer` command run from a checkout sets it to the checkout's deploy/.",
    )
    config_dir: Path = Field(
        INSTALLED_DEPLOY_DIR / "config",
        description="Folder with workflows, routes, users and sources. Default: config/ in deploy_dir.",
    )
    max_message_bytes: int = Field(
        1024 * 1024, description="Inbound records larger than this are refused as too_large."
    )
    clock_skew_seconds: float = Field(
        300.0, description="How far a declaration's submitted_at may lie after the time of intake (clocks differ)."
    )
    batch_max_records: int = Field(500, description="Most records one consumer batch (and one transaction) holds.")
    batch_timeout_ms: int = Field(
        FETCH_WAIT_MS,
        description="How long a consumer's poll waits for records when none are there; it returns as soon as any"
        " arrive, so a longer wait costs no latency and an idle consumer wakes less often.",
    )
    outbox_batch_size: int = Field(1000, description="Most outbox rows the relay publishes per round.")
    action_key_retention_days: float = Field(
        30.0,
        ge=8,
        description="How long workflow and the portal remember an action's id, so the same action sent twice is"
        " answered once (shared/db/retention.py). At least 8: longer than Kafka keeps the actions' records"
        " (7 days by default); raise it with the topics' retention.",
    )
    escalation_interval_seconds: float = Field(
        60.0, description="How often the workflow service looks for overdue tasks to escalate to the task manager."
    )
    db_pool_max: int = Field(5, description="Most PostgreSQL connections per process.")
    gateway_url: str = Field(
        "http://127.0.0.1:8470", description="Base URL of the communication service (Digipoort or the mock)."
    )
    http_host: str = Field("127.0.0.1", description="Address of the health and metrics endpoint.")
    http_port: int = Field(0, description="Port of the health and metrics endpoint; 0 disables it.")
    lag_sample_seconds: float = Field(15.0, description="How often a service samples its consumer lag for /metrics.")
    log_format: str = Field("console", description="'json' for structured logs, 'console' for people.")
    log_level: str = Field("INFO", description="Python log level name.")

    @model_validator(mode="after")
    def _config_in_deploy_dir(self) -> Self:
        if "config_dir" not in self.model_fields_set:
            self.config_dir = self.deploy_dir / "config"
        return self

    @property
    def topics(self) -> Topics:
        return Topics(self.topic_prefix)
