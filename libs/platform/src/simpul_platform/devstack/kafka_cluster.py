"""A KRaft cluster of one or three combined broker+controller nodes on 127.0.0.1, run from
the Maven-resolved jars (``devstack/kafka.py``), for the start command, the pytest fixtures,
the benchmarks and the fault runs.

With three nodes Simpul's topics and Kafka's internal ones (consumer offsets, transaction
state) have three replicas and ``min.insync.replicas=2``: one node may be killed, paused or
restarted without a write acknowledged with ``acks=all`` being lost. ``security`` adds SCRAM
authentication and ACLs (``devstack/kafka_security.py``).
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from simpul_platform.devstack.kafka import (
    DEFAULT_HEAP_MB,
    KAFKA_VERSION,
    READY_TIMEOUT_S,
    java_command,
    kafka_classpath,
    quiet_clients,
    random_cluster_id,
    round_trip,
    run_async,
)
from simpul_platform.devstack.kafka_node import KafkaNode
from simpul_platform.devstack.kafka_security import (
    ADMIN,
    MECHANISM,
    Credentials,
    Security,
    default_principals,
    listener_properties,
    make_certificates,
)
from simpul_platform.devstack.ports import free_port


class KafkaCluster:
    """``nodes`` combined broker+controller nodes; ``start()`` returns once every broker is
    registered and a produce/consume round trip with ``acks=all`` succeeds."""

    def __init__(
        self,
        nodes: int = 3,
        *,
        security: Security = "plaintext",
        data_dir: Path | None = None,
        default_partitions: int = 6,
        ports: list[int] | None = None,
        heap_mb: int = DEFAULT_HEAP_MB,
        version: str = KAFKA_VERSION,
        principals: list[str] | None = None,
    ) -> None:
        """``ports``: the client ports (default free ones); node i's controller listens on
        its client port + 100 when ports are given (the start command's fixed ports)."""
        self._owns_dir = data_dir is None
        self.base_dir = data_dir or Path(tempfile.mkdtemp(prefix="simpul-kafka-"))
        self.security: Security = security
        self.default_partitions = default_partitions
        self.heap_mb = min(heap_mb, 1024)
        self.version = version
        self.replication_factor = 3 if nodes >= 3 else 1
        self.min_insync_replicas = 2 if nodes >= 3 else 1
        self.credentials = (
            None if security == "plaintext" else Credentials(principals or default_principals())
        )
        if self.credentials is not None and not self._owns_dir:
            self.credentials.keep_in(self.base_dir / "credentials.json")
        self.ca_file: Path | None = None
        client_ports = ports or [free_port() for _ in range(nodes)]
        controller_ports = (
            [p + 100 for p in ports] if ports else [free_port() for _ in range(nodes)]
        )
        self.nodes = [
            KafkaNode(self, i + 1, client_ports[i], controller_ports[i]) for i in range(nodes)
        ]
        atexit.register(self.close)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    @property
    def running(self) -> bool:
        return all(node.running for node in self.nodes)

    def node(self, node_id: int) -> KafkaNode:
        return next(n for n in self.nodes if n.node_id == node_id)

    def java(self, log_file: Path) -> list[str]:
        return java_command(kafka_classpath(self.version), self.heap_mb, log_file)

    def start(self, timeout: float = READY_TIMEOUT_S) -> KafkaCluster:
        """Format (the first time), start every node, and wait until the cluster serves."""
        if self.security == "scram_tls" and self.ca_file is None:
            self.ca_file = make_certificates(self.base_dir / "tls")
        cluster_id = random_cluster_id()
        unformatted = []
        for node in self.nodes:
            node.base_dir.mkdir(parents=True, exist_ok=True)
            node.config_file.write_text(self._properties(node))
            if not (node.data_dir / "meta.properties").exists():
                unformatted.append(node)
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda n: self._format(n, cluster_id), unformatted))
        for node in self.nodes:
            node.start()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until every running node is registered and a round trip succeeds."""
        deadline = time.monotonic() + timeout
        running = [n for n in self.nodes if n.running]
        for node in running:
            node.wait_listening(max(1.0, deadline - time.monotonic()))
        replication = min(self.replication_factor, len(running))
        last_error: BaseException | None = None
        with quiet_clients():
            while time.monotonic() < deadline:
                dead = [n for n in running if not n.running]
                if dead:
                    raise RuntimeError(f"Kafka node exited:\n{dead[0].log_tail()}")
                try:
                    options = self.client_options()
                    run_async(round_trip(options, replication, brokers=len(running)))
                    return
                except Exception as exc:  # not ready yet: any client error means "again"
                    last_error = exc
                    time.sleep(0.5)
        tail = running[0].log_tail() if running else ""
        raise RuntimeError(f"Kafka not ready in {timeout:.0f}s ({last_error}):\n{tail}")

    def stop(self) -> None:
        """Stop every node; no threads, since this also runs at interpreter exit."""
        for node in self.nodes:
            node.terminate()  # all shut down at once, then each is waited for
        for node in self.nodes:
            node.stop()

    def kill(self) -> None:
        """SIGKILL every node at once, as a power cut would; ``start()`` brings them back."""
        for node in self.nodes:
            node.kill()

    def close(self) -> None:
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> KafkaCluster:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def client_settings(self, principal: str = ADMIN) -> dict[str, str]:
        """``ServiceSettings`` fields that connect as ``principal`` (env: ``SIMPUL_`` + upper)."""
        values = {"kafka_bootstrap_servers": self.bootstrap_servers}
        if self.credentials is None:
            return {**values, "kafka_security_protocol": "PLAINTEXT"}
        tls = self.security == "scram_tls"
        return {
            **values,
            "kafka_security_protocol": "SASL_SSL" if tls else "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": MECHANISM,
            "kafka_sasl_username": principal,
            "kafka_sasl_password": self.credentials.password(principal),
            "kafka_ssl_cafile": str(self.ca_file) if tls and self.ca_file else "",
        }

    def client_options(self, principal: str = ADMIN) -> dict[str, Any]:
        """aiokafka client keyword arguments that connect as ``principal``."""
        from simpul_platform.kafka import connection_options
        from simpul_platform.settings import ServiceSettings

        # Built without validation or the environment: only the connection fields matter.
        fields: dict[str, Any] = dict(self.client_settings(principal))
        settings = ServiceSettings.model_construct(**fields)
        return connection_options(settings)

    async def leader_of(self, topic: str, partition: int) -> int:
        """The node id of the partition's leader, as the cluster's metadata says now."""
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(**self.client_options(), request_timeout_ms=10000)
        await admin.start()
        try:
            (described,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
        for entry in described["partitions"]:
            if entry["partition"] == partition:
                return int(entry["leader"])
        raise LookupError(f"{topic} has no partition {partition}")

    async def active_controller(self) -> int:
        """The node id of the active KRaft controller: the leader of the newest epoch any
        running node has recorded (the Metadata API names a random broker in KRaft)."""
        deadline = time.monotonic() + 30
        while True:
            states = [n.quorum_state() for n in self.nodes if n.running]
            known = [s for s in states if s.get("leaderId", -1) >= 0]
            if known:
                newest = max(known, key=lambda s: int(s.get("leaderEpoch", -1)))
                return int(newest["leaderId"])
            if time.monotonic() > deadline:
                raise RuntimeError("no node knows the active controller")
            await asyncio.sleep(0.2)

    def _format(self, node: KafkaNode, cluster_id: str) -> None:
        scram = self.credentials.format_arguments() if self.credentials else []
        command = [
            *self.java(node.base_dir / "format.log"),
            "kafka.tools.StorageTool",
            "format",
            *(["--standalone"] if len(self.nodes) == 1 else []),
            "-t",
            cluster_id,
            "-c",
            str(node.config_file),
            *scram,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"Kafka storage format failed:\n{result.stdout}\n{result.stderr}")

    def _properties(self, node: KafkaNode) -> str:
        replicas, isr = str(self.replication_factor), str(self.min_insync_replicas)
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        # One node: a standalone dynamic quorum, as the single broker always had (so a kept
        # .data/kafka still starts); several: a static quorum every node knows from its file.
        quorum = (
            {"controller.quorum.bootstrap.servers": f"127.0.0.1:{node.controller_port}"}
            if len(self.nodes) == 1
            else {"controller.quorum.voters": voters}
        )
        settings = {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            **quorum,
            "listeners": f"CLIENT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": f"CLIENT://127.0.0.1:{node.port}",
            "controller.listener.names": "CONTROLLER",
            **listener_properties(self.security, self.credentials, self.base_dir / "tls"),
            "log.dirs": str(node.data_dir),
            "num.partitions": str(self.default_partitions),
            # Topics are created explicitly by their producers and consumers, never by accident.
            "auto.create.topics.enable": "false",
            "default.replication.factor": replicas,
            "min.insync.replicas": isr,
            "offsets.topic.replication.factor": replicas,
            "offsets.topic.num.partitions": "6",
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": isr,
            "transaction.state.log.num.partitions": "6",
            "share.coordinator.state.topic.replication.factor": replicas,
            "share.coordinator.state.topic.min.isr": isr,
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "log.retention.hours": "168",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())


class KafkaBroker(KafkaCluster):
    """The single node the start command, the fixtures and the benchmarks have always used:
    ``port`` and ``controller_port`` may be fixed; ``kill()``/``start()`` break and mend it."""

    def __init__(
        self,
        data_dir: Path | None = None,
        port: int | None = None,
        controller_port: int | None = None,
        heap_mb: int = DEFAULT_HEAP_MB,
        version: str = KAFKA_VERSION,
        default_partitions: int = 6,
        security: Security = "plaintext",
    ) -> None:
        super().__init__(
            1,
            security=security,
            data_dir=data_dir,
            default_partitions=default_partitions,
            heap_mb=heap_mb,
            version=version,
        )
        node = self.nodes[0]
        node.port = port or node.port
        node.controller_port = controller_port or node.controller_port
        node.base_dir = self.base_dir  # the layout the single broker always had

    @property
    def port(self) -> int:
        return self.nodes[0].port

    @property
    def controller_port(self) -> int:
        return self.nodes[0].controller_port

    @property
    def log_file(self) -> Path:
        return self.nodes[0].log_file

    def start(self, timeout: float = READY_TIMEOUT_S) -> KafkaBroker:
        if self.running:
            return self
        super().start(timeout)
        return self
