"""Who belongs to which group, so that an assignee ``@group`` matches its members."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .problems import ValidationProblem, problems_from_pydantic
from .yaml_text import YamlTextError, parse_yaml

GROUP_PREFIX = "@"
DESTINATION_GROUP = "destination"
"""``@destination``: the portal users of the item's destination (its named contact, or all its active contacts).
Bound per item by ``with_destination``; configuration cannot define a group of that name."""


@dataclass(frozen=True)
class Directory:
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Group name (without ``@``) → its members' user ids."""

    def has_group(self, name: str) -> bool:
        return name in self.groups or name == DESTINATION_GROUP

    def with_destination(self, users: Iterable[str]) -> "Directory":
        """This directory with ``@destination`` bound to one item's destination users."""
        return Directory({**self.groups, DESTINATION_GROUP: frozenset(users)})

    def users_of(self, assignees: Iterable[str]) -> tuple[str, ...]:
        """The user ids the assignees stand for, groups expanded, in order, each once."""
        users: list[str] = []
        for assignee in assignees:
            if assignee.startswith(GROUP_PREFIX):
                users += sorted(self.groups.get(assignee.removeprefix(GROUP_PREFIX), frozenset()))
            else:
                users.append(assignee)
        return tuple(dict.fromkeys(users))

    def matches(self, assignee: str, user: str) -> bool:
        if assignee.startswith(GROUP_PREFIX):
            return user in self.groups.get(assignee.removeprefix(GROUP_PREFIX), frozenset())
        return assignee == user

    def includes(self, assignees: Iterable[str], user: str) -> bool:
        return any(self.matches(a, user) for a in assignees)

    def unknown_groups(self, assignees: Iterable[str]) -> list[str]:
        groups = [a for a in assignees if a.startswith(GROUP_PREFIX) and a != GROUP_PREFIX]
        return [g for g in groups if not self.has_group(g.removeprefix(GROUP_PREFIX))]


class _UsersDocument(BaseModel):
    # users.yaml is shared with other services, so only `groups` is read and other keys are left to them.
    model_config = ConfigDict(extra="ignore", frozen=True)

    groups: dict[str, list[str]] = {}


def parse_directory(
    users: str | Mapping[str, Any] | None, file: str = "users.yaml"
) -> tuple[Directory, list[ValidationProblem]]:
    """The directory in ``users`` (YAML text or a parsed mapping); empty when there is no file."""
    if users is None:
        return Directory(), []
    try:
        data = parse_yaml(users) if isinstance(users, str) else users
        if data is None:
            return Directory(), []
        document = _UsersDocument.model_validate(data)
    except YamlTextError as error:
        return Directory(), [ValidationProblem(file=file, message=str(error))]
    except ValidationError as error:
        return Directory(), problems_from_pydantic(error, file=file, workflow=None)
    if DESTINATION_GROUP in document.groups:
        message = f"the group name '{DESTINATION_GROUP}' is reserved: @{DESTINATION_GROUP} means the item's client"
        return Directory(), [ValidationProblem(file=file, message=message)]
    return Directory({name: frozenset(members) for name, members in document.groups.items()}), []
