"""The portal's own settings (``ACCORDEER_PORTAL_*``); the common ones are in shared/settings.py."""

from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import Settings

PLAIN_LOCALHOST = ("127.0.0.1", "localhost", "::1")
"""Hosts whose plain-http address keeps a session cookie without the Secure flag: a browser on this machine."""


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORDEER_PORTAL_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the pages are served on.")
    port: int = Field(8480, description="Port the pages are served on.")
    public_url: str | None = Field(
        None,
        description=(
            "The address people open the portal at, e.g. https://portaal.kantoor.nl behind a TLS proxy; unset, it is "
            "http://HOST:PORT. It decides the session cookie's Secure flag: set unless this is plain http on "
            "127.0.0.1, localhost or [::1], so anywhere else the portal must be reached over HTTPS."
        ),
    )
    second_factor_key: SecretStr | None = Field(
        None,
        description=(
            "Fernet key that seals the second factor's TOTP secrets in the database; the portal does not start "
            "without one. Several keys, comma-separated, while rotating: the first seals, each opens, and a secret "
            "is sealed again with the first at each accepted code. Make one with `python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`; the local stack makes one "
            "once in its data folder. Lost, every enrolled user needs `accordeer second-factor reset`."
        ),
    )
    accounts_file: Path = Field(
        default_factory=lambda: Settings().config_dir / "portal_users.yaml",
        description="Users, their role and argon2 password hash. Default: portal_users.yaml in the config folder.",
    )
    outcome_wait_seconds: float = Field(
        8.0, description="How long a click waits for its outcome before the page says it is still being handled."
    )
    lag_sample_seconds: float = Field(
        15.0,
        gt=0,
        description="How often the operator dashboard renews itself and, while it was shown in the last ten minutes,"
        " samples consumer lag (it keeps the last hour); once a minute while nobody looks.",
    )

    @field_validator("public_url")
    @classmethod
    def _an_address(cls, url: str | None) -> str | None:
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname):
            raise ValueError("give the portal's address as http(s)://host[:port]")
        return url

    @field_validator("second_factor_key")
    @classmethod
    def _fernet_keys(cls, keys: SecretStr | None) -> SecretStr | None:
        for key in keys.get_secret_value().split(",") if keys is not None else ():
            try:
                Fernet(key.strip())
            except ValueError:
                raise ValueError("each key must be a Fernet key: 32 url-safe base64-encoded bytes") from None
        return keys

    @property
    def secure_cookies(self) -> bool:
        """Whether the session cookie carries the Secure flag: everywhere but plain http on this machine."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        address = urlsplit(self.public_url or f"http://{host}:{self.port}")
        return not (address.scheme == "http" and (address.hostname or "").lower() in PLAIN_LOCALHOST)

    def second_factor_keys(self) -> list[str]:
        """The Fernet keys, the sealing one first; a settings error (the process's start fails with it) when unset."""
        if self.second_factor_key is None or not self.second_factor_key.get_secret_value().strip():
            missing = PydanticCustomError(
                "missing_second_factor_key",
                "ACCORDEER_PORTAL_SECOND_FACTOR_KEY is not set: staff cannot log in without a second factor, and "
                "its secrets are sealed with this key",
            )
            details = InitErrorDetails(type=missing, loc=("second_factor_key",), input=None)
            raise ValidationError.from_exception_data(type(self).__name__, [details])
        return [key.strip() for key in self.second_factor_key.get_secret_value().split(",") if key.strip()]
