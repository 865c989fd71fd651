"""What a Topic Operator and User Operator do on Kubernetes, done by the dev stack as the
admin principal for one topic namespace: create the services' topics (they may not) and
grant the ACLs of ``simpul_platform.kafka_acls``.

aiokafka has no public ACL API; its protocol classes are used with the admin client's
connection (one CreateAcls request per namespace, a few milliseconds), where Kafka's own
``kafka-acls`` tool would start a JVM per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DescribeAclsRequest_v1,
)
from aiokafka.protocol.api import Request

from simpul_platform.kafka_acls import AclRule, SpecLike, all_rules, topics_needed

# Kafka's wire codes (org.apache.kafka.common.resource / acl).
RESOURCE_TYPE = {"topic": 2, "group": 3}
PATTERN_TYPE = {"literal": 3, "prefixed": 4}
OPERATION = {"Read": 3, "Write": 4, "Describe": 8}
ALLOW = 3
ANY_HOST = "*"


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]
    """Several ACLs in one request (aiokafka's CreateAclsRequest carries one)."""

    API_KEY = 30

    def __init__(self, creations: list[tuple[int, str, int, str, str, int, int]]) -> None:
        self._creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


class _DescribeAcls(Request[DescribeAclsRequest_v1]):  # type: ignore[misc]
    API_KEY = 29

    def __init__(self, rule: AclRule) -> None:
        self._rule = rule

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> DescribeAclsRequest_v1:
        rule = self._rule
        return request_struct_class(
            RESOURCE_TYPE[rule.resource], rule.name, PATTERN_TYPE[rule.pattern],
            f"User:{rule.principal}", ANY_HOST, OPERATION[rule.operations[0]], ALLOW,
        )  # fmt: skip


def creations(rules: list[AclRule]) -> list[tuple[int, str, int, str, str, int, int]]:
    return [
        (
            RESOURCE_TYPE[rule.resource],
            rule.name,
            PATTERN_TYPE[rule.pattern],
            f"User:{rule.principal}",
            ANY_HOST,
            OPERATION[operation],
            ALLOW,
        )
        for rule in rules
        for operation in rule.operations
    ]


async def create_acls(admin: AIOKafkaAdminClient, rules: list[AclRule]) -> None:
    """Grant ``rules`` and return once every broker enforces them (ACLs reach the brokers'
    authorizers through the metadata log, a moment after the controller commits them)."""
    if not rules:
        return
    response: Any = await admin._send_request(_CreateAcls(creations(rules)))
    errors = [(code, message) for code, message in response.creation_responses if code]
    if errors:
        raise RuntimeError(f"CreateAcls refused: {errors[:3]}")
    last = rules[-1]  # one request is one metadata batch: the last one there means all are
    deadline = time.monotonic() + 30
    for broker in admin._client.cluster.brokers():
        while not await _has_acl(admin, broker.nodeId, last):
            if time.monotonic() > deadline:
                raise RuntimeError(f"broker {broker.nodeId} does not see the new ACLs")
            await asyncio.sleep(0.05)


async def _has_acl(admin: AIOKafkaAdminClient, node_id: int, rule: AclRule) -> bool:
    response: Any = await admin._send_request(_DescribeAcls(rule), node_id)
    if response.error_code:
        raise RuntimeError(f"DescribeAcls: {response.error_message}")
    return bool(response.resources)


async def provision(
    options: dict[str, Any],
    specs: Mapping[str, SpecLike],
    namespace: str = "",
    *,
    partitions: int = 3,
    replication: int = 1,
    min_insync: int = 1,
) -> list[AclRule]:
    """Create every topic the services use under ``namespace`` and grant the ACLs; ``options``
    connect as a super user. Returns the rules granted."""
    rules = all_rules(specs, namespace)
    configs = {"min.insync.replicas": str(min_insync)} if min_insync > 1 else {}
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(topic, partitions, replication, topic_configs=configs)
            for topic in topics_needed(specs, namespace)
            if topic not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        await create_acls(admin, rules)
    finally:
        await admin.close()
    return rules
