"""Pure dispatch rules: the gateway request, what a gateway status means for us, retry and polling timing."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tenacity import RetryCallState, Retrying, wait_exponential_jitter

from shared.contracts.approved import MessageApproved
from shared.contracts.status import StatusCode
from shared.gateway_codes import Meaning, UnknownGatewayCode, meaning_of

MAX_AANLEVERKENMERK = 40
OURS = {
    Meaning.PENDING: StatusCode.SENT,
    Meaning.RETRYING: StatusCode.SENT,
    Meaning.FAILED: StatusCode.SEND_ERROR,
    Meaning.ACCEPTED: StatusCode.ACCEPTED_BY_AUTHORITY,
    Meaning.DECLINED: StatusCode.DECLINED_BY_AUTHORITY,
}


@dataclass(frozen=True)
class GatewayStatus:
    """One entry of the gateway's status trail."""

    code: int
    description: str
    timestamp: str
    error_code: str | None = None
    error_text: str | None = None


def aanleverkenmerk(dossier_item_id: str, attempt: int = 1) -> str:
    """Our reference at the gateway (max 40): the dossier item id without dashes, and from the second attempt
    (a resend after a 70) a suffix ``-N``. The same attempt always makes the same kenmerk, so sending an attempt
    again after a crash is one delivery at the gateway; another attempt is a delivery of its own."""
    kenmerk = dossier_item_id.replace("-", "") + (f"-{attempt}" if attempt > 1 else "")
    if not 0 < len(kenmerk) <= MAX_AANLEVERKENMERK or attempt < 1:
        raise ValueError(
            f"dossier item id {dossier_item_id!r} (attempt {attempt}) does not make an aanleverkenmerk "
            "of 1-40 characters"
        )
    return kenmerk


def delivery_request(
    message: MessageApproved,
    *,
    berichtsoort: str,
    rol: str,
    aanleverkenmerk: str,
    eerder_aanleverkenmerk: str | None = None,
) -> dict[str, Any]:
    """Digipoort's "aanleveren" body for an approved message; a resend names the aanleverkenmerk before it."""
    earlier = {"eerderAanleverkenmerk": eerder_aanleverkenmerk} if eerder_aanleverkenmerk else {}
    return {
        **earlier,
        "berichtsoort": berichtsoort,
        "aanleverkenmerk": aanleverkenmerk,
        "identiteitBelanghebbende": {"nummer": message.identity.number, "type": message.identity.type},
        "rolBelanghebbende": rol,
        "berichtInhoud": {
            "mimeType": message.document.mime_type,
            "bestandsnaam": message.document.file_name,
            "inhoud": message.document.content_base64,
        },
    }


def our_status(gateway: GatewayStatus) -> StatusCode:
    """The product status a gateway status maps to (shared.gateway_codes): 80 accepted, 90 the message rejected,
    70 failed on the way; anything else, a code we do not know included, keeps the message at 60."""
    try:
        return OURS[meaning_of(gateway.code)]
    except UnknownGatewayCode:
        return StatusCode.SENT


def ends_trail(code: StatusCode) -> bool:
    """Whether following the gateway's trail stops at this status of ours: final, or failed on the way."""
    return code.is_final or code is StatusCode.SEND_ERROR


def latest_status(current: StatusCode, fresh: list[GatewayStatus]) -> StatusCode:
    """Our status after the gateway statuses not seen before (in trail order) arrived."""
    return our_status(fresh[-1]) if fresh else current


def status_time(gateway: GatewayStatus) -> datetime | None:
    """When the gateway says the status happened, if it says so readably (with a time zone)."""
    try:
        moment = datetime.fromisoformat(gateway.timestamp)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def status_detail(gateway: GatewayStatus) -> str:
    text = f"{gateway.code} {gateway.description}"
    if gateway.error_code or gateway.error_text:
        text += f" ({gateway.error_code or ''}: {gateway.error_text or ''})"
    return text


def trail_detail(fresh: list[GatewayStatus]) -> str:
    """The detail of the one event that reports the statuses one poll brought: the latest in full, then the codes
    of those before it, e.g. "500 Verwerking geslaagd (after 105, 100, 110, 200, 301, 405, 400)"."""
    *earlier, latest = fresh
    return status_detail(latest) + (f" (after {', '.join(str(s.code) for s in earlier)})" if earlier else "")


# Half a second to start with: a gateway that is down as a whole is the circuit breaker's business, so
# this backoff only spaces out the retries of one delivery.
_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=60, jitter=0.5)
# A wait strategy is asked with the state of a retry loop; this loop is never run, it only owns that state.
_NOT_RUN = Retrying(wait=_BACKOFF)


def retry_delay(attempt: int) -> float:
    """Seconds before delivery attempt ``attempt + 1``: 0.5, 1, 2, 4, ... each plus up to 0.5 s of jitter, so
    retries that failed together do not come back together, and never more than 60. Retries are rows with a
    due time, not a loop in memory, so tenacity's wait strategy is used on its own."""
    state = RetryCallState(retry_object=_NOT_RUN, fn=None, args=(), kwargs={})
    state.attempt_number = max(1, attempt)
    return _BACKOFF(state)


@dataclass(frozen=True)
class Retry:
    delay: float
    counts_as_attempt: bool


def retry_after_failure(attempts: int, *, gateway_down: bool, cooldown_left: float) -> Retry:
    """When to send a delivery again after a transient failure. Its own failures back off exponentially; a
    failure while the gateway is down (the circuit is open) is not the delivery's fault: it waits out the
    cool-down and its backoff does not grow, so an outage does not leave deliveries waiting minutes after it."""
    if gateway_down:
        return Retry(delay=cooldown_left, counts_as_attempt=False)
    return Retry(delay=retry_delay(attempts + 1), counts_as_attempt=True)


@dataclass(frozen=True)
class Polling:
    """How often one sent delivery's trail is asked for: quickly at first, since a gateway may answer at once,
    then less and less often up to ``cap`` (real trails take minutes to hours), until ``give_up_after``."""

    first: timedelta = timedelta(seconds=0.15)
    factor: float = 2.0
    cap: timedelta = timedelta(seconds=60)
    give_up_after: timedelta = timedelta(hours=24)
    unknown_polls_before_redelivery: int = 3

    def delay(self, polls: int) -> timedelta:
        """Time from poll number ``polls`` (0: the delivery itself) to the next one."""
        growth = self.factor ** min(polls, 64)
        return self.cap if self.first.total_seconds() * growth >= self.cap.total_seconds() else self.first * growth

    def gave_up(self, sent_at: datetime, now: datetime) -> bool:
        return now - sent_at >= self.give_up_after

    def give_up_reason(self, last_code: str | None) -> str:
        last = f"; the last status was {last_code}" if last_code else "; it gave no status at all"
        return f"no final answer from Digipoort after {_duration(self.give_up_after)}{last}"


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
