"""Dispatch: files approved messages with the communication service exactly once and follows their status trail.

messages.approved → a delivery row (consumer, committed after the row) →
the delivery worker posts it with the dossier item as aanleverkenmerk (the
gateway's idempotency key) → the status follower polls the gateway's trail
and reports every status on messages.status, until 80 (accepted) or 90.
"""
