"""The ACL model of simpul_platform.kafka_acls on every service's real spec: each service
writes only its own topic and dead letters, reads what it consumes with its own groups, and
creates nothing; operations replays dead letters; the external principal reads only topics
without a person-level field, which the AsyncAPI document marks."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from simpul_platform.app import ServiceSpec
from simpul_platform.dead_letters import replay_group
from simpul_platform.devstack.catalogue import service_specs
from simpul_platform.devstack.project import project_root
from simpul_platform.events import EventPayload
from simpul_platform.kafka import DEAD_LETTER_PREFIX
from simpul_platform.kafka_acls import (
    EXTERNAL,
    OPERATIONS,
    AclRule,
    all_rules,
    allows,
    personal_fields,
    public_topics,
    service_principal,
    topics_needed,
)

pytestmark = pytest.mark.unit
NS = "t1."


@pytest.fixture(scope="module")
def specs() -> dict[str, ServiceSpec]:
    return service_specs()


@pytest.fixture(scope="module")
def rules(specs: dict[str, ServiceSpec]) -> list[AclRule]:
    return all_rules(specs, NS)


def test_a_service_writes_its_topics_and_dead_letters_reads_what_it_consumes(
    specs: dict[str, ServiceSpec], rules: list[AclRule]
) -> None:
    for name, spec in specs.items():
        user = service_principal(name)
        own = {e.topic for e in spec.published_events}
        for consumer in spec.consumers:
            own.add(DEAD_LETTER_PREFIX + consumer.name)
            assert allows(rules, user, "group", NS + consumer.name, "Read")
            for topic in consumer.topics:
                assert allows(rules, user, "topic", NS + topic, "Read")
                assert allows(rules, user, "topic", NS + topic, "Describe")
        for topic in own:
            assert allows(rules, user, "topic", NS + topic, "Write"), (name, topic)
        for other in topics_needed(specs, NS):
            if other.removeprefix(NS) not in own:
                assert not allows(rules, user, "topic", other, "Write"), (name, other)
        assert not allows(rules, user, "topic", NS + "simpul.health.v1", "Create")


def test_a_service_joins_no_group_but_its_consumers(
    specs: dict[str, ServiceSpec], rules: list[AclRule]
) -> None:
    groups = {c.name: name for name, spec in specs.items() for c in spec.consumers}
    assert all(group.startswith(f"{owner}.") for group, owner in groups.items())
    for group, owner in groups.items():
        for name in specs:
            granted = allows(rules, service_principal(name), "group", NS + group, "Read")
            assert granted == (name == owner), (name, group)


def test_operations_replays_dead_letters_and_writes_them_back(
    specs: dict[str, ServiceSpec], rules: list[AclRule]
) -> None:
    for spec in specs.values():
        for consumer in spec.consumers:
            dead = NS + DEAD_LETTER_PREFIX + consumer.name
            assert allows(rules, OPERATIONS, "topic", dead, "Read")
            assert not allows(rules, OPERATIONS, "topic", dead, "Write")
            assert allows(rules, OPERATIONS, "group", NS + replay_group(consumer.name), "Read")
            assert not allows(rules, OPERATIONS, "group", NS + consumer.name, "Read")
            for topic in consumer.topics:
                assert allows(rules, OPERATIONS, "topic", NS + topic, "Write")


def test_rules_grant_only_read_write_describe_and_never_outside_the_namespace(
    rules: list[AclRule],
) -> None:
    assert {op for rule in rules for op in rule.operations} <= {"Read", "Write", "Describe"}
    assert all(rule.name.startswith(NS) for rule in rules)


class Tally(EventPayload):
    event_type: ClassVar[str] = "x.tally.v1"
    topic: ClassVar[str] = "simpul.x-public.v1"
    posyandu_id: str
    desa_code: str
    visits: int


class Visit(EventPayload):
    event_type: ClassVar[str] = "x.visit.v1"
    topic: ClassVar[str] = "simpul.x-private.v1"
    posyandu_id: str
    rows: list[dict[str, Any]]
    child_id: str


class Nested(EventPayload):
    event_type: ClassVar[str] = "x.nested.v1"
    topic: ClassVar[str] = "simpul.x-public.v1"
    posyandu_id: str
    visit: Visit  # a pseudonym inside a nested model counts too


def test_a_topic_is_public_only_when_no_event_on_it_carries_a_person_level_field() -> None:
    assert personal_fields(Tally) == set()
    assert personal_fields(Visit) == {"child_id"}
    assert public_topics([Tally, Visit]) == {"simpul.x-public.v1"}
    assert public_topics([Tally, Nested]) == set()


def test_no_simpul_topic_is_public_today_and_the_document_says_why(
    specs: dict[str, ServiceSpec], rules: list[AclRule]
) -> None:
    # Every topic carries a pseudonym: the registry's, its kaders' person_ref. The external
    # principal may then only hold groups under external. and read nothing of Simpul's.
    events = [e for spec in specs.values() for e in spec.published_events]
    assert public_topics(events) == set()
    external = [rule for rule in rules if rule.principal == EXTERNAL]
    assert [(r.resource, r.name, r.pattern) for r in external] == [
        ("group", NS + "external.", "prefixed")
    ]
    document = json.loads((project_root() / "docs" / "asyncapi.json").read_text())
    for topic, channel in document["channels"].items():
        assert channel["x-simpul-public"] is False, topic
        assert channel["x-simpul-person-level-fields"], topic
