"""The notifier's Prometheus figures: mails queued, sent, refused, and assignees without an e-mail address."""

from prometheus_client import Counter

MAILS_QUEUED = Counter(
    "accordeer_notifier_mails_queued_total", "Mails stored for sending, one per task event and recipient."
)
MAILS_SENT = Counter("accordeer_notifier_mails_sent_total", "Mails the SMTP server accepted.")
MAILS_REFUSED = Counter("accordeer_notifier_mails_refused_total", "Mails the SMTP server refused for good (5xx).")
SMTP_UNAVAILABLE = Counter("accordeer_notifier_smtp_unavailable_total", "Sender rounds that found no SMTP server.")
UNKNOWN_RECIPIENTS = Counter(
    "accordeer_notifier_unknown_recipients_total", "Assignees with no known e-mail address (no mail sent)."
)
