"""deploy/k8s's Kafka resources against the code: a KafkaTopic for every topic a service
publishes and every consumer's dead-letter topic (so a new event topic or consumer without one
fails here, not in production, where the services cannot create topics), and a KafkaUser per
service whose ACLs let it do exactly what its relay and consumers do, and no more."""

from __future__ import annotations

from typing import Any

import pytest

from simpul_platform.app import ServiceSpec
from simpul_platform.dead_letters import replay_group
from simpul_platform.kafka import DEAD_LETTER_PREFIX
from simpul_platform.kafka_acls import EXTERNAL, all_rules
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

Doc = dict[str, Any]
CLUSTER = "simpul-kafka"
KAFKA_CONFIG = "simpul-kafka"  # the ConfigMap of the clients' Kafka settings


def _kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def _topic_name(topic: Doc) -> str:
    return str(topic["spec"].get("topicName", topic["metadata"]["name"]))


def _published(spec: ServiceSpec) -> set[str]:
    return {event.topic for event in spec.published_events}


def _consumed(spec: ServiceSpec) -> set[str]:
    return {topic for consumer in spec.consumers for topic in consumer.topics}


def _dead_letters(spec: ServiceSpec) -> set[str]:
    return {DEAD_LETTER_PREFIX + consumer.name for consumer in spec.consumers}


OPERATIONS_USER = "simpul-operations"  # the DLQ replay command's, no service's


def _users(docs: list[Doc]) -> dict[str, Doc]:
    """The services' users."""
    users = {u["metadata"]["name"]: u for u in _kind(docs, "KafkaUser")}
    users.pop(OPERATIONS_USER)
    return users


def allows(user: Doc, resource: str, name: str, operation: str) -> bool:
    """Whether one of the user's ACLs grants ``operation`` on the named topic or group."""
    for acl in user["spec"]["authorization"]["acls"]:
        target = acl["resource"]
        if target["type"] != resource or operation not in acl["operations"]:
            continue
        pattern = target.get("patternType", "literal")
        if (pattern == "literal" and target["name"] == name) or (
            pattern == "prefix" and name.startswith(target["name"])
        ):
            return True
    return False


@pytest.fixture(params=["kabupaten", "provinsi"])
def docs(request: pytest.FixtureRequest, k8s_rendered: dict[str, list[Doc]]) -> list[Doc]:
    rendered: list[Doc] = k8s_rendered[request.param]
    return rendered


def test_every_topic_the_code_uses_has_a_kafka_topic_and_no_other(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    declared = {_topic_name(t) for t in _kind(docs, "KafkaTopic")}
    needed: set[str] = set()
    for spec in specs.values():
        needed |= _published(spec) | _consumed(spec) | _dead_letters(spec)
    assert needed - declared == set(), "topics without a KafkaTopic"
    assert declared - needed == set(), "KafkaTopics no service publishes, consumes or dead-letters"


def test_topics_have_the_services_partitions_and_a_retention(docs: list[Doc]) -> None:
    partitions = ServiceSettings.model_fields["kafka_topic_partitions"].default
    for topic in _kind(docs, "KafkaTopic"):
        name = _topic_name(topic)
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == CLUSTER, name
        assert topic["spec"]["partitions"] == partitions, name
        retention = int(topic["spec"]["config"]["retention.ms"])
        days = 30 if name.startswith(DEAD_LETTER_PREFIX) else 7
        assert retention == days * 24 * 3600 * 1000, name


def test_each_service_with_kafka_clients_has_a_scram_user(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    users = _users(docs)
    expected = {f"simpul-{name}" for name, spec in specs.items() if spec.uses_database}
    assert set(users) == expected  # the gateway has no Kafka client, hence no user
    for user in users.values():
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == CLUSTER
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["spec"]["authorization"]["type"] == "simple"


def test_the_operations_user_replays_dead_letters_and_nothing_more(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    (user,) = [u for u in _kind(docs, "KafkaUser") if u["metadata"]["name"] == OPERATIONS_USER]
    for spec in specs.values():
        for consumer in spec.consumers:
            dead = DEAD_LETTER_PREFIX + consumer.name
            assert allows(user, "topic", dead, "Read"), f"cannot read {dead}"
            assert allows(user, "group", replay_group(consumer.name), "Read"), consumer.name
            for topic in consumer.topics:  # where a letter goes back to
                assert allows(user, "topic", topic, "Write"), f"cannot write {topic}"
            assert not allows(user, "topic", dead, "Write"), f"writes {dead}"
            assert not allows(user, "group", consumer.name, "Read"), f"joins {consumer.name}"
    for acl in user["spec"]["authorization"]["acls"]:
        assert not set(acl["operations"]) & {"All", "Create", "Delete", "Alter", "AlterConfigs"}


def test_a_users_acls_cover_what_its_service_produces_and_consumes(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    users = _users(docs)
    for name, spec in specs.items():
        if not spec.uses_database:
            continue
        user = users[f"simpul-{name}"]
        for topic in _published(spec):
            assert allows(user, "topic", topic, "Write"), f"{name} cannot write {topic}"
        for consumer in spec.consumers:
            assert allows(user, "group", consumer.name, "Read"), f"{consumer.name}: group"
            for topic in consumer.topics:
                assert allows(user, "topic", topic, "Read"), f"{consumer.name} cannot read {topic}"
            dead = DEAD_LETTER_PREFIX + consumer.name
            assert allows(user, "topic", dead, "Write"), f"{consumer.name} cannot write {dead}"
        # ensure_topics lists every topic a service produces to or reads, to find it exists.
        for topic in _published(spec) | _consumed(spec) | _dead_letters(spec):
            assert allows(user, "topic", topic, "Describe"), f"{name} cannot describe {topic}"


def test_a_user_writes_only_its_own_topics_and_creates_none(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    for name, user in _users(docs).items():
        service = name.removeprefix("simpul-")
        own = _published(specs[service]) | _dead_letters(specs[service])
        for acl in user["spec"]["authorization"]["acls"]:
            resource, operations = acl["resource"], set(acl["operations"])
            assert resource["type"] in ("topic", "group"), f"{name}: {resource}"
            assert not operations & {"All", "Create", "Delete", "Alter", "AlterConfigs"}, name
            if "Write" in operations:
                written = {t for t in own if allows(user, "topic", t, "Write")}
                assert written, f"{name} writes {resource['name']}, which is not its own"
                if resource.get("patternType") == "prefix":
                    assert resource["name"].startswith(f"{DEAD_LETTER_PREFIX}{service}.")
        for other, spec in specs.items():
            for topic in _published(spec) if other != service else ():
                assert not allows(user, "topic", topic, "Write"), f"{name} writes {topic}"


def test_the_listener_is_tls_with_scram_and_acls_are_enforced(docs: list[Doc]) -> None:
    (kafka,) = _kind(docs, "Kafka")
    assert kafka["metadata"]["name"] == CLUSTER
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    config = next(
        c for c in docs if c["kind"] == "ConfigMap" and c["metadata"]["name"] == KAFKA_CONFIG
    )
    assert config["data"]["SIMPUL_KAFKA_BOOTSTRAP_SERVERS"] == f"{CLUSTER}-kafka-bootstrap:9093"
    assert config["data"]["SIMPUL_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"


def test_each_service_connects_as_its_own_user(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    for name, spec in specs.items():
        if not spec.uses_database:
            continue
        for role in ("api", "worker"):
            deployment = next(
                d for d in _kind(docs, "Deployment") if d["metadata"]["name"] == f"{name}-{role}"
            )
            env = {
                v["name"]: v for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            }
            prefix = spec.settings.model_config.get("env_prefix", "")
            assert env[f"{prefix}KAFKA_SASL_USERNAME"]["value"] == f"simpul-{name}"
            ref = env[f"{prefix}KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": f"simpul-{name}", "key": "password"}


def test_the_kafka_users_grant_every_rule_the_dev_stack_grants(
    docs: list[Doc], specs: dict[str, ServiceSpec]
) -> None:
    """One model: what simpul_platform.kafka_acls derives (and the dev stack's brokers
    enforce) each KafkaUser allows, though with prefixes where the dev stack names each topic
    and group. (The external principal has no KafkaUser yet: no topic is public.)"""
    users = {u["metadata"]["name"]: u for u in _kind(docs, "KafkaUser")}
    for rule in all_rules(specs):
        if rule.principal == EXTERNAL:
            continue
        for operation in rule.operations:
            assert allows(users[rule.principal], rule.resource, rule.name, operation), rule
