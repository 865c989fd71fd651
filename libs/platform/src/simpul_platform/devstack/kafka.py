"""Real Apache Kafka (KRaft) from jars resolved from Maven Central: the classpath, the JVM
command, and the readiness probe shared by ``KafkaCluster`` (``devstack/kafka_cluster.py``,
one or three nodes) and ``KafkaBroker`` (its single-node form, kept for its callers).

The machines this runs on have Java 17 and Maven but no Docker and no Kafka package, so the
broker's classpath is resolved with ``mvn`` into an ignored cache once, then each node runs as a
JVM in its own process group so that stopping it never leaves a stray process behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.project import project_root

if TYPE_CHECKING:
    from simpul_platform.devstack.kafka_cluster import KafkaBroker as KafkaBroker

# 4.4.0 is the newest 4.x on Maven Central that passes aiokafka's idempotent producer,
# transactional producer and read_committed consumer against a real broker
# (libs/platform/tests/integration/test_kafka_broker.py).
KAFKA_VERSION = os.environ.get("SIMPUL_KAFKA_VERSION", "4.4.0")
DEFAULT_HEAP_MB = 512
READY_TIMEOUT_S = 90.0


def kafka_classpath(version: str = KAFKA_VERSION) -> Path:
    """Resolve the broker jars (once) and return the folder that holds them."""
    root = project_root()
    libs = root / ".cache" / "kafka" / version / "libs"
    marker = libs.parent / "resolved"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None:
        raise RuntimeError(
            "Maven (mvn) is needed to fetch the Kafka broker jars: apt-get install maven"
        )
    if shutil.which("java") is None:
        raise RuntimeError(
            "Java 17+ is needed to run the Kafka broker: apt-get install openjdk-17-jre"
        )
    print(f"simpul: resolving Apache Kafka {version} from Maven Central ...", file=sys.stderr)
    libs.mkdir(parents=True, exist_ok=True)
    command = [
        "mvn",
        "-B",
        "-q",
        "-f",
        str(root / "deploy" / "kafka" / "pom.xml"),
        f"-Dkafka.version={version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"mvn could not resolve Kafka {version}:\n{result.stdout[-3000:]}")
    marker.write_text(version)
    return libs


def random_cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes, base64url without padding (22 characters).
    import base64

    # Like Kafka's own Uuid.randomUuid(): never start with "-", or the format command takes
    # the id for an option (about one start in 64 failed that way).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def run_async(coro: object) -> None:
    """Run a coroutine to completion even when the caller already has a running event loop."""
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            asyncio.run(coro)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=runner)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def java_command(libs: Path, heap_mb: int, log_file: Path) -> list[str]:
    """The JVM every node and tool runs in: a small heap (three nodes of two test tiers share
    one CI machine), the project's log4j configuration writing to ``log_file``, and only the
    quick (C1) compiler: these brokers live minutes on two cores, and a fresh broker's C2
    compiling was half its CPU under load (a production broker runs its own JVM settings)."""
    return [
        "java",
        "-Xms128m",
        f"-Xmx{heap_mb}m",
        "-XX:+UseG1GC",
        "-XX:TieredStopAtLevel=1",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={project_root() / 'deploy' / 'kafka' / 'log4j2.yaml'}",
        f"-Dsimpul.kafka.log={log_file}",
        "-cp",
        f"{libs}/*",
    ]


def start_jvm(command: list[str], stdout: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        stdout=stdout.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it kills every child too
        preexec_fn=die_with_parent,  # no orphan if we are killed
    )


def quiet_clients() -> contextlib.AbstractContextManager[None]:
    """Clients log every refused probe while a broker boots; the caller reports the outcome."""

    @contextlib.contextmanager
    def quiet() -> Iterator[None]:
        logger = logging.getLogger("aiokafka")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            logger.setLevel(level)

    return quiet()


async def round_trip(options: dict[str, Any], replication: int = 1, brokers: int = 1) -> None:
    """Ready means every broker is registered, and a record can be produced with acks=all and
    read back by a consumer group (which proves the group coordinator is up, too)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    topic = "__simpul_ready"
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=5000)
    await admin.start()
    try:
        registered = len((await admin.describe_cluster())["brokers"])
        if registered < brokers:
            raise RuntimeError(f"{registered} of {brokers} brokers registered")
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics([NewTopic(topic, 1, replication)])
    finally:
        await admin.close()
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(**options, acks="all", request_timeout_ms=5000)
    await producer.start()
    try:
        metadata = await producer.send_and_wait(topic, marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(**options, group_id="__simpul_ready", enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic, metadata.partition)
        consumer.assign([partition])
        consumer.seek(partition, metadata.offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=10)
        if record.value != marker:
            raise RuntimeError("round trip returned another record")
        await consumer.commit()
    finally:
        await consumer.stop()


def __getattr__(name: str) -> Any:
    # KafkaBroker lives beside KafkaCluster (it is its single-node form); its callers import
    # it from here, as before.
    if name == "KafkaBroker":
        from simpul_platform.devstack.kafka_cluster import KafkaBroker

        return KafkaBroker
    raise AttributeError(name)
