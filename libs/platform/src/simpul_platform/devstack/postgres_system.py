"""The machine's own Debian cluster for ``./simpul up --postgres``: started if needed, one role
and one database per service; running it twice changes nothing."""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from urllib.parse import quote

from simpul_platform.devstack.postgres_tools import (
    HOST,
    PG_OS_USER,
    SYSTEM_ROLE,
    _as_pg_user,
    _check,
    _clean_env,
    _Cluster,
    _is_root,
    _list_clusters,
    _psql_binary,
    _quote_ident,
    _quote_literal,
    _run,
    _validate_db_name,
    ensure_postgres_installed,
)

# --------------------------------------------------------------------------- system cluster


def _require_root(action: str) -> None:
    if not _is_root():
        raise RuntimeError(f"{action} needs root; run this command with sudo")


def _ensure_main_cluster(version: str) -> _Cluster:
    """Make sure cluster ``<version>/main`` exists and is running."""
    main = next((c for c in _list_clusters() if (c.version, c.name) == (version, "main")), None)
    if main is None:
        _require_root(f"creating cluster {version}/main")
        _check(_run(["pg_createcluster", version, "main"]), "pg_createcluster")
    if main is None or not main.online:
        _require_root(f"starting cluster {version}/main")
        _check(_run(["pg_ctlcluster", version, "main", "start"]), "pg_ctlcluster start")
    clusters = _list_clusters()
    return next(c for c in clusters if (c.version, c.name) == (version, "main"))


def _admin_psql(bin_dir: Path, port: int, sql: str) -> str:
    """Run SQL (from stdin, so passwords stay out of ``ps``) as the postgres superuser."""
    # Peer auth over the default unix socket: only the postgres OS user gets in.
    cmd = [_psql_binary(bin_dir), "-X", "-q", "-t", "-A", "-p", str(port), "-d", "postgres"]
    cmd += ["-v", "ON_ERROR_STOP=1", "-f", "-"]
    if not _is_root() and _current_user() != PG_OS_USER:
        raise RuntimeError("administering the system cluster needs root (or the postgres user)")
    proc = _run(_as_pg_user(cmd), input_text=sql, cwd=Path("/"))
    return _check(proc, "psql (system cluster)").strip()


def _current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _role_can_log_in(bin_dir: Path, port: int, password: str) -> bool:
    cmd = [_psql_binary(bin_dir), "-X", "-q", "-t", "-A", "-w", "-c", "SELECT 1"]
    cmd += ["-h", HOST, "-p", str(port), "-U", SYSTEM_ROLE, "-d", "postgres"]
    env = {**_clean_env(), "PGPASSWORD": password}
    return _run(cmd, env=env, cwd=Path("/")).returncode == 0


def _ensure_role(bin_dir: Path, port: int, password: str) -> None:
    flags = _admin_psql(
        bin_dir,
        port,
        "SELECT rolcanlogin AND rolcreatedb FROM pg_roles "
        f"WHERE rolname = {_quote_literal(SYSTEM_ROLE)};",
    )
    role = _quote_ident(SYSTEM_ROLE)
    if flags == "":
        _admin_psql(
            bin_dir, port, f"CREATE ROLE {role} LOGIN CREATEDB PASSWORD {_quote_literal(password)};"
        )
        return
    if flags != "t":
        _admin_psql(bin_dir, port, f"ALTER ROLE {role} LOGIN CREATEDB;")
    # Only reset the password when the current one does not work, so a second
    # run is a true no-op.
    if not _role_can_log_in(bin_dir, port, password):
        _admin_psql(bin_dir, port, f"ALTER ROLE {role} PASSWORD {_quote_literal(password)};")


def _ensure_database(bin_dir: Path, port: int, name: str) -> None:
    owner = _admin_psql(
        bin_dir,
        port,
        f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = {_quote_literal(name)};",
    )
    if owner == "":
        _admin_psql(
            bin_dir,
            port,
            f"CREATE DATABASE {_quote_ident(name)} OWNER {_quote_ident(SYSTEM_ROLE)};",
        )
    elif owner != SYSTEM_ROLE:
        # PG15's public schema only lets the database owner create tables.
        _admin_psql(
            bin_dir,
            port,
            f"ALTER DATABASE {_quote_ident(name)} OWNER TO {_quote_ident(SYSTEM_ROLE)};",
        )


def setup_system_cluster(databases: list[str], password: str = "simpul") -> str:
    """Prepare the machine's Debian cluster for the whole system; return a URL template.

    Idempotent: a second run with the same arguments changes nothing.  The
    template has a ``{database}`` placeholder for ``str.format``.
    """
    for name in databases:
        _validate_db_name(name)
    bin_dir = ensure_postgres_installed()
    cluster = _ensure_main_cluster(bin_dir.parent.name)
    _ensure_role(bin_dir, cluster.port, password)
    for name in databases:
        _ensure_database(bin_dir, cluster.port, name)
    secret = quote(password, safe="")  # also escapes braces, so str.format stays safe
    return f"postgresql+asyncpg://{SYSTEM_ROLE}:{secret}@{HOST}:{cluster.port}/{{database}}"
