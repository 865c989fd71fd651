"""One node of a ``KafkaCluster``: a JVM running a combined broker and controller, which the
fault runs start, stop, kill, pause and resume."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simpul_platform.devstack.kafka import READY_TIMEOUT_S, signal_group, start_jvm
from simpul_platform.devstack.ports import port_open

if TYPE_CHECKING:
    from simpul_platform.devstack.kafka_cluster import KafkaCluster


class KafkaNode:
    """One JVM: broker and controller. Signals go to its whole process group."""

    def __init__(self, cluster: KafkaCluster, node_id: int, port: int, controller_port: int):
        self.cluster = cluster
        self.node_id = node_id
        self.port = port
        self.controller_port = controller_port
        self.base_dir = cluster.base_dir / f"node-{node_id}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def config_file(self) -> Path:
        return self.base_dir / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "broker.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """The JVM is alive (a paused one too)."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> KafkaNode:
        """Start the JVM (formatted by the cluster); returns at once, see ``wait_listening``."""
        if self.running:
            return self
        command = [*self.cluster.java(self.log_file), "kafka.Kafka", str(self.config_file)]
        self._process = start_jvm(command, self.base_dir / "stdout.log")
        return self

    def wait_listening(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if not self.running:
                raise RuntimeError(f"Kafka node {self.node_id} exited:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kafka node {self.node_id} not listening:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM (a controlled shutdown), then SIGKILL after a grace period."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            signal_group(process.pid, signal.SIGCONT)  # a paused JVM cannot shut down
            signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        signal_group(process.pid, signal.SIGKILL)  # any orphan left in the group

    def terminate(self) -> None:
        """Ask for a controlled shutdown without waiting for it (``stop`` waits)."""
        if self.running and self._process is not None:
            signal_group(self._process.pid, signal.SIGCONT)
            signal_group(self._process.pid, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, as a crash would (fault injection); ``start()`` brings it back."""
        process = self._process
        if process is None:
            return
        self._process = None
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: alive but silent, as a node cut off from the network would seem."""
        if self._process is not None:
            signal_group(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None:
            signal_group(self._process.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text().splitlines()[-lines:])
        except OSError:
            return "(no broker log)"

    def quorum_state(self) -> dict[str, Any]:
        """What this node last wrote of the KRaft quorum (leader id and epoch)."""
        path = self.data_dir / "__cluster_metadata-0" / "quorum-state"
        try:
            state: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        return state
