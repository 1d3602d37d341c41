"""The PostgreSQL roles: one login role per service with rights on its own schema only, an owner that runs the
migrations and owns every object, and a reader with SELECT on exactly what the operator's views read.

The names are part of a deployment: migration 0018 grants to them, the local stack gives each a password of its
own, and a deployment makes one secret per role. Making them is shared/db/provisioning.py's, the one step that
needs a superuser (or a role that may create roles); nothing of ours connects as one afterwards.
"""

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from shared import topology

OWNER = "accordeer_owner"
"""Owns the schemas and tables and runs the migrations; also the CLI's administration commands."""
READER = "accordeer_reader"
"""SELECT on what the operator page and the CLI's status, history and resend list read, across schemas."""


def service_role(service: str) -> str:
    """The login role of ``service``, whose schema bears the service's name."""
    return f"accordeer_{service}"


SERVICE_ROLES = {service.name: service_role(service.name) for service in topology.SERVICES}
ROLES = (OWNER, READER, *SERVICE_ROLES.values())
MEMBERSHIPS = ((READER, service_role("portal")),)
"""(granted role, member): the portal's operator page reads across schemas as the reader does."""

SCHEMAS = tuple(SERVICE_ROLES)


class RolesMissing(RuntimeError):
    """The database has not got the roles the migrations grant to, and the connected role may not create them."""


def as_role(url: str, role: str, password: str) -> str:
    """``url`` (the same server and database) logging in as ``role`` with ``password``."""
    parts = urlsplit(url)
    where = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{where}"))


def role_of(url: str) -> str:
    """The role ``url`` logs in as ('' when it names none)."""
    return unquote(urlsplit(url).username or "")


def without_password(url: str) -> str:
    """``url`` fit to print: the password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    who, _, where = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{who.partition(':')[0]}:***@{where}"))
