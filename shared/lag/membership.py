"""Who is in a consumer group: DescribeGroups, read so that it works with the Kafka 4 brokers we run.

aiokafka 0.14's ``describe_consumer_groups`` negotiates DescribeGroups v3 or
later but decodes the answer with the v2 schema, which fails on the extra
field ("Buffer underrun decoding string"). This request offers only v0-v2,
whose answers carry everything needed here: the state, the members and their
assignments.
"""

from dataclasses import dataclass, field
from typing import TypeAlias

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import for_code
from aiokafka.protocol.admin import DescribeGroupsRequest_v0, DescribeGroupsRequest_v1, DescribeGroupsRequest_v2
from aiokafka.protocol.api import Request

_DescribeGroupsRequest: TypeAlias = DescribeGroupsRequest_v0 | DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2


class _DescribeGroups(Request[_DescribeGroupsRequest]):
    API_KEY = 15

    def __init__(self, groups: list[str]):
        self.groups = groups

    def build(self, request_struct_class: type[_DescribeGroupsRequest]) -> _DescribeGroupsRequest:
        return request_struct_class(self.groups)


@dataclass(frozen=True)
class Membership:
    state: str
    """Stable, PreparingRebalance, CompletingRebalance, Empty or Dead (never seen)."""
    members: int
    owners: dict[tuple[str, int], str] = field(default_factory=dict)
    """(topic, partition) → "client_id@host" of the member it is assigned to (filled when Stable)."""


async def describe_group(admin: AIOKafkaAdminClient, group: str) -> Membership:
    coordinator = await admin.find_coordinator(group)
    # The admin client has no public way to send a request of our own; this is the one it uses itself.
    response = await admin._client.send(coordinator, _DescribeGroups([group]))
    [(error_code, _, state, protocol_type, _, members)] = response.groups
    if error_code:
        raise for_code(error_code)(f"describing consumer group {group}")
    owners = {}
    for _member_id, client_id, client_host, _metadata, assignment in members:
        if protocol_type == "consumer" and assignment:
            for tp in ConsumerProtocolMemberAssignment.decode(assignment).partitions():
                owners[(tp.topic, tp.partition)] = f"{client_id}@{client_host.lstrip('/')}"
    return Membership(state=state, members=len(members), owners=owners)
