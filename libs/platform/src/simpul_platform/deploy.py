"""The container image's entry point: one image runs any service, its migrations or its demo.

    python -m simpul_platform.deploy serve health     uvicorn of health's app factory, its port
                                                      (role all: API, relay and consumers)
    python -m simpul_platform.deploy api health       the same, role api: the HTTP API only
    python -m simpul_platform.deploy worker health    role worker (relay, consumers; /healthz,
                                                      /readyz, /metrics) on the side port 9102
    python -m simpul_platform.deploy migrate health   health's database to every head, then exit
    python -m simpul_platform.deploy demo health      health's demo loader (extra args passed on)

Names, app factories, ports and demo modules come from ``deploy/services.toml`` (under
``$SIMPUL_ROOT``, ``/app`` in the image), the same table the development start command reads.
``serve``, ``api``, ``worker`` and ``demo`` replace this process (``exec``), so the container's
signals reach uvicorn; the role reaches the app as ``<PREFIX>_ROLE`` (``HEALTH_ROLE=worker``).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from simpul_platform.devstack.services import ProcessRole, ServiceEntry, load_services

ACTIONS = ("serve", "api", "worker", "migrate", "demo")
# The role each uvicorn action runs its service in.
ROLES: dict[str, ProcessRole] = {"serve": "all", "api": "api", "worker": "worker"}
USAGE = f"usage: python -m simpul_platform.deploy {{{','.join(ACTIONS)}}} SERVICE [ARGS...]"


def find_service(name: str, services: Sequence[ServiceEntry]) -> ServiceEntry:
    for entry in services:
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in services)
    raise SystemExit(f"unknown service {name!r}; deploy/services.toml has: {known}")


def serve_command(entry: ServiceEntry, host: str = "0.0.0.0", port: int | None = None) -> list[str]:
    """uvicorn of the service's app factory on its services.toml port (or ``port``)."""
    return [
        sys.executable, "-m", "uvicorn", "--factory", entry.app,
        "--host", host, "--port", str(port or entry.port), "--no-access-log",
    ]  # fmt: skip


def role_process(entry: ServiceEntry, role: ProcessRole) -> tuple[list[str], dict[str, str]]:
    """The command and environment of one process of ``entry`` in ``role``: the API on the
    service's port, the worker on its side port."""
    if role == "worker" and entry.database is None:
        raise SystemExit(
            f"{entry.name} owns no data: it has no worker (relay and consumers); "
            f"run `api {entry.name}` or `serve {entry.name}`"
        )
    port = entry.worker_port if role == "worker" else entry.port
    return serve_command(entry, port=port), {**os.environ, **entry.role_env(role)}


def demo_command(entry: ServiceEntry, extra: Sequence[str] = ()) -> list[str]:
    if entry.demo is None:
        raise SystemExit(f"{entry.name} has no demo in deploy/services.toml")
    return [sys.executable, "-m", entry.demo, *extra]


def migration_target(entry: ServiceEntry) -> tuple[Path, str] | None:
    """The service's migrations folder and database URL, as its app would migrate on start
    (None: a service without a database or without Alembic revisions)."""
    if entry.database is None:
        return None
    module, _, factory = entry.app.partition(":")
    app = getattr(importlib.import_module(module), factory)()
    spec = app.state.spec
    if not spec.uses_database or spec.migrations_dir is None:
        return None
    return spec.migrations_dir, spec.settings.resolved_database_url


def migrate(entry: ServiceEntry) -> None:
    from simpul_platform.migrations import upgrade

    target = migration_target(entry)
    if target is None:
        print(f"{entry.name}: nothing to migrate", file=sys.stderr)
        return
    asyncio.run(upgrade(*target))
    print(f"{entry.name}: migrated to every head", file=sys.stderr)


def main(argv: Sequence[str] | None = None, services: Sequence[ServiceEntry] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] not in ACTIONS:
        raise SystemExit(USAGE)
    action, name, extra = args[0], args[1], args[2:]
    entry = find_service(name, services if services is not None else load_services())
    if action == "migrate":
        migrate(entry)
        return
    if action == "demo":
        command = demo_command(entry, extra)
        os.execv(command[0], command)
        return
    command, env = role_process(entry, ROLES[action])
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
