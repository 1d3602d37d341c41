"""Digipoort's status codes, once: each code's Dutch description and what it means for a message.

Dispatch maps a gateway status to ours with it and the mocked gateway builds its trails from it, so the two
cannot disagree. 90 is for the message itself being rejected: Digipoort's validation (311, 321) or the
authority's verdict (510). Whatever failed on the way (authentication, authorisation, delivery to the
authority) is 70: the message can be sent again once the cause is fixed (DOMAIN.md, "70 versus 90").
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    """What a gateway status code means for the message it is about."""

    PENDING = "pending"
    """On its way; the trail goes on."""
    RETRYING = "retrying"
    """A technical problem the gateway retries by itself (420); the trail goes on."""
    ACCEPTED = "accepted"
    """The authority processed the message (80)."""
    DECLINED = "declined"
    """The message itself was rejected: by Digipoort's validation or by the authority (90)."""
    FAILED = "failed"
    """Failed on the way; the authority never judged it; it can be sent again (70)."""

    @property
    def final(self) -> bool:
        """Whether the gateway's trail ends here."""
        return self in (Meaning.ACCEPTED, Meaning.DECLINED, Meaning.FAILED)


@dataclass(frozen=True)
class GatewayCode:
    code: int
    omschrijving: str
    meaning: Meaning


_CODES = (
    GatewayCode(105, "aanleverproces gestart", Meaning.PENDING),
    GatewayCode(100, "aanleveren gelukt", Meaning.PENDING),
    GatewayCode(110, "authenticatie gelukt", Meaning.PENDING),
    GatewayCode(210, "authenticatie mislukt", Meaning.FAILED),
    GatewayCode(230, "autorisatie mislukt", Meaning.FAILED),
    GatewayCode(200, "validatie gelukt", Meaning.PENDING),
    GatewayCode(311, "validatie mislukt", Meaning.DECLINED),
    GatewayCode(321, "validatie mislukt: bericht past niet bij de berichtsoort", Meaning.DECLINED),
    GatewayCode(301, "afleveren gestart", Meaning.PENDING),
    GatewayCode(405, "afleveren gelukt", Meaning.PENDING),
    GatewayCode(400, "ontvangst bevestigd door uitvragende partij", Meaning.PENDING),
    GatewayCode(410, "afleveren mislukt", Meaning.FAILED),
    GatewayCode(420, "technisch probleem bij afleveren, Digipoort probeert opnieuw", Meaning.RETRYING),
    GatewayCode(500, "verwerking door uitvragende partij gelukt", Meaning.ACCEPTED),
    GatewayCode(510, "verwerking door uitvragende partij mislukt", Meaning.DECLINED),
)
CODES: Mapping[int, GatewayCode] = {code.code: code for code in _CODES}


class UnknownGatewayCode(ValueError):
    pass


def meaning_of(code: int) -> Meaning:
    """What ``code`` means; UnknownGatewayCode for a code this table does not have."""
    try:
        return CODES[code].meaning
    except KeyError:
        raise UnknownGatewayCode(f"unknown Digipoort status code {code}") from None


def described(code: int | str) -> str:
    """A code with Digipoort's own (Dutch) words for it, as people read it: "500 verwerking door uitvragende partij
    gelukt"; a code this table does not have, as it is."""
    try:
        known = CODES.get(int(code))
    except ValueError:
        known = None
    return f"{known.code} {known.omschrijving}" if known else str(code)
