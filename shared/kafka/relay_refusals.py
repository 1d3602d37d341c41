"""Which Kafka errors mean a record is refused for good, so the relay sets its outbox row aside instead of retrying.

Only errors that sending the same record again cannot cure: the record itself is too large or invalid, or its
topic does not exist or may not be written. Everything else (broker unreachable, not leader, timeouts, not
enough replicas) is transient and retried for ever, as a record is never given up because of the cluster's
weather. aiokafka 0.14 has no class for INVALID_RECORD (code 87): it arrives as UnknownError, which could be
anything, so it is retried too.
"""

from aiokafka import errors

REASONS: dict[type[errors.KafkaError], str] = {
    errors.MessageSizeTooLargeError: "too_large",  # raised by the producer itself, or by the broker
    errors.RecordListTooLargeError: "too_large",
    errors.RecordTooLargeError: "too_large",
    errors.InvalidTopicError: "invalid_topic",
    errors.TopicAuthorizationFailedError: "topic_not_authorised",
    errors.CorruptRecordException: "invalid_record",
    errors.InvalidTimestampError: "invalid_record",
    errors.UnsupportedForMessageFormatError: "invalid_record",
    errors.PolicyViolationError: "policy_violation",
}

UNKNOWN_TOPIC = "unknown_topic"
"""A topic the cluster does not have (auto-creation is off): found by the relay from metadata, not an error class,
because aiokafka reports it only as a timeout, just like an unreachable cluster."""


def refusal_reason(error: BaseException) -> str | None:
    """The reason to set a record aside for, or None when the error is transient (retry)."""
    for error_class, reason in REASONS.items():
        if isinstance(error, error_class):
            return reason
    return None
