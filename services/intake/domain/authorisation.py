"""Who may submit what: sources and their service users, users and the types they may submit. Pure data.

Built from a plain mapping (the CLI loads it from a YAML file), for example::

    {"sources": {"nmbrs": {"service_user": "svc-nmbrs"}},
     "users": {"svc-nmbrs": {"item_types": ["Accorderingsbericht"], "message_types": ["loonheffing"]},
               "jan": {"item_types": ["Accorderingsbericht"], "message_types": ["*"]}}}

``"*"`` grants every item type or message type.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.inbound import InboundDeclaration

from .reasons import ReasonCode
from .refusal import Refusal

WILDCARD = "*"
SOURCE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?")
RESERVED_SOURCE_NAMES = frozenset({"dlq"})


@dataclass(frozen=True)
class UserRights:
    item_types: frozenset[str] = frozenset()
    message_types: frozenset[str] = frozenset()

    def allows_item_type(self, item_type: str) -> bool:
        return WILDCARD in self.item_types or item_type in self.item_types

    def allows_message_type(self, message_type: str) -> bool:
        return WILDCARD in self.message_types or message_type in self.message_types


@dataclass(frozen=True)
class Authorisations:
    service_users: Mapping[str, str] = field(default_factory=dict)
    """source → the user its messages are submitted as when they name no submitter."""
    users: Mapping[str, UserRights] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Authorisations":
        """Raises ``ValueError`` naming the offending entry: configuration is checked when loaded, not per message."""
        _keys(data, {"sources", "users"}, "the authorisation configuration")
        sources = _mapping(data.get("sources", {}), "sources")
        users = _mapping(data.get("users", {}), "users")
        service_users = {}
        for source, entry in sources.items():
            _source_name(source)
            _keys(_mapping(entry, f"sources.{source}"), {"service_user"}, f"sources.{source}")
            service_users[source] = _name(entry.get("service_user"), f"sources.{source}.service_user")
        rights = {}
        for user, entry in users.items():
            _keys(_mapping(entry, f"users.{user}"), {"item_types", "message_types"}, f"users.{user}")
            rights[user] = UserRights(
                item_types=_names(entry.get("item_types", []), f"users.{user}.item_types"),
                message_types=_names(entry.get("message_types", []), f"users.{user}.message_types"),
            )
        return cls(service_users=service_users, users=rights)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": {source: {"service_user": user} for source, user in self.service_users.items()},
            "users": {
                user: {"item_types": sorted(r.item_types), "message_types": sorted(r.message_types)}
                for user, r in self.users.items()
            },
        }

    def submitter_for(self, decl: InboundDeclaration, item_type: str) -> str | Refusal:
        """The effective submitter (given, or the source's service user), if authorised; else the refusal."""

        def refuse(code: ReasonCode, message: str) -> Refusal:
            return Refusal(code, message, decl.message_id, decl.source)

        if decl.source not in self.service_users:
            return refuse(
                ReasonCode.UNKNOWN_SOURCE,
                f"source: {decl.source!r} is not a registered source; ask the administrator to register it",
            )
        submitter = decl.submitter or self.service_users[decl.source]
        who = f"submitter: {submitter!r}" + ("" if decl.submitter else f" (the service user of {decl.source!r})")
        rights = self.users.get(submitter)
        if rights is None:
            return refuse(ReasonCode.UNAUTHORISED_SUBMITTER, f"{who} is not a known user")
        if not rights.allows_item_type(item_type):
            return refuse(
                ReasonCode.UNAUTHORISED_SUBMITTER, f"{who} is not authorised for dossier item type {item_type}"
            )
        if not rights.allows_message_type(decl.message_type):
            return refuse(
                ReasonCode.UNAUTHORISED_SUBMITTER,
                f"{who} is not authorised to submit message type {decl.message_type!r}",
            )
        return submitter


def _source_name(source: object) -> None:
    """A source's name goes into topic and consumer-group names that its own principal alone may read: lowercase
    letters, digits and inner hyphens only, so that no name can stand for another's (no dots) or for a product
    topic (``dlq``)."""
    if not isinstance(source, str) or not SOURCE_NAME.fullmatch(source) or source in RESERVED_SOURCE_NAMES:
        raise ValueError(
            f"sources.{source}: a source's name is 1-60 lowercase letters, digits and inner hyphens"
            f" (e.g. 'afas-fin'), and not one of {', '.join(sorted(RESERVED_SOURCE_NAMES))}"
        )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    return value


def _keys(value: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value


def _names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of names")
    return frozenset(_name(item, f"{where}[{index}]") for index, item in enumerate(value))
