"""The least-privilege table as Kafka ACL bindings, and applying them as the admin: the services' rights from the
topology (shared/topology.py: what each reads and writes, its group), everyone else's from deploy/kafka_acls.yaml.

aiokafka 0.14's admin client has no ``create_acls``; it does carry the protocol's CreateAcls request, which is
what this sends (one request per binding, over the admin's connection: no JVM per principal).
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError, for_code
from aiokafka.protocol.admin import CreateAclsRequest
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from accordeer.operators import configured_operators, principal_of
from accordeer.paths import REPO_ROOT
from shared import topology
from shared.topics import OPERATOR_WRITER, Topics

ACLS_FILE = REPO_ROOT / "deploy" / "kafka_acls.yaml"
AUTHORISATIONS_FILE = REPO_ROOT / "deploy" / "config" / "authorisations.yaml"

# Kafka's wire codes (org.apache.kafka.common.{resource,acl}): resource types, pattern types, operations.
TOPIC, GROUP = 2, 3
LITERAL, PREFIXED = 3, 4
READ, WRITE, DESCRIBE = 3, 4, 8
ALLOW = 3
_OPERATIONS = {
    "read": (TOPIC, READ),
    "write": (TOPIC, WRITE),
    "describe": (TOPIC, DESCRIBE),
    "groups": (GROUP, READ),
    "describe_groups": (GROUP, DESCRIBE),
}


class AclError(RuntimeError):
    """The ACL file is wrong, or the broker refused to store a binding."""


@dataclass(frozen=True, order=True)
class AclBinding:
    """Allow ``principal`` ``operation`` on the topic or group ``name`` (a prefix when ``prefixed``)."""

    principal: str
    resource_type: int
    name: str
    prefixed: bool
    operation: int

    def request(self) -> CreateAclsRequest:
        return CreateAclsRequest(
            self.resource_type,
            self.name,
            PREFIXED if self.prefixed else LITERAL,
            f"User:{self.principal}",
            "*",
            self.operation,
            ALLOW,
        )


def configured_sources(path: Path = AUTHORISATIONS_FILE) -> list[str]:
    """The external sources (deploy/config/authorisations.yaml ``sources:``), each with its own principal."""
    return list(yaml.safe_load(path.read_text()).get("sources") or {})


def principals(sources: list[str], path: Path = ACLS_FILE, operators: list[str] | None = None) -> list[str]:
    """Every principal (one per service, the operator, one per source, one per person at the CLI), without the
    admin. ``operators``: the people's names (by default deploy/config/operators.yaml's)."""
    table = yaml.safe_load(path.read_text())
    people = [principal_of(name) for name in (configured_operators() if operators is None else operators)]
    return sorted({*topology.BY_NAME, *table.get("principals", {}), *sources, *people})


def service_rights() -> dict[str, dict[str, list[str]]]:
    """Each service's rights as the topology has them: read what it consumes and follows, write what it writes,
    join its own consumer group."""
    rights = {
        s.name: {"read": list(s.reads), "write": list(s.produces), "groups": [f"accordeer-{s.name}"]}
        for s in topology.SERVICES
    }
    portal = rights["portal"]
    for kind, names in topology.OPERATOR_PAGE.items():
        portal[kind] = sorted({*portal.get(kind, []), *names})
    return rights


def bindings(
    sources: list[str], prefix: str = "", path: Path = ACLS_FILE, operators: list[str] | None = None
) -> list[AclBinding]:
    """The table as bindings, names prefixed with the topic ``prefix`` (groups too, as Topics.group does).
    Each person at the CLI (``operators``, by default deploy/config/operators.yaml's) gets the operator's rights,
    with its own actions and set-up topics instead of the operator's."""
    table = yaml.safe_load(path.read_text())
    rights: dict[str, list[dict]] = {name: [entry] for name, entry in service_rights().items()}
    for name, entry in (table.get("principals") or {}).items():
        if name in topology.BY_NAME:
            raise AclError(f"{path.name}: {name} is a service; its rights come from shared/topology.py")
        rights.setdefault(name, []).append(entry or {})
    operator = (table.get("principals") or {}).get(OPERATOR_WRITER) or {}
    for person in map(principal_of, configured_operators() if operators is None else operators):
        own = {
            Topics().actions_from(OPERATOR_WRITER): Topics().actions_from(person),
            Topics().setup_from(OPERATOR_WRITER): Topics().setup_from(person),
        }
        rights[person] = [{kind: [own.get(n, n) for n in names]} for kind, names in operator.items()]
    template = table.get("sources") or {}
    for source in sources:
        rights.setdefault(source, []).append(
            {kind: [n.replace("{source}", source) for n in names] for kind, names in template.items()}
        )
    found = set()
    for principal, entries in rights.items():
        for entry in entries:
            unknown = set(entry) - set(_OPERATIONS)
            if unknown:
                raise AclError(
                    f"{path.name}: {principal} has unknown key(s) {', '.join(sorted(unknown))}; "
                    f"known: {', '.join(_OPERATIONS)}"
                )
            for kind, names in entry.items():
                resource_type, operation = _OPERATIONS[kind]
                for name in names:
                    stem = name.removesuffix("*")
                    found.add(AclBinding(principal, resource_type, f"{prefix}{stem}", stem != name, operation))
    return sorted(found)


async def apply_acls(admin: AIOKafkaAdminClient, wanted: list[AclBinding]) -> None:
    """Create every binding (creating one that exists is a no-op for the broker); raise AclError on a refusal."""
    responses = await asyncio.gather(*(admin._send_request(binding.request()) for binding in wanted))
    refused = [
        f"{binding}: {for_code(code).__name__} {message or ''}".strip()
        for binding, response in zip(wanted, responses, strict=True)
        for code, message in response.creation_responses
        if code != 0
    ]
    if refused:
        raise AclError("the broker refused ACL bindings:\n" + "\n".join(refused))


async def grant(
    bootstrap_servers: str,
    admin_options: dict,
    *,
    prefix: str = "",
    sources: list[str] | None = None,
    operators: list[str] | None = None,
    within: float = 60.0,
) -> int:
    """Apply the table for the topic ``prefix`` as the admin (``admin_options``: shared/kafka/security.py's
    client options of the admin principal); returns how many bindings it holds. Retries while the broker
    starts up."""
    wanted = bindings(configured_sources() if sources is None else sources, prefix, operators=operators)
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(within),
        wait=wait_exponential(multiplier=0.2, max=2),
        retry=retry_if_exception_type(KafkaError),
        reraise=True,
    ):
        with attempt:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=bootstrap_servers, client_id="accordeer-acls", **admin_options
            )
            await admin.start()
            try:
                await apply_acls(admin, wanted)
            finally:
                await admin.close()
    return len(wanted)
