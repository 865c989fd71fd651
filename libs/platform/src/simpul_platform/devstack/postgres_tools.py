"""PostgreSQL binaries, installation and the small helpers the server and the system-cluster
set-up share. PostgreSQL refuses to run as root, so whenever we are root every server-side
command (initdb, postgres, pg_ctl, admin psql) runs as the ``postgres`` OS user through
``runuser``; client commands (psql, pg_isready) connect over TCP with trust auth.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PG_LIB_ROOT = Path("/usr/lib/postgresql")
PG_OS_USER = "postgres"
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
SYSTEM_ROLE = "simpul"

_DB_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres", "pg_isready")
# Unix socket paths are limited to 108 bytes; the file name adds ".s.PGSQL.NNNNN".
_MAX_SOCKET_DIR_LEN = 90
# A throwaway cluster: durability is worthless, speed is everything.
_SERVER_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "128MB",
    "logging_collector": "off",
}


# --------------------------------------------------------------------------- helpers


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_pg_user(cmd: Sequence[str]) -> list[str]:
    """Prefix ``cmd`` so it runs as the postgres OS user when we are root."""
    if not _is_root():
        return list(cmd)
    return ["runuser", "-u", PG_OS_USER, "--", *cmd]


def _clean_env() -> dict[str, str]:
    # Stray PGHOST/PGOPTIONS/PGSSLMODE/... from the caller's shell must not
    # redirect or alter our connections; everything is passed explicitly.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_MESSAGES"] = "C"  # error text we match on ("already exists") stays English
    return env


def _run(
    cmd: Sequence[str],
    *,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing output; never raises on a non-zero exit."""
    return subprocess.run(
        list(cmd),
        input=input_text,
        capture_output=True,
        text=True,
        env=env if env is not None else _clean_env(),
        cwd=cwd,
        check=False,
    )


def _check(proc: subprocess.CompletedProcess[str], what: str) -> str:
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {detail}")
    return proc.stdout


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    # standard_conforming_strings is on by default, so only quotes need doubling.
    return "'" + value.replace("'", "''") + "'"


def _validate_db_name(name: str) -> str:
    if not _DB_NAME_RE.fullmatch(name):
        raise ValueError(f"invalid database name {name!r}: must match {_DB_NAME_RE.pattern}")
    return name


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(path: Path, lines: int = 30, offset: int = 0) -> str:
    try:
        with path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


# --------------------------------------------------------------------------- installation


def _installed_bin_dir() -> Path | None:
    """Bin dir of the newest complete PostgreSQL server install, if any."""
    candidates: list[tuple[int, Path]] = []
    if PG_LIB_ROOT.is_dir():
        for entry in PG_LIB_ROOT.iterdir():
            bin_dir = entry / "bin"
            if entry.name.isdigit() and all((bin_dir / b).exists() for b in _SERVER_BINARIES):
                candidates.append((int(entry.name), bin_dir))
    return max(candidates)[1] if candidates else None


def _apt_install_postgresql() -> None:
    if not _is_root():
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. "
            "Install Debian's server package first: "
            "sudo apt-get install --no-install-recommends postgresql"
        )
    if shutil.which("apt-get") is None:
        raise RuntimeError("PostgreSQL is not installed and apt-get is not available")
    print("simpul: installing PostgreSQL with apt-get (one-time) ...", file=sys.stderr)
    env = {**_clean_env(), "DEBIAN_FRONTEND": "noninteractive"}
    _check(_run(["apt-get", "update"], env=env), "apt-get update")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    _check(_run(install, env=env), "apt-get install postgresql")
    # Without a policy-rc.d blocking it, the package's postinst starts the main
    # cluster; installing must not leave a server running behind our back.
    for cluster in _list_clusters():
        if cluster.online:
            _run(["pg_ctlcluster", cluster.version, cluster.name, "stop"])


def ensure_postgres_installed() -> Path:
    """Return the newest installed server bin dir, apt-installing PostgreSQL if needed."""
    bin_dir = _installed_bin_dir()
    if bin_dir is not None:
        return bin_dir
    _apt_install_postgresql()
    bin_dir = _installed_bin_dir()
    if bin_dir is None:
        raise RuntimeError("apt-get installed postgresql but no server bin dir appeared")
    return bin_dir


def _psql_binary(bin_dir: Path) -> str:
    local = bin_dir / "psql"
    return str(local) if local.exists() else "/usr/bin/psql"


class _Cluster:
    def __init__(self, fields: list[str]) -> None:
        self.version, self.name, self.port_text, self.status = fields[:4]

    @property
    def online(self) -> bool:
        return self.status.startswith("online")

    @property
    def port(self) -> int:
        return int(self.port_text)


def _list_clusters() -> list[_Cluster]:
    if shutil.which("pg_lsclusters") is None:
        return []
    out = _check(_run(["pg_lsclusters", "--no-header"]), "pg_lsclusters")
    return [_Cluster(line.split()) for line in out.splitlines() if len(line.split()) >= 4]
