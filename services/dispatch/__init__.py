"""Dispatch: files approved messages with the communication service exactly once and follows their status trail.

messages.approved → a delivery row (consumer, committed after the row; an unreadable record is dead-lettered)
→ the delivery worker posts it with the dossier item as aanleverkenmerk (the gateway's idempotency key) → the
status follower polls the gateway's trail, backing off per delivery, and reports every status on
messages.status, until 80 (accepted), 90 (the message rejected) or 70 (failed on the way: it waits for
`accordeer resend`, which sends it as a new attempt with an aanleverkenmerk of its own).
"""
