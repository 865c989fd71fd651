"""``./simpul up``: the whole system on one machine — Kafka, every service, the gateway.

SQLite files under .data/ by default; ``--postgres`` sets up the machine's PostgreSQL (one
database per service) instead, ``--database-url-template`` points at an existing server.
Waits until everything is healthy, prints the URLs, and stops everything on Ctrl-C.
One process per service by default; ``--split`` runs each service with a database as an API
process (its port) and a worker process (relay and consumers, on its port + 1000), as deployed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from pydantic import ValidationError

from simpul_platform.devstack.catalogue import service_specs
from simpul_platform.devstack.demo_loading import load_demo
from simpul_platform.devstack.kafka import run_async
from simpul_platform.devstack.kafka_cluster import KafkaBroker, KafkaCluster
from simpul_platform.devstack.kafka_provision import provision
from simpul_platform.devstack.kafka_security import service_principal
from simpul_platform.devstack.population.size import DemoSize
from simpul_platform.devstack.ports import port_open
from simpul_platform.devstack.project import project_root
from simpul_platform.devstack.services import ServiceEntry, ServiceProcess, load_services


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="simpul up", description="Start the whole system.")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="use this machine's PostgreSQL (installed and started if needed)",
    )
    parser.add_argument(
        "--database-url-template",
        default="",
        help="e.g. postgresql+asyncpg://u:p@host:5432/{database}",
    )
    parser.add_argument("--demo", action="store_true", help="load the Kutai Kartanegara demo data")
    parser.add_argument(
        "--demo-balita",
        type=int,
        default=6,
        help="balita per posyandu in the demo (827 posyandu; 6 ≈ 5,000 balita)",
    )
    parser.add_argument(
        "--demo-school-age",
        type=int,
        default=10,
        help="children of 5–18 per posyandu besides the balita (10 ≈ 8,000)",
    )
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument(
        "--kafka-cluster",
        action="store_true",
        help="three Kafka nodes (ports N, N+1, N+2; controllers N+100...), replication 3, "
        "min.insync.replicas 2",
    )
    parser.add_argument(
        "--kafka-security",
        choices=["plaintext", "scram", "scram_tls"],
        default="plaintext",
        help="scram: SASL/SCRAM-SHA-512 and ACLs, each service its own principal "
        "(scram_tls: over TLS with a CA the stack makes)",
    )
    parser.add_argument("--only", action="append", default=[], help="start only these services")
    parser.add_argument(
        "--split",
        action="store_true",
        help="run each service with a database as an API process and a worker process "
        "(relay and consumers; log <name>-worker.log, port + 1000), as deployed",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default: .data/")
    parser.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="added to every service port (run a second stack beside the first)",
    )
    args = parser.parse_args(argv)
    try:
        args.demo_size = DemoSize(
            balita_per_posyandu=args.demo_balita, school_age_per_posyandu=args.demo_school_age
        )
    except ValidationError:
        parser.error("--demo-balita takes 1–200 and --demo-school-age 0–400")
    return args


def _database_template(args: argparse.Namespace, services: list[ServiceEntry]) -> str | None:
    if args.database_url_template:
        return str(args.database_url_template)
    if args.postgres:
        from simpul_platform.devstack.postgres import setup_system_cluster

        return setup_system_cluster([s.database for s in services if s.database])
    return None


def _kafka(args: argparse.Namespace, data: Path) -> KafkaCluster:
    """One node (as always) or three; a data directory per shape and security, since the
    SCRAM users are written when a node's storage is formatted."""
    port, security = args.kafka_port, args.kafka_security
    suffix = "" if security == "plaintext" else f"-{security}"
    if args.kafka_cluster:
        return KafkaCluster(
            3, security=security, data_dir=data / f"kafka-cluster{suffix}",
            ports=[port, port + 1, port + 2],
        )  # fmt: skip
    return KafkaBroker(
        data_dir=data / f"kafka{suffix}", port=port, controller_port=port + 1, security=security
    )


def _kafka_env(entry: ServiceEntry, kafka: KafkaCluster) -> dict[str, str]:
    """The service's own principal's credentials (a service without a database has no
    Kafka client) and the cluster's replication."""
    env = {
        "SIMPUL_KAFKA_REPLICATION_FACTOR": str(kafka.replication_factor),
        "SIMPUL_KAFKA_MIN_INSYNC_REPLICAS": str(kafka.min_insync_replicas),
    }
    if kafka.credentials is not None and entry.database:
        settings = kafka.client_settings(service_principal(entry.name))
        env.update({f"SIMPUL_{key.upper()}": value for key, value in settings.items()})
    return env


def _service_env(
    entry: ServiceEntry, template: str | None, bootstrap: str, data: Path, offset: int
) -> dict[str, str]:
    env: dict[str, str] = {}
    if entry.database:
        env[f"{entry.env_prefix}_DATABASE_URL"] = (
            template.format(database=entry.database)
            if template
            else f"sqlite+aiosqlite:///{data / entry.database}.db"
        )
    # Each service can find the others (the gateway fans out to them, a field service confirms
    # a posyandu its replica lacks with the registry: registry_url): SIMPUL_<NAME>_URL.
    peers = {
        f"SIMPUL_{peer.name.replace('-', '_').upper()}_URL": f"http://127.0.0.1:{peer.port + offset}"  # noqa: E501
        for peer in load_services()
    }
    return {
        **env,
        "SIMPUL_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SIMPUL_ROOT": str(project_root()),
        **peers,
    }


def _load_demo(processes: list[ServiceProcess], size: DemoSize, stop: threading.Event) -> bool:
    """Every service's demo loader, side by side where ``demo_after`` allows, then the
    follow-up steps; a stop request (Ctrl-C, SIGTERM) ends it (False)."""
    print("Loading the demo data (each field's progress below) ...", flush=True)
    sizes = {
        "SIMPUL_DEMO_BALITA_PER_POSYANDU": str(size.balita_per_posyandu),
        "SIMPUL_DEMO_SCHOOL_AGE_PER_POSYANDU": str(size.school_age_per_posyandu),
    }
    return load_demo(processes, sizes, stop)


def _processes(
    entry: ServiceEntry, env: dict[str, str], data: Path, args: argparse.Namespace
) -> list[ServiceProcess]:
    """One process for the service (role all), or with --split an API and a worker. The API
    migrates the database and the worker, started once it is up, does not: SQLite has no
    advisory lock to make two concurrent upgrades safe."""
    logs, offset = data / "logs", args.port_offset
    if not (args.split and entry.database):
        return [ServiceProcess(entry, env, logs, port=entry.port + offset)]
    worker_env = {**env, f"{entry.env_prefix}_MIGRATE_ON_START": "false"}
    return [
        ServiceProcess(entry, env, logs, port=entry.port + offset, role="api"),
        ServiceProcess(entry, worker_env, logs, port=entry.worker_port + offset, role="worker"),
    ]


def _print_ready(broker: KafkaCluster, processes: list[ServiceProcess], data: Path) -> None:
    print("\nSimpul is up.")
    print(f"  kafka        {broker.bootstrap_servers}   (logs: {broker.base_dir}/node-*/)")
    if broker.credentials is not None:
        print(f"  kafka users  {broker.base_dir / 'credentials.json'}   (SCRAM-SHA-512; admin)")
    for process in processes:
        page = "/readyz" if process.role == "worker" else "/docs"
        print(f"  {process.label:<19} {process.url}{page}   (log: {process.log_file})")
    gateway = next((p for p in processes if p.entry.name == "gateway"), None)
    if gateway is not None:
        print(f"\nThe DPMD dashboard: {gateway.url}/dashboard   (sign in: the development form)")
    print("\nA development token for DPMD of Kutai Kartanegara:")
    print("  uv run simpul-token --role dpmd --wilayah 64.02")
    print(f"Data: {data}.  Ctrl-C stops everything.", flush=True)


def up(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    data = (args.data_dir or project_root() / ".data").resolve()
    data.mkdir(parents=True, exist_ok=True)
    services = [s for s in load_services() if not args.only or s.name in args.only]
    broker = _kafka(args, data)
    taken = [n.port for n in broker.nodes if port_open(n.port) or port_open(n.controller_port)]
    if taken:
        print(
            f"port {taken[0]} is taken; stop what runs there or pass --kafka-port", file=sys.stderr
        )
        return 1
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    processes: list[ServiceProcess] = []
    try:
        print(f"Starting Kafka on {broker.bootstrap_servers} ...", flush=True)
        broker.start()
        if broker.credentials is not None:  # the services may not create topics: as on k8s
            run_async(provision(broker.client_options(), service_specs(), "",
                                replication=broker.replication_factor,
                                min_insync=broker.min_insync_replicas))  # fmt: skip
        template = _database_template(args, services)
        workers: list[ServiceProcess] = []
        for entry in services:
            env = _service_env(entry, template, broker.bootstrap_servers, data, args.port_offset)
            env.update(_kafka_env(entry, broker))
            first, *later = _processes(entry, env, data, args)
            processes.append(first.start())
            workers += later
        for process in processes:
            process.wait_healthy()
        for process in workers:  # after their APIs, which migrated the databases
            processes.append(process.start())
        for process in workers:
            process.wait_healthy()
        if args.demo and not _load_demo(processes, args.demo_size, stop):
            print("\nStopping ...", flush=True)
            return 0
        _print_ready(broker, processes, data)
        stop.wait()
        print("\nStopping ...", flush=True)
        return 0
    except Exception as exc:
        print(f"simpul up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for process in reversed(processes):
            process.stop()
        broker.stop()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "up":
        raise SystemExit("usage: simpul-stack up [--postgres] [--demo] [--split] [--kafka-port N]")
    raise SystemExit(up(args[1:]))


if __name__ == "__main__":
    main()
