"""Who a user id is, for mail: office users (users.yaml ``users:``) and clients (portal users of directory contacts).

Pure: the caller reads users.yaml and the directory copy; here they become one
lookup, and a task's assignees become recipients, or unknown when nobody has an
address for them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from shared.contracts.directory import Party


@dataclass(frozen=True)
class Recipient:
    user_id: str
    name: str
    email: str


class _OfficeUser(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    email: str


class _UsersDocument(BaseModel):
    # users.yaml is shared: groups are the workflow's business, only `users` is read here.
    model_config = ConfigDict(extra="ignore", frozen=True)

    users: dict[str, _OfficeUser] = {}


def office_users(document: Mapping[str, object] | None) -> dict[str, Recipient]:
    """The office's people from users.yaml's ``users:`` mapping ({name, email} per user id)."""
    users = _UsersDocument.model_validate(document or {}).users
    return {user_id: Recipient(user_id, user.name, user.email) for user_id, user in users.items()}


def load_office_users(path: Path) -> dict[str, Recipient]:
    return office_users(yaml.safe_load(path.read_text()) if path.exists() else None)


def portal_contacts(parties: Iterable[Party]) -> dict[str, Recipient]:
    """Portal user id → the active contact that logs in as it (the first one, when several do)."""
    found: dict[str, Recipient] = {}
    for party in parties:
        for contact in party.contacts:
            if contact.active and contact.portal_user and contact.portal_user not in found:
                found[contact.portal_user] = Recipient(contact.portal_user, contact.name, contact.email)
    return found


def resolve(assignees: Iterable[str], known: Mapping[str, Recipient]) -> tuple[list[Recipient], list[str]]:
    """The assignees with an address (each once, in order), and those without one."""
    unique = list(dict.fromkeys(assignees))
    return [known[a] for a in unique if a in known], [a for a in unique if a not in known]
