"""Wire contracts of the mock gateway: request models and the JSON shapes of its answers.

The public endpoints speak Digipoort's camelCase Dutch; the /_admin endpoints are ours and use snake_case.
"""

import base64
import binascii
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from services.digipoort_mock.gateway import StatusReport
from services.digipoort_mock.store import Delivery, DeliveryStore
from services.digipoort_mock.trails import HAPPY_TRAIL, TimedStatus, TrailRouting, check_trail

NonEmpty = Annotated[str, Field(min_length=1)]


def _decode_base64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("moet base64-tekst zijn")
    try:
        decoded = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("is geen geldige base64") from None
    if not decoded:
        raise ValueError("is leeg")
    return decoded


class _Digipoort(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, frozen=True)


class IdentiteitBelanghebbende(_Digipoort):
    nummer: NonEmpty
    type: NonEmpty


class BerichtInhoud(_Digipoort):
    mime_type: NonEmpty
    bestandsnaam: NonEmpty
    inhoud: Annotated[bytes, BeforeValidator(_decode_base64)]
    """Already decoded from base64."""


class Aanlevering(_Digipoort):
    berichtsoort: NonEmpty
    aanleverkenmerk: Annotated[str, Field(min_length=1, max_length=40)]
    identiteit_belanghebbende: IdentiteitBelanghebbende
    rol_belanghebbende: NonEmpty
    bericht_inhoud: BerichtInhoud
    eerder_aanleverkenmerk: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    """A delivery sent again after a failure names the aanleverkenmerk of the attempt before it."""


class StatussenVerzoek(_Digipoort):
    kenmerken: list[str]


class TrailRoutingConfig(BaseModel):
    """Admin: the trail taken by deliveries without a MOCK-TRAIL marker."""

    model_config = ConfigDict(extra="forbid")

    default: str = Field(default=HAPPY_TRAIL, description="Trail for any berichtsoort without an override.")
    per_berichtsoort: dict[str, str] = Field(default_factory=dict, description="Trail per berichtsoort.")

    @field_validator("default")
    @classmethod
    def _known_default(cls, trail: str) -> str:
        return check_trail(trail)

    @field_validator("per_berichtsoort")
    @classmethod
    def _known_overrides(cls, overrides: dict[str, str]) -> dict[str, str]:
        for trail in overrides.values():
            check_trail(trail)
        return overrides

    def to_routing(self) -> TrailRouting:
        return TrailRouting(self.default, dict(self.per_berichtsoort))

    @classmethod
    def of(cls, routing: TrailRouting) -> "TrailRoutingConfig":
        return cls(default=routing.default, per_berichtsoort=dict(routing.per_berichtsoort))


def describe(error: ValidationError) -> str:
    """One line naming every field that is wrong, by its wire name."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}" for item in error.errors()
    )


def fout(foutcode: str, foutbeschrijving: str) -> dict[str, str]:
    return {"foutcode": foutcode, "foutbeschrijving": foutbeschrijving}


def aanleverantwoord(delivery: Delivery) -> dict[str, str]:
    return {
        "kenmerk": delivery.kenmerk,
        "aanleverkenmerk": delivery.aanleverkenmerk,
        "tijdstempelAangeleverd": delivery.received_at.isoformat(),
    }


def _status(timed: TimedStatus) -> dict[str, Any]:
    status = timed.status
    wire: dict[str, Any] = {
        "statuscode": status.code,
        "omschrijving": status.omschrijving,
        "tijdstempel": timed.tijdstempel.isoformat(),
    }
    if status.foutcode is not None:
        wire["foutcode"] = status.foutcode
        wire["foutbeschrijving"] = status.foutbeschrijving
    return wire


def statusrapport(report: StatusReport) -> dict[str, Any]:
    return {
        "kenmerk": report.delivery.kenmerk,
        "aanleverkenmerk": report.delivery.aanleverkenmerk,
        "statussen": [_status(timed) for timed in report.statuses],
        "final": report.final,
    }


def received(store: DeliveryStore) -> dict[str, Any]:
    deliveries = store.deliveries()
    attempts = store.attempts()
    return {
        "total_deliveries": len(deliveries),
        "total_attempts": sum(attempts.values()),
        # The store never accepts an aanleverkenmerk twice, so each count is 1; attempts show the repeats.
        "per_aanleverkenmerk": {delivery.aanleverkenmerk: 1 for delivery in deliveries},
        "attempts_per_aanleverkenmerk": attempts,
        "deliveries": [
            {
                "aanleverkenmerk": delivery.aanleverkenmerk,
                "kenmerk": delivery.kenmerk,
                "berichtsoort": delivery.berichtsoort,
                "trail": delivery.trail,
                "eerder_aanleverkenmerk": delivery.eerder_aanleverkenmerk,
                "received_at": delivery.received_at.isoformat(),
            }
            for delivery in deliveries
        ],
    }
