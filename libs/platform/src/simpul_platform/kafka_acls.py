"""Who may do what on Kafka, derived from the services' own specs, so the broker's ACLs
cannot drift from the code: the dev stack applies these rules (``kafka_acl_admin``), and
deploy/k8s's KafkaUsers are checked against them (tests/unit/test_k8s_kafka.py).

- A service's principal ``simpul-<service>`` writes the topics of the events it publishes
  and the dead-letter topics of its consumers, reads the topics its consumers subscribe to
  with the groups named after them, and creates, deletes or alters nothing.
- ``simpul-operations`` (the DLQ replay command) reads the dead-letter topics with the replay
  groups and writes a letter back to the topic it came from; it cannot write a DLQ.
- ``simpul-external`` (other government systems) reads only the public topics, with groups
  of its own under ``external.``; never a private topic, never a DLQ.

A topic is **public** when none of its events carries a person-level field: a pseudonym
(``*_ref``: person_ref, household_ref, case_ref ...) or the id of a person-level aggregate
(a child, a newborn, a pregnancy). Pseudonyms are keyed but rich in quasi-identifiers joined
with place and date; only aggregate-level facts may leave the platform. The AsyncAPI document
marks each channel with the verdict (``x-simpul-public``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from simpul_platform.consumer import Consumer
from simpul_platform.dead_letters import replay_group
from simpul_platform.events import EventPayload
from simpul_platform.kafka import DEAD_LETTER_PREFIX

Resource = Literal["topic", "group"]
Pattern = Literal["literal", "prefixed"]
Operation = Literal["Read", "Write", "Describe"]

OPERATIONS = "simpul-operations"
EXTERNAL = "simpul-external"
EXTERNAL_GROUP_PREFIX = "external."
PERSON_LEVEL_IDS = frozenset({"child_id", "newborn_id", "pregnancy_id"})


class SpecLike(Protocol):
    """What the rules read of a ``ServiceSpec``."""

    @property
    def consumers(self) -> Sequence[Consumer]: ...
    @property
    def published_events(self) -> Sequence[type[EventPayload]]: ...
    @property
    def uses_database(self) -> bool: ...


@dataclass(frozen=True)
class AclRule:
    """Allow ``principal`` (a SCRAM user name) ``operations`` on a topic or group."""

    principal: str
    resource: Resource
    name: str
    operations: tuple[Operation, ...]
    pattern: Pattern = "literal"

    def matches(self, resource: Resource, name: str) -> bool:
        if resource != self.resource:
            return False
        return name == self.name if self.pattern == "literal" else name.startswith(self.name)


def service_principal(service: str) -> str:
    return f"simpul-{service}"


def _published(spec: SpecLike) -> set[str]:
    return {event.topic for event in spec.published_events}


def _dead_letters(spec: SpecLike) -> set[str]:
    return {DEAD_LETTER_PREFIX + consumer.name for consumer in spec.consumers}


def service_rules(service: str, spec: SpecLike, namespace: str = "") -> list[AclRule]:
    """What ``simpul-<service>`` may do: its relay's writes, its consumers' reads and groups
    and dead letters. Describe everywhere it writes or reads: ``ensure_topics`` lists them."""
    user = service_principal(service)
    writes = _published(spec) | _dead_letters(spec)
    reads = {topic for consumer in spec.consumers for topic in consumer.topics}
    rules = [AclRule(user, "topic", namespace + t, ("Describe", "Write")) for t in sorted(writes)]
    rules += [AclRule(user, "topic", namespace + t, ("Describe", "Read")) for t in sorted(reads)]
    groups = sorted(consumer.name for consumer in spec.consumers)
    rules += [AclRule(user, "group", namespace + g, ("Read",)) for g in groups]
    return rules


def operations_rules(specs: Mapping[str, SpecLike], namespace: str = "") -> list[AclRule]:
    rules: list[AclRule] = []
    for spec in specs.values():
        for consumer in sorted(spec.consumers, key=lambda c: c.name):
            dead = namespace + DEAD_LETTER_PREFIX + consumer.name
            rules.append(AclRule(OPERATIONS, "topic", dead, ("Describe", "Read")))
            rules.append(
                AclRule(OPERATIONS, "group", namespace + replay_group(consumer.name), ("Read",))
            )
            for topic in consumer.topics:  # where a letter goes back to
                rules.append(AclRule(OPERATIONS, "topic", namespace + topic, ("Describe", "Write")))
    return sorted(set(rules), key=lambda r: (r.resource, r.name, r.operations))


def external_rules(specs: Mapping[str, SpecLike], namespace: str = "") -> list[AclRule]:
    public = public_topics(e for spec in specs.values() for e in spec.published_events)
    rules = [
        AclRule(EXTERNAL, "topic", namespace + t, ("Describe", "Read")) for t in sorted(public)
    ]
    group = AclRule(EXTERNAL, "group", namespace + EXTERNAL_GROUP_PREFIX, ("Read",), "prefixed")
    return [*rules, group]


def all_rules(specs: Mapping[str, SpecLike], namespace: str = "") -> list[AclRule]:
    """Every principal's rules under ``namespace`` (empty in production)."""
    rules: list[AclRule] = []
    for service, spec in sorted(specs.items()):
        if spec.uses_database:  # a service without data (the gateway) has no Kafka client
            rules += service_rules(service, spec, namespace)
    return rules + operations_rules(specs, namespace) + external_rules(specs, namespace)


def topics_needed(specs: Mapping[str, SpecLike], namespace: str = "") -> list[str]:
    """Every topic the services publish to, consume or dead-letter into (what a Topic
    Operator, or the dev stack as admin, creates: the services may not)."""
    topics: set[str] = set()
    for spec in specs.values():
        topics |= _published(spec) | _dead_letters(spec)
        topics |= {t for consumer in spec.consumers for t in consumer.topics}
    return sorted(namespace + t for t in topics)


def allows(
    rules: Iterable[AclRule], principal: str, resource: Resource, name: str, operation: str
) -> bool:
    """Whether ``rules`` let ``principal`` do ``operation`` (Read/Write imply Describe)."""
    implied = {operation, "Read", "Write"} if operation == "Describe" else {operation}
    return any(
        rule.principal == principal
        and rule.matches(resource, name)
        and implied & set(rule.operations)
        for rule in rules
    )


def personal_fields(event: type[EventPayload]) -> set[str]:
    """The person-level fields anywhere in the event's payload (nested models included)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in (node.get("properties") or {}).items():
                if name.endswith(("_ref", "_refs")) or name in PERSON_LEVEL_IDS:
                    found.add(name)
                walk(value)
            for key, value in node.items():
                if key != "properties":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(event.model_json_schema())
    return found


def public_topics(events: Iterable[type[EventPayload]]) -> set[str]:
    """The topics none of whose events carries a person-level field."""
    by_topic: dict[str, list[type[EventPayload]]] = {}
    for event in events:
        by_topic.setdefault(event.topic, []).append(event)
    return {t for t, group in by_topic.items() if not any(personal_fields(e) for e in group)}
