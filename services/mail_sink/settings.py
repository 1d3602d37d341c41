"""The mail sink's settings, from MAIL_SINK_* environment variables."""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MailSinkSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAIL_SINK_", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface the SMTP server listens on.")
    port: int = Field(8025, ge=0, le=65535, description="TCP port the SMTP server listens on.")
    folder: Path = Field(
        Path(".data") / "mail", description="Where received mails are kept as .eml files (relative: to the cwd)."
    )
    log_format: str = Field(
        "console",
        validation_alias=AliasChoices("MAIL_SINK_LOG_FORMAT", "ACCORDEER_LOG_FORMAT"),
        description="'json' for structured logs, 'console' for people.",
    )
