"""Pure dispatch rules: the gateway request, what a gateway status means for us, and retry timing."""

from dataclasses import dataclass
from datetime import datetime

from tenacity import RetryCallState, wait_exponential_jitter

from shared.contracts.approved import MessageApproved
from shared.contracts.status import StatusCode

MAX_AANLEVERKENMERK = 40
ACCEPTED_FINAL = {500}
DECLINED_FINAL = {210, 311, 410, 510}
GATEWAY_RETRYING = {420}


@dataclass(frozen=True)
class GatewayStatus:
    """One entry of the gateway's status trail."""

    code: int
    description: str
    timestamp: str
    error_code: str | None = None
    error_text: str | None = None


def aanleverkenmerk(dossier_item_id: str) -> str:
    """Our reference at the gateway (max 40): the dossier item id without dashes, so one item is one delivery."""
    kenmerk = dossier_item_id.replace("-", "")
    if not 0 < len(kenmerk) <= MAX_AANLEVERKENMERK:
        raise ValueError(f"dossier item id {dossier_item_id!r} does not make an aanleverkenmerk of 1-40 characters")
    return kenmerk


def delivery_request(message: MessageApproved, *, berichtsoort: str, rol: str) -> dict:
    """Digipoort's "aanleveren" body for an approved message."""
    return {
        "berichtsoort": berichtsoort,
        "aanleverkenmerk": aanleverkenmerk(message.dossier_item_id),
        "identiteitBelanghebbende": {"nummer": message.identity.number, "type": message.identity.type},
        "rolBelanghebbende": rol,
        "berichtInhoud": {
            "mimeType": message.document.mime_type,
            "bestandsnaam": message.document.file_name,
            "inhoud": message.document.content_base64,
        },
    }


def our_status(gateway: GatewayStatus) -> StatusCode:
    """The product status a gateway status maps to: 80/90 are final, 420 is a send error the gateway retries."""
    if gateway.code in ACCEPTED_FINAL:
        return StatusCode.ACCEPTED_BY_AUTHORITY
    if gateway.code in DECLINED_FINAL:
        return StatusCode.DECLINED_BY_AUTHORITY
    if gateway.code in GATEWAY_RETRYING:
        return StatusCode.SEND_ERROR
    return StatusCode.SENT


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


# Half a second to start with: a gateway that is down as a whole is the circuit breaker's business, so
# this backoff only spaces out the retries of one delivery.
_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=60, jitter=0.5)


def retry_delay(attempt: int) -> float:
    """Seconds before delivery attempt ``attempt + 1``: 0.5, 1, 2, 4, ... each plus up to 0.5 s of jitter, so
    retries that failed together do not come back together, and never more than 60. Retries are rows with a
    due time, not a loop in memory, so tenacity's wait strategy is used on its own."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
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
