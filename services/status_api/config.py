"""The status API's settings (ACCORDEER_STATUS_API_* environment variables): where it listens and how often a
source may ask."""

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StatusApiSettings(BaseSettings):
    """Per status API process; every field is also ACCORDEER_STATUS_API_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="ACCORDEER_STATUS_API_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the API is served on.")
    port: int = Field(8490, ge=1, le=65535, description="Port the API is served on.")
    rate_limit: str = Field(
        "20/second",
        description="Most requests one source may make, in a moving window, per process (the limits library's"
        " notation, e.g. '20/second' or '600/minute'); beyond it: 429 with Retry-After.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # ValueError for what the limits library cannot read
        return value
