"""A real single-node Apache Kafka (KRaft) broker, run from jars resolved from Maven Central.

Used by the start command, the pytest fixtures and the benchmarks. The machines this runs on
have Java 17 and Maven but no Docker and no Kafka package, so the broker's classpath is
resolved with ``mvn`` into an ignored cache once, then started as a JVM in its own process
group so that stopping it never leaves a stray process behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.ports import free_port, port_open
from simpul_platform.devstack.project import project_root

# 4.4.0 is the newest 4.x on Maven Central that passes aiokafka's idempotent producer,
# transactional producer and read_committed consumer against a real broker
# (libs/platform/tests/integration/test_kafka_broker.py).
KAFKA_VERSION = os.environ.get("SIMPUL_KAFKA_VERSION", "4.4.0")
DEFAULT_HEAP_MB = 768
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


class KafkaBroker:
    """One KRaft node acting as broker and controller, bound to 127.0.0.1."""

    def __init__(
        self,
        data_dir: Path | None = None,
        port: int | None = None,
        controller_port: int | None = None,
        heap_mb: int = DEFAULT_HEAP_MB,
        version: str = KAFKA_VERSION,
        default_partitions: int = 6,
    ) -> None:
        self._owns_dir = data_dir is None
        self.base_dir = data_dir or Path(tempfile.mkdtemp(prefix="simpul-kafka-"))
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.heap_mb = min(heap_mb, 1024)
        self.version = version
        self.default_partitions = default_partitions
        self._process: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "broker.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = READY_TIMEOUT_S) -> KafkaBroker:
        """Start the node and return once a produce/consume round trip succeeds."""
        if self.running:
            return self
        libs = kafka_classpath(self.version)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        if not (self.base_dir / "data" / "meta.properties").exists():
            self._format(libs, config)
        self._process = subprocess.Popen(
            [*self._java(libs), "kafka.Kafka", str(config)],
            stdout=(self.base_dir / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() kills every child too
            preexec_fn=die_with_parent,  # no orphan if we are killed
        )
        self._wait_ready(timeout)
        return self

    def stop(self) -> None:
        """Stop the JVM's whole process group: SIGTERM, then SIGKILL after a grace period."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        _signal_group(process.pid, signal.SIGKILL)  # any orphan left in the group

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (fault injection); start() brings it back."""
        process = self._process
        if process is None:
            return
        self._process = None
        _signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _java(self, libs: Path) -> list[str]:
        return [
            "java",
            "-Xms256m",
            f"-Xmx{self.heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={project_root() / 'deploy' / 'kafka' / 'log4j2.yaml'}",
            f"-Dsimpul.kafka.log={self.log_file}",
            "-cp",
            f"{libs}/*",
        ]

    def _format(self, libs: Path, config: Path) -> None:
        cluster_id = _random_cluster_id()
        command = [
            *self._java(libs),
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            cluster_id,
            "-c",
            str(config),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Kafka storage format failed:\n{result.stdout}\n{result.stderr}")

    def _write_config(self) -> Path:
        config = self.base_dir / "server.properties"
        config.write_text(_server_properties(self))
        return config

    def _wait_ready(self, timeout: float) -> None:
        # Clients log every refused probe while the broker boots; the outcome is reported here.
        quiet = logging.getLogger("aiokafka")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            self._probe_until_ready(timeout)
        finally:
            quiet.setLevel(level)

    def _probe_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"Kafka exited during start-up; log tail:\n{self._log_tail()}")
            if not port_open(self.port):
                time.sleep(0.2)
                continue
            try:
                _run_async(_round_trip(self.bootstrap_servers))
                return
            except Exception as exc:  # not ready yet: any client error means "try again"
                last_error = exc
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Kafka not ready in {timeout:.0f}s ({last_error}):\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text().splitlines()[-30:])
        except OSError:
            return "(no broker log)"


def _server_properties(broker: KafkaBroker) -> str:
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{broker.controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{broker.port},CONTROLLER://127.0.0.1:{broker.controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{broker.port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(broker.base_dir / "data"),
        "num.partitions": str(broker.default_partitions),
        # Topics are created explicitly by their producers and consumers, never by accident.
        "auto.create.topics.enable": "false",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "6",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "6",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "log.retention.hours": "168",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _random_cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes, base64url without padding (22 characters).
    import base64

    # Like Kafka's own Uuid.randomUuid(): never start with "-", or the format command takes
    # the id for an option (about one start in 64 failed that way).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _run_async(coro: object) -> None:
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


async def _round_trip(bootstrap: str) -> None:
    """Ready means a record can be produced with acks=all and read back by a consumer group."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    topic = "__simpul_ready"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=5000)
    await producer.start()
    try:
        metadata = await producer.send_and_wait(topic, marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id="__simpul_ready", enable_auto_commit=False
    )
    await consumer.start()
    try:
        from aiokafka import TopicPartition

        partition = TopicPartition(topic, metadata.partition)
        consumer.assign([partition])
        consumer.seek(partition, metadata.offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=10)
        if record.value != marker:
            raise RuntimeError("round trip returned another record")
        await consumer.commit()  # proves the group coordinator is up, too
    finally:
        await consumer.stop()
