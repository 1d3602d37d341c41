"""Dispatch's own figures on /metrics: deliveries that stopped at 70 and why, redeliveries of kenmerken the
gateway lost, and resends; counted when the change is committed."""

from prometheus_client import Counter

FAILED = Counter(
    "accordeer_dispatch_failed_total",
    "Deliveries that stopped at 70 (failed on the way; `accordeer resend` sends "
    "them again), by the gateway's code (an HTTP refusal's foutcode, 210, 410, ... or no-final-answer).",
    ["gateway_code"],
)
REDELIVERIES = Counter(
    "accordeer_dispatch_redeliveries_total",
    "Deliveries sent again under the same aanleverkenmerk because the "
    "gateway kept answering that it does not know their kenmerk.",
)
RESENDS = Counter(
    "accordeer_dispatch_resends_total", "Deliveries sent again as a new attempt after `accordeer resend`."
)
