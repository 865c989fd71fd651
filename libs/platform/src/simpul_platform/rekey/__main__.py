"""``python -m simpul_platform.rekey export|apply SERVICE ...`` (see the package's docstring).

Exit status: 0 done; 1 refused (the message says why, nothing written); 2 references no map
knows were found, so nothing was committed (``--allow-unmapped`` commits the rest).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from simpul_platform.app import ServiceSpec
from simpul_platform.db import Database
from simpul_platform.deploy import find_service
from simpul_platform.devstack.services import load_services
from simpul_platform.rekey import declarations, service_tables
from simpul_platform.rekey.maps import MapError, read_maps, write_map
from simpul_platform.rekey.tables import (
    ApplyResult,
    apply_maps,
    export_pairs,
    pending_outbox_rows,
)
from simpul_platform.settings import DEV_PSEUDONYM_SECRET

UNMAPPED = 2


class Refused(Exception):
    """Why nothing was written; the command exits 1 with this message."""


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m simpul_platform.rekey")
    actions = cli.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write old → new references of this service")
    export.add_argument("service")
    export.add_argument(
        "--new-secret-env", required=True, metavar="VAR", help="variable holding the new secret"
    )
    export.add_argument("--out", required=True, type=Path, help="the map file to write")
    apply = actions.add_parser("apply", help="rewrite this service's references")
    apply.add_argument("service")
    apply.add_argument(
        "--map", required=True, action="append", type=Path, dest="maps",
        help="a map from export; repeat it with every service's map",
    )  # fmt: skip
    apply.add_argument(
        "--new-secret-env", required=True, metavar="VAR", help="variable holding the new secret"
    )
    apply.add_argument("--dry-run", action="store_true", help="report, change nothing")
    apply.add_argument(
        "--allow-unmapped", action="store_true", help="commit although some references are unknown"
    )
    return cli


def service_spec(name: str) -> ServiceSpec:
    """The service's spec, from the app factory deploy/services.toml names (its settings read
    from the environment as the service reads them)."""
    entry = find_service(name, load_services())
    if entry.database is None:
        raise SystemExit(f"{name} keeps no data: nothing to re-key")
    module, _, factory = entry.app.partition(":")
    spec: ServiceSpec = getattr(importlib.import_module(module), factory)().state.spec
    return spec


def new_secret(spec: ServiceSpec, variable: str) -> str:
    secret = os.environ.get(variable, "")
    if not secret:
        raise Refused(f"{variable} is not set: it holds the new pseudonym secret")
    if spec.settings.environment != "development" and secret == DEV_PSEUDONYM_SECRET:
        raise Refused(f"{variable}: the development default is refused outside development")
    return secret


async def export(spec: ServiceSpec, variable: str, out: Path) -> int:
    secret = new_secret(spec, variable)
    if secret == spec.settings.pseudonym_secret:
        raise Refused(f"{variable} is the current pseudonym secret, not a new one")
    db = Database(spec.settings.resolved_database_url, pool_size=1)
    try:
        result = await export_pairs(
            db, service_tables(spec), declarations(spec), spec.settings.pseudonym_secret, secret
        )
    finally:
        await db.dispose()
    if result.mismatched:
        for name, rows in sorted(result.mismatched.items()):
            print(f"{name}: {rows} references are not the current secret's", file=sys.stderr)
        raise Refused(
            "refused: the service's pseudonym_secret is not the one its references were made "
            "with (already re-keyed, or the wrong secret set); no map written"
        )
    written = write_map(out, result.pairs)
    print(f"{spec.settings.service_name}: {written} references mapped into {out}")
    return 0


async def apply(
    spec: ServiceSpec, variable: str, maps: Sequence[Path], dry_run: bool, allow_unmapped: bool
) -> int:
    secret = new_secret(spec, variable)
    refs = read_maps(maps)
    db = Database(spec.settings.resolved_database_url, pool_size=1)
    try:
        pending = await pending_outbox_rows(db)
        if pending and not dry_run:
            raise Refused(
                f"refused: {pending} outbox events are not sent yet; let the relay drain them"
            )
        result = await apply_maps(
            db,
            service_tables(spec),
            declarations(spec),
            refs,
            secret,
            dry_run=dry_run,
            allow_unmapped=allow_unmapped,
        )
    finally:
        await db.dispose()
    return _summarise(spec.settings.service_name, result, dry_run, allow_unmapped)


def _summarise(service: str, result: ApplyResult, dry_run: bool, allow_unmapped: bool) -> int:
    """Print rows changed per column and unmapped references; the exit status."""
    verb = "would change" if dry_run else "changed" if result.committed else "did not change"
    print(f"{service}: {verb} {sum(r.rows_changed for r in result.reports)} rows")
    for report in result.reports:
        line = f"  {report.name}: {report.rows_changed} rows"
        if report.unmapped:
            line += f"; {len(report.unmapped)} references unmapped in {report.unmapped_rows} rows"
        print(line)
    if not result.unmapped or allow_unmapped:
        return 0
    print(
        f"{service}: references no map knows (left as they are), so nothing "
        f"{'would be' if dry_run else 'was'} committed: add the missing service's map, or "
        "--allow-unmapped",
        file=sys.stderr,
    )
    return UNMAPPED


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    spec = service_spec(args.service)
    try:
        if args.action == "export":
            return asyncio.run(export(spec, args.new_secret_env, args.out))
        return asyncio.run(
            apply(spec, args.new_secret_env, args.maps, args.dry_run, args.allow_unmapped)
        )
    except (Refused, MapError, ValueError, OSError) as exc:
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
