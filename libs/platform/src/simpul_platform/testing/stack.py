"""Several services as real uvicorn processes on the test broker and PostgreSQL.

Each service gets a fresh database and a free port; all share one topic namespace, so they
talk to each other over real topics and real HTTP, exactly as deployed. Used by the e2e tests
and the benchmarks.

A service can also run split, as in production: ``split={"health": Split(apis=2, workers=2)}``
starts API replicas ``health-api-1``, ``health-api-2`` and workers ``health-worker-1``,
``health-worker-2`` (keys of ``processes``), all on one database; ``url("health")`` is the
first API, the one other services are told of, and ``urls("health", "worker")`` lists them all.
"""

from __future__ import annotations

import functools
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.devstack.kafka_security import service_principal
from simpul_platform.devstack.ports import free_port
from simpul_platform.devstack.services import (
    ProcessRole,
    ServiceEntry,
    ServiceProcess,
    load_services,
)

TEST_JWT_SECRET = "simpul-test-jwt-secret-0123456789abcdef"
TEST_PSEUDONYM_SECRET = "simpul-test-pseudonym-secret"
# A deployment's sealing key for confidential identities (trantib's reporters): 32 bytes, base64.
TEST_REPORTER_KEY = "c2ltcHVsLXRlc3QtcmVwb3J0ZXIta2V5LTMyYnl0ZXM="


@functools.cache
def _service_specs() -> dict[str, Any]:
    """Every service's spec (building each app once per process is enough)."""
    from simpul_platform.devstack.catalogue import service_specs

    return dict(service_specs())


@dataclass(frozen=True)
class Split:
    """How many API and worker processes a split service runs."""

    apis: int = 1
    workers: int = 1


class Stack:
    def __init__(
        self,
        bootstrap_servers: str,
        postgres: Any,
        names: list[str],
        extra_env: dict[str, str] | None = None,
        split: dict[str, Split] | None = None,
        *,
        kafka: KafkaCluster | None = None,
    ) -> None:
        """``kafka``: the cluster the fixtures started, if any: its replicas are the topics',
        and when it authenticates, the stack's topics and ACLs are made before the services
        start, each service connecting as its own principal (as on Kubernetes)."""
        entries = {entry.name: entry for entry in load_services()}
        self.entries = [entries[name] for name in names]
        # A service left out of the stack is not deployed: its URL is empty (the gateway shows
        # it not_available), never its default port, where a developer's own may be running.
        self.absent = [name for name in entries if name not in names]
        self.bootstrap_servers = bootstrap_servers
        self.postgres = postgres
        self.namespace = f"s{uuid.uuid4().hex[:10]}."
        self.ports = {entry.name: free_port() for entry in self.entries}
        self.log_dir = Path(tempfile.mkdtemp(prefix="simpul-stack-"))
        self.extra_env = extra_env or {}
        self.split = split or {}
        self.processes: dict[str, ServiceProcess] = {}
        self.databases: dict[str, str] = {}
        self.kafka = kafka

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def replicas(self, name: str, role: ProcessRole) -> list[ServiceProcess]:
        """The processes of service ``name`` in ``role`` (``all``: an unsplit service)."""
        return [p for p in self.processes.values() if p.entry.name == name and p.role == role]

    def urls(self, name: str, role: ProcessRole = "api") -> list[str]:
        return [p.url for p in self.replicas(name, role)]

    def env(self, entry: ServiceEntry) -> dict[str, str]:
        env = {
            "SIMPUL_ENVIRONMENT": "test",
            "SIMPUL_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "SIMPUL_KAFKA_TOPIC_NAMESPACE": self.namespace,
            "SIMPUL_KAFKA_TOPIC_PARTITIONS": "3",
            "SIMPUL_JWT_SECRET": TEST_JWT_SECRET,
            "SIMPUL_PSEUDONYM_SECRET": TEST_PSEUDONYM_SECRET,
            "SIMPUL_REPORTER_KEY": TEST_REPORTER_KEY,
            "SIMPUL_RELAY_POLL_INTERVAL_S": "0.05",
            "SIMPUL_RELAY_MAX_BACKOFF_S": "2",
            **{
                f"SIMPUL_{name.replace('-', '_').upper()}_URL": self.url(name)
                for name in self.ports
            },
            **{f"SIMPUL_{name.replace('-', '_').upper()}_URL": "" for name in self.absent},
        }
        env.update(self._kafka_env(entry))
        if entry.database:
            database = f"{entry.name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
            self.databases[entry.name] = self.postgres.create_database(database)
            env[f"{entry.env_prefix}_DATABASE_URL"] = self.databases[entry.name]
        return {**env, **self.extra_env}

    def _kafka_env(self, entry: ServiceEntry) -> dict[str, str]:
        if self.kafka is None:
            return {}
        # A service without a database (the gateway) has no Kafka client, hence no principal.
        secured = self.kafka.credentials is not None and entry.database
        credentials = self.kafka.client_settings(service_principal(entry.name)) if secured else {}
        return {
            **{f"SIMPUL_{key.upper()}": value for key, value in credentials.items()},
            "SIMPUL_KAFKA_REPLICATION_FACTOR": str(self.kafka.replication_factor),
            "SIMPUL_KAFKA_MIN_INSYNC_REPLICAS": str(self.kafka.min_insync_replicas),
        }

    def provision(self) -> None:
        """Create the namespace's topics and grant its ACLs (the services may do neither)."""
        if self.kafka is None or self.kafka.credentials is None:
            return
        from simpul_platform.devstack.kafka import run_async
        from simpul_platform.devstack.kafka_provision import provision

        kafka = self.kafka
        run_async(
            provision(
                kafka.client_options(), _service_specs(), self.namespace, partitions=3,
                replication=kafka.replication_factor, min_insync=kafka.min_insync_replicas,
            )
        )  # fmt: skip

    def start(self, timeout: float = 90.0) -> Stack:
        self.provision()
        for entry in self.entries:
            for process in self._processes(entry, self.env(entry)):
                self.processes[process.label] = process.start()
        with ThreadPoolExecutor(len(self.processes)) as pool:
            list(pool.map(lambda p: p.wait_healthy(timeout), self.processes.values()))
        return self

    def _processes(self, entry: ServiceEntry, env: dict[str, str]) -> list[ServiceProcess]:
        """One process (role all) or, split, the API replicas and the workers, sharing ``env``
        (one database); the first API listens on the port peers are told of."""
        port = self.ports[entry.name]
        split = self.split.get(entry.name)
        if split is None:
            return [ServiceProcess(entry, env, self.log_dir, port=port)]
        apis = [
            ServiceProcess(
                entry, env, self.log_dir, port=port if i == 1 else free_port(), role="api",
                label=f"{entry.name}-api-{i}",
            )
            for i in range(1, split.apis + 1)
        ]  # fmt: skip
        workers = [
            ServiceProcess(
                entry, env, self.log_dir, port=free_port(), role="worker",
                label=f"{entry.name}-worker-{i}",
            )
            for i in range(1, split.workers + 1)
        ]  # fmt: skip
        return apis + workers

    def restart(self, name: str, timeout: float = 90.0) -> None:
        """Start a stopped or killed process (a service, or one process of a split service:
        ``health-worker-1``) again on the same port and database."""
        process = self.processes[name]
        process.stop()
        process.start().wait_healthy(timeout)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def log(self, name: str) -> str:
        return self.processes[name].log_file.read_text(errors="replace")
