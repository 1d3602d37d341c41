"""What a source may submit: its service user's message types in the authorisations file (``*``: all of them).

The file is read again when it changes on disk, so a new right shows without a restart; a change that does not load
keeps the rights read last (and says so in the log), while a file that does not load at the start stops the start.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import structlog
import yaml

from services.intake.domain import Authorisations
from services.intake.domain.authorisation import WILDCARD
from shared.contracts.inbound import KNOWN_MESSAGE_TYPES

log = structlog.get_logger(__name__)


def read_authorisations(path: Path) -> Authorisations:
    """The file's authorisations; ValueError (or OSError) saying what is wrong with it."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(document, Mapping):
        raise ValueError(f"{path} must hold a mapping with 'sources' and 'users'")
    return Authorisations.from_dict(document)


class AuthorisationsFile:
    def __init__(self, path: Path):
        self.path = path
        self._stamp = path.stat().st_mtime_ns
        self._current = read_authorisations(path)

    def current(self) -> Authorisations:
        try:
            stamp = self.path.stat().st_mtime_ns
            if stamp != self._stamp:
                self._stamp = stamp  # a broken change is reported once, not on every request
                self._current = read_authorisations(self.path)
        except (OSError, ValueError) as error:
            log.warning("authorisations file not read again; the rights read last still apply", error=str(error))
        return self._current


@dataclass(frozen=True)
class SubmitRights:
    """The message types a source may submit, as its service user's rights say."""

    source: str
    service_user: str | None
    all_message_types: bool
    message_types: tuple[str, ...]


def submit_rights(authorisations: Authorisations, source: str) -> SubmitRights:
    user = authorisations.service_users.get(source)
    rights = authorisations.users.get(user) if user else None
    granted = rights.message_types if rights else frozenset()
    everything = WILDCARD in granted
    # "*" also covers types integrators add later; the product's own are named so a client sees what they are.
    shown = sorted((granted - {WILDCARD}) | (set(KNOWN_MESSAGE_TYPES) if everything else set()))
    return SubmitRights(source, user, everything, tuple(shown))
