"""API keys of the sources: ``<source>.<43 random URL-safe characters>``, of which only the SHA-256 is stored.

256 random bits need no slow hash: nobody can guess such a key from its digest, and a fast one keeps every request
cheap. The source in front says whose digest to compare with; the comparison takes the same time whatever matches.
"""

import hashlib
import hmac
import secrets

SEPARATOR = "."
UNKNOWN_DIGEST = hashlib.sha256(b"no key of any source hashes to this").hexdigest()
"""Compared with when the named source has no key, so that a request takes as long as for a wrong key."""


def new_key(source: str) -> str:
    return f"{source}{SEPARATOR}{secrets.token_urlsafe(32)}"


def digest(key: str) -> str:
    """The SHA-256 (hex) of the key: what is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def claimed_source(key: str) -> str | None:
    """The source a key names (not yet checked); None when it names none."""
    source, separator, secret = key.partition(SEPARATOR)
    return source if source and separator and secret else None


def matches(key: str, stored_digest: str | None) -> bool:
    """Whether ``key`` is the one whose digest is stored; a source without a key matches nothing."""
    return hmac.compare_digest(digest(key), stored_digest or UNKNOWN_DIGEST) and stored_digest is not None
