"""The container image's entry point: one image runs any service, its migrations or its demo.

    python -m simpul_platform.deploy serve health     uvicorn of health's app factory, its port
    python -m simpul_platform.deploy migrate health   health's database to every head, then exit
    python -m simpul_platform.deploy demo health      health's demo loader (extra args passed on)

Names, app factories, ports and demo modules come from ``deploy/services.toml`` (under
``$SIMPUL_ROOT``, ``/app`` in the image), the same table the development start command reads.
``serve`` and ``demo`` replace this process (``exec``), so the container's signals reach uvicorn.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from simpul_platform.devstack.services import ServiceEntry, load_services

ACTIONS = ("serve", "migrate", "demo")
USAGE = f"usage: python -m simpul_platform.deploy {{{','.join(ACTIONS)}}} SERVICE [ARGS...]"


def find_service(name: str, services: Sequence[ServiceEntry]) -> ServiceEntry:
    for entry in services:
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in services)
    raise SystemExit(f"unknown service {name!r}; deploy/services.toml has: {known}")


def serve_command(entry: ServiceEntry, host: str = "0.0.0.0") -> list[str]:
    """uvicorn of the service's app factory on its services.toml port."""
    return [
        sys.executable, "-m", "uvicorn", "--factory", entry.app,
        "--host", host, "--port", str(entry.port), "--no-access-log",
    ]  # fmt: skip


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
    command = serve_command(entry) if action == "serve" else demo_command(entry, extra)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
