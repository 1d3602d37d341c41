"""Prometheus metrics of the product: business figures, the outbox and its relay, consumer lag and the gateway breaker.

Most figures are counted where records actually leave a service: when the
outbox relay has published them. A status event or dead letter is counted
once it exists for the outside world, never for a transaction rolled back.
"""

import json

from prometheus_client import Counter, Gauge

DECLARATIONS_RECEIVED = Counter(
    "accordeer_declarations_received_total", "Inbound records intake has applied (accepted, duplicate or refused)."
)
DECLARATIONS_REFUSED = Counter(
    "accordeer_declarations_refused_total", "Inbound records refused by intake, by reason code.", ["reason"]
)
DOSSIER_ITEMS_CREATED = Counter("accordeer_dossier_items_created_total", "Dossier items created by intake.")
WORKFLOW_ACTIONS = Counter(
    "accordeer_workflow_actions_total",
    "Actions on workflow tasks, by action and outcome (applied/refused/duplicate).",
    ["action", "outcome"],
)
STATUS_EVENTS = Counter("accordeer_status_events_total", "Status events published, by status code.", ["status_code"])
DELIVERIES = Counter(
    "accordeer_deliveries_total",
    "Gateway statuses reported for deliveries, by the gateway's status code.",
    ["gateway_status"],
)
DEAD_LETTERS = Counter(
    "accordeer_dead_letters_total",
    "Records published to a dead-letter topic, by topic and reason.",
    ["topic", "reason"],
)
OUTBOX_BACKLOG = Gauge(
    "accordeer_outbox_backlog", "Rows waiting in the service's outbox (seen by its relay).", ["service"]
)
OUTBOX_SET_ASIDE = Counter(
    "accordeer_outbox_set_aside_total",
    "Outbox rows Kafka refused for good, moved to the service's outbox_set_aside.",
    ["service", "topic", "reason"],
)
OUTBOX_SET_ASIDE_ROWS = Gauge(
    "accordeer_outbox_set_aside_rows",
    "Rows in the service's outbox_set_aside (seen by its relay, with the backlog).",
    ["service"],
)
RELAY_LEASES_TAKEN = Counter(
    "accordeer_outbox_relay_leases_taken_total", "Times this process's outbox relay took the relay lease.", ["service"]
)
RELAY_LANES = Gauge(
    "accordeer_outbox_relay_lanes", "Lanes the service's outbox is split into (each needs one relay).", ["service"]
)
RELAY_LANES_HELD = Gauge(
    "accordeer_outbox_relay_lanes_held",
    "Lanes of the service's outbox this process relays now; summed over a service's processes, fewer than "
    "accordeer_outbox_relay_lanes for minutes means a lane's events wait for no one.",
    ["service"],
)
UNCOUNTABLE = Counter(
    "accordeer_uncountable_records_total", "Published records the figures above could not read.", ["topic"]
)
CONSUMER_LAG = Gauge(
    "accordeer_consumer_lag_records",
    "Records not yet committed by a consumer group, per partition.",
    ["group", "topic", "partition"],
)
CONSUMER_TIME_LAG = Gauge(
    "accordeer_consumer_lag_seconds",
    "Age of the oldest record not yet committed, per partition.",
    ["group", "topic", "partition"],
)
GATEWAY_BREAKER = Gauge(
    "accordeer_gateway_breaker_state",
    "Dispatch's circuit breaker in front of the gateway: 1 for the state it is in "
    "(closed, half-open or open), 0 for the others.",
    ["state"],
)


def observe_published(topic: str, value: bytes, headers: list[tuple[str, str]]) -> None:
    """Count one record the relay has published. Never raises: a figure is not worth a stuck relay."""
    try:
        _observe(topic, value, headers)
    except (ValueError, TypeError, KeyError, AttributeError):
        UNCOUNTABLE.labels(topic=topic).inc()


def _observe(topic: str, value: bytes, headers: list[tuple[str, str]]) -> None:
    if topic.endswith(".dlq"):
        reason = dict(headers).get("accordeer-reason-code", "unknown")
        DEAD_LETTERS.labels(topic=topic, reason=reason).inc()
        return
    if topic.endswith("messages.status"):
        event = json.loads(value)
        STATUS_EVENTS.labels(status_code=str(event["status_code"])).inc()
        if event.get("authority_status_code"):
            DELIVERIES.labels(gateway_status=event["authority_status_code"]).inc()
    elif topic.endswith("dossier.items"):
        DOSSIER_ITEMS_CREATED.inc()
