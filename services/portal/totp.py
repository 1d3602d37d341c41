"""The second factor's rules, pure: TOTP secrets and codes (RFC 6238, with pyotp), which time step a code is of,
recovery codes and their digests, and the QR code an authenticator app scans.

A code is of the time step before, at or after now (±30 seconds of clock drift), and only of a step later than
the last one accepted for that user: a code works once, and never after a later one (RFC 6238, section 5.2).
Recovery codes carry 80 random bits each, so a SHA-256 of one is as safe to store as a slow hash of a password.
"""

import hashlib
import hmac
import re
import secrets

import pyotp
import segno
from markupsafe import Markup

ISSUER = "Accordeer"
STEP_SECONDS = 30
DRIFT_STEPS = 1
DIGITS = 6
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
"""No 0/o, 1/l/i: nothing to misread on paper. 16 of these are 79 bits."""
RECOVERY_LENGTH = 16


def new_secret() -> str:
    """A TOTP secret: 160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret as a person types it into an app: groups of four ("ABCD EFGH ...")."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def step_at(now: float) -> int:
    return int(now // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, now: float, after: int = -1) -> int | None:
    """The time step ``code`` is of, if it is one of now ± DRIFT_STEPS and later than ``after``; else None."""
    typed = re.sub(r"\s", "", code)
    if not re.fullmatch(rf"[0-9]{{{DIGITS}}}", typed):
        return None
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time: how long a refusal takes tells nothing.
        if hmac.compare_digest(code_at(secret, step), typed) and step > after and found is None:
            found = step
    return found


def provisioning_uri(secret: str, user: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=user, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code of ``uri`` as an inline SVG picture named ``title``: black on white, scaled by the page."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=title, svgclass="qr", lineclass=None, omitsize=True
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # segno escapes the title it writes


def new_recovery_codes() -> list[str]:
    """Ten codes as people copy them down: ``abcd-efgh-jkmn-pqrs``."""
    return [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_LENGTH // 4))
        for _ in range(RECOVERY_CODES)
    ]


def recovery_digest(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of it without spaces, dashes or capitals, as typed or printed."""
    return hashlib.sha256(re.sub(r"[^0-9a-z]", "", code.lower()).encode()).hexdigest()
