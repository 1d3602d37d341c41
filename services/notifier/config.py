"""The notifier's settings (ACCORDEER_NOTIFIER_* environment variables): the SMTP server, the portal, templates."""

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import Settings


class NotifierSettings(BaseSettings):
    """Per notifier process; every field is also ACCORDEER_NOTIFIER_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_NOTIFIER_", env_file=".env", extra="ignore")

    smtp_host: str = Field("127.0.0.1", description="SMTP server the mails are handed to.")
    smtp_port: int = Field(8025, ge=1, le=65535, description="Its port (the local stack's mail sink: 8025).")
    smtp_username: str = Field("", description="SMTP login; empty: none.")
    smtp_password: str = Field("", description="SMTP password, with smtp_username.")
    smtp_start_tls: bool | None = Field(None, description="STARTTLS: true, false, or unset to use it when offered.")
    smtp_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one SMTP connect or command.")
    mail_from: str = Field("Accordeer <accordeer@kantoor.example>", description="The From of every mail.")
    message_id_domain: str = Field("accordeer.local", description="Right-hand side of the Message-IDs made here.")
    portal_url: str = Field(
        "http://127.0.0.1:8480", description="The portal; a task's link is {portal_url}/taken/{dossier item id}."
    )
    templates_dir: Path = Field(
        default_factory=lambda: Settings().config_dir / "mail",
        description="Mail templates: <workflow>/<task>.txt.j2, else default.txt.j2 (default: config folder/mail).",
    )
    send_batch_size: int = Field(10, ge=1, description="Most mails one sender round claims.")
    lease_seconds: float = Field(
        60.0, gt=0, description="How long a claimed mail is this process's; after a crash, others wait this long."
    )
    retry_initial_seconds: float = Field(0.5, gt=0, description="First wait after the SMTP server was unreachable.")
    retry_max_seconds: float = Field(
        60.0, gt=0, description="Longest wait between tries (it doubles up to here); also the wait after a 4xx."
    )
    idle_seconds: float = Field(
        30.0,
        gt=0,
        description="The longest an idle sender waits before looking for mails again: it wakes at once for new mails"
        " and at the time the next one is due.",
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> "NotifierSettings":
        # A lease that ends mid-send lets another process send the same mail (same Message-ID, but still). One
        # mail is a few SMTP commands (MAIL, RCPT, DATA, the content), each bounded by the timeout.
        if self.lease_seconds < 5 * self.smtp_timeout_seconds:
            raise ValueError("lease_seconds must be at least five times smtp_timeout_seconds")
        return self
