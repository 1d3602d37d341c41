"""The portal's own settings (``ACCORDEER_PORTAL_*``); the common ones are in shared/settings.py."""

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import REPO_ROOT


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORDEER_PORTAL_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the pages are served on.")
    port: int = Field(8480, description="Port the pages are served on.")
    session_secret: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description=(
            "Key that signs session cookies. Set one shared value when several portal processes serve one site; "
            "by default each start makes a new one (everyone logs in again)."
        ),
    )
    accounts_file: Path = Field(
        REPO_ROOT / "deploy" / "config" / "portal_users.yaml", description="Users, their role and argon2 password hash."
    )
    secure_cookies: bool = Field(False, description="Send the session cookie over HTTPS only (set behind TLS).")
    outcome_wait_seconds: float = Field(
        8.0, description="How long a click waits for its outcome before the page says it is still being handled."
    )
    lag_sample_seconds: float = Field(
        5.0, gt=0, description="How often the operator dashboard samples consumer lag (it keeps the last hour)."
    )
