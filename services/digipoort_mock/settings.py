"""Configuration of the mock gateway, from DIGIPOORT_MOCK_* environment variables.

The fault fields (latency_ms, error_rate, ...) come from `FaultConfig`, so they are set as
DIGIPOORT_MOCK_LATENCY_MS, DIGIPOORT_MOCK_ERROR_RATE and so on; PUT /_admin/faults changes them at runtime.
"""

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.digipoort_mock.faults import FaultConfig
from services.digipoort_mock.trails import HAPPY_TRAIL, check_trail


class DigipoortMockSettings(BaseSettings, FaultConfig):
    model_config = SettingsConfigDict(env_prefix="DIGIPOORT_MOCK_", extra="forbid")

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server listens on.")
    port: int = Field(default=8470, ge=0, le=65535, description="TCP port the HTTP server listens on.")
    seconds_per_step: float = Field(
        default=0.2,
        ge=0,
        description="Seconds between one status of a trail and the next; 0 shows the whole trail at once.",
    )
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        gt=0,
        description="Largest request body accepted; larger ones get 413 AL-TE-GROOT before they are read whole.",
    )
    default_trail: str = Field(
        default=HAPPY_TRAIL,
        description="Trail for deliveries without a MOCK-TRAIL marker, named by its telling status code (500: happy).",
    )

    @field_validator("default_trail")
    @classmethod
    def _known_trail(cls, trail: str) -> str:
        return check_trail(trail)

    def fault_config(self) -> FaultConfig:
        return FaultConfig.model_validate(self.model_dump(include=set(FaultConfig.model_fields)))
