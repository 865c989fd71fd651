"""The broker itself refuses what a principal may not do, on a three-node cluster with
SCRAM-SHA-512 and the ACLs of ``simpul_platform.kafka_acls`` (as the dev stack grants them):
a service writing another's topic, reading a topic it does not consume, joining another's
consumer group; a client without credentials or with a wrong password; the external
principal reading a private topic or a dead-letter topic. And a service started as its own
principal works end to end, on topics replicated three times with min.insync.replicas 2."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from referral_calls import KUKAR_DESA, REGISTRAR

from simpul_platform.consumer import Consumer
from simpul_platform.devstack.catalogue import service_specs
from simpul_platform.devstack.kafka import run_async
from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.devstack.kafka_provision import provision
from simpul_platform.events import EventPayload
from simpul_platform.kafka import DEAD_LETTER_PREFIX, ensure_topics
from simpul_platform.kafka_acls import EXTERNAL, public_topics
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.kafka_reader import find_record
from simpul_platform.testing.polling import eventually
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e
REGISTRY_TOPIC = "simpul.registry.v1"
HEALTH_TOPIC = "simpul.health.v1"


class PosyanduDayTally(EventPayload):
    """A test event with aggregate facts only: its topic is public by kafka_acls' rule (no
    Simpul topic is today: each carries a pseudonym somewhere), to show the external
    principal reading one."""

    event_type: ClassVar[str] = "kacl.posyandu_day.tallied.v1"
    topic: ClassVar[str] = "simpul.kacl-public.v1"
    posyandu_id: str
    desa_code: str
    visits: int


@dataclass
class PublicOnlySpec:
    consumers: list[Consumer] = field(default_factory=list)
    published_events: list[type[EventPayload]] = field(default_factory=lambda: [PosyanduDayTally])
    uses_database: bool = False  # no principal of its own: only the topic matters here


@dataclass
class Granted:
    cluster: KafkaCluster
    namespace: str
    specs: dict[str, Any]

    def options(self, principal: str) -> dict[str, Any]:
        return self.cluster.client_options(principal)

    def topic(self, name: str) -> str:
        return self.namespace + name


@pytest.fixture(scope="module")
def cluster(kafka_broker: Any) -> Iterator[KafkaCluster]:
    """The session's broker when it is a secured three-node cluster, else one of our own."""
    managed = kafka_broker.managed
    if managed is not None and len(managed.nodes) == 3 and managed.security != "plaintext":
        yield managed
        return
    with KafkaCluster(3, security="scram", default_partitions=3) as own:
        yield own


@pytest.fixture(scope="module")
def granted(cluster: KafkaCluster) -> Granted:
    specs: dict[str, Any] = {**service_specs(), "kacl": PublicOnlySpec()}
    namespace = f"k{uuid.uuid4().hex[:8]}."
    run_async(provision(cluster.client_options(), specs, namespace, replication=3, min_insync=2))
    return Granted(cluster, namespace, specs)


@pytest.fixture
async def admin_producer(granted: Granted) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(**granted.options("admin"), acks="all")
    await producer.start()
    yield producer
    await producer.stop()


async def produce(granted: Granted, principal: str, topic: str) -> None:
    producer = AIOKafkaProducer(**granted.options(principal), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()


async def read_one(granted: Granted, principal: str, topic: str, group: str | None) -> bytes:
    """The first record of partition 0 of ``topic``, read as ``principal`` in ``group``."""
    consumer = AIOKafkaConsumer(
        **granted.options(principal), group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest",
    )  # fmt: skip
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek(partition, 0)
        record = await asyncio.wait_for(consumer.getone(), timeout=20)
        if group is not None:
            await consumer.commit()  # what a consumer group does, and needs its group for
        value: bytes = record.value
        return value
    finally:
        await consumer.stop()


async def read_refused(granted: Granted, principal: str, topic: str) -> bool:
    """Whether the broker refuses ``principal`` the records of ``topic``: without Describe it
    will not even say the topic exists (clients then only retry their metadata, so ask for
    it directly); with Describe but no Read, the fetch itself is refused."""
    admin = AIOKafkaAdminClient(**granted.options(principal), request_timeout_ms=10000)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described["error_code"] == TopicAuthorizationFailedError.errno:
        return True
    try:
        await read_one(granted, principal, topic, None)
    except TopicAuthorizationFailedError:
        return True
    return False


def other_services_consumer(granted: Granted, service: str) -> Consumer:
    others = [c for name, s in granted.specs.items() if name != service for c in s.consumers]
    return sorted(others, key=lambda c: c.name)[0]


async def test_a_service_writes_its_own_topic_but_not_anothers(granted: Granted) -> None:
    await produce(granted, "simpul-health", granted.topic(HEALTH_TOPIC))
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(granted, "simpul-health", granted.topic(REGISTRY_TOPIC))
    # nor a dead-letter topic of another service's consumer
    dead = DEAD_LETTER_PREFIX + other_services_consumer(granted, "health").name
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(granted, "simpul-health", granted.topic(dead))


async def test_a_service_reads_only_the_topics_it_consumes(
    granted: Granted, admin_producer: AIOKafkaProducer
) -> None:
    health = granted.specs["health"]
    consumed = {t for c in health.consumers for t in c.topics}
    assert REGISTRY_TOPIC in consumed
    await admin_producer.send_and_wait(granted.topic(REGISTRY_TOPIC), b"seen", partition=0)
    assert await read_one(granted, "simpul-health", granted.topic(REGISTRY_TOPIC), None)
    unread = DEAD_LETTER_PREFIX + other_services_consumer(granted, "health").name
    await admin_producer.send_and_wait(granted.topic(unread), b"secret", partition=0)
    assert await read_refused(granted, "simpul-health", granted.topic(unread))
    # a topic it may describe (it writes it) but does not consume: the fetch is refused
    written = {e.topic for e in health.published_events} - consumed
    await admin_producer.send_and_wait(granted.topic(sorted(written)[0]), b"own", partition=0)
    assert await read_refused(granted, "simpul-health", granted.topic(sorted(written)[0]))


async def test_a_service_uses_only_its_own_consumer_groups(
    granted: Granted, admin_producer: AIOKafkaProducer
) -> None:
    topic = granted.topic(REGISTRY_TOPIC)
    await admin_producer.send_and_wait(topic, b"grouped", partition=0)
    (own, *_) = granted.specs["health"].consumers
    assert await read_one(granted, "simpul-health", topic, granted.topic(own.name))
    foreign = granted.topic(other_services_consumer(granted, "health").name)
    with pytest.raises(GroupAuthorizationFailedError):
        await read_one(granted, "simpul-health", topic, foreign)


async def test_a_client_without_valid_credentials_cannot_connect(
    granted: Granted, caplog: pytest.LogCaptureFixture
) -> None:
    anonymous = AIOKafkaProducer(
        bootstrap_servers=granted.cluster.bootstrap_servers, request_timeout_ms=5000
    )
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.stop()
    wrong = {**granted.options("simpul-health"), "sasl_plain_password": "not-the-password"}
    impostor = AIOKafkaProducer(**wrong, request_timeout_ms=5000)
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await impostor.start()
    await impostor.stop()
    # aiokafka reports the broker's answer to each node's handshake, then gives up.
    assert "SaslAuthenticationFailed" in caplog.text


async def test_the_external_principal_reads_public_topics_only(
    granted: Granted, admin_producer: AIOKafkaProducer
) -> None:
    public = PosyanduDayTally.topic
    assert public in public_topics([PosyanduDayTally])
    assert REGISTRY_TOPIC not in public_topics(
        e for s in granted.specs.values() for e in s.published_events
    )
    await admin_producer.send_and_wait(granted.topic(public), b"tally", partition=0)
    group = granted.topic("external.dinkes-provinsi")
    assert await read_one(granted, EXTERNAL, granted.topic(public), group) == b"tally"
    assert await read_refused(granted, EXTERNAL, granted.topic(REGISTRY_TOPIC))
    dead = DEAD_LETTER_PREFIX + other_services_consumer(granted, "kacl").name
    assert await read_refused(granted, EXTERNAL, granted.topic(dead))
    with pytest.raises(GroupAuthorizationFailedError):  # groups only under external.
        await read_one(granted, EXTERNAL, granted.topic(public), granted.topic("health.x"))


async def test_a_topic_on_three_nodes_has_three_replicas_and_two_in_sync(
    cluster: KafkaCluster,
) -> None:
    assert (cluster.replication_factor, cluster.min_insync_replicas) == (3, 2)
    settings = ServiceSettings.model_construct(
        **{**cluster.client_settings("admin"), "kafka_topic_partitions": 2,
           "kafka_replication_factor": 3, "kafka_min_insync_replicas": 2}
    )  # fmt: skip
    topic = f"kacl-{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, [topic])
    admin = AIOKafkaAdminClient(**cluster.client_options(), request_timeout_ms=10000)
    await admin.start()
    try:
        described = await described_when_known(admin, topic)
        (configs,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    assert sorted(len(p["replicas"]) for p in described["partitions"]) == [3, 3]
    entries = {entry[0]: entry[1] for entry in configs.resources[0][4]}
    assert entries["min.insync.replicas"] == "2"


async def test_services_as_their_own_principals_work_end_to_end(
    cluster: KafkaCluster, postgres_server: Any
) -> None:
    stack = Stack(
        cluster.bootstrap_servers, postgres_server, ["registry", "health"],
        {"SIMPUL_LOG_LEVEL": "WARNING"}, kafka=cluster,
    )  # fmt: skip
    try:
        stack.start()
        async with httpx.AsyncClient(timeout=30) as client:
            created = await client.post(
                f"{stack.url('registry')}/v1/posyandu",
                headers=REGISTRAR,
                json={"name": "Posyandu ACL", "desa_code": KUKAR_DESA, "fields": ["health"]},
            )
        assert created.status_code == 201, created.text
        posyandu = created.json()["id"]
        record = await find_record(
            cluster.client_options("simpul-health"),  # health may read what it consumes
            stack.namespace + REGISTRY_TOPIC,
            lambda r: r.key == posyandu.encode(),
        )
        assert dict(record.headers)["ce_type"] == b"registry.posyandu.registered.v1"
        health_db = stack.databases["health"].replace("+asyncpg", "")

        async def replicated() -> int | None:
            conn = await asyncpg.connect(health_db)
            try:
                return await conn.fetchval(  # type: ignore[no-any-return]
                    "SELECT count(*) FROM posyandu_replica WHERE posyandu_id = $1",
                    posyandu,
                )
            finally:
                await conn.close()

        assert await eventually(replicated) == 1
        assert "AuthorizationFailed" not in stack.log("registry") + stack.log("health")
    finally:
        stack.stop()


async def described_when_known(admin: AIOKafkaAdminClient, topic: str) -> Any:
    """The topic as the cluster describes it once its partitions are in the metadata of the
    node asked: a topic just created reaches every node's metadata a moment later."""
    deadline = time.monotonic() + 30
    while True:
        (described,) = await admin.describe_topics([topic])
        if described["partitions"] or time.monotonic() > deadline:
            return described
        await asyncio.sleep(0.2)
