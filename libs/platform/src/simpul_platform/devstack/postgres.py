"""Real PostgreSQL (Debian's package) for tests and for the developer stack.

Three entry points:

* ``ensure_postgres_installed()`` finds (or apt-installs) the server binaries.
* ``PostgresServer`` runs a throwaway cluster owned by the current Python process.
* ``setup_system_cluster()`` prepares the machine's Debian ``main`` cluster for
  running the whole system by hand.

PostgreSQL refuses to run as root, so whenever we are root every server-side
command (initdb, postgres, pg_ctl, admin psql) runs as the ``postgres`` OS user
through ``runuser``.  Client commands (psql, pg_isready) connect over TCP with
trust auth, so they can run as whoever we are.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import quote

from simpul_platform.devstack.lifetime import die_with_parent

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


# --------------------------------------------------------------------------- throwaway server


class PostgresServer:
    """A private PostgreSQL cluster on 127.0.0.1, owned by this Python process.

    Data lives in ``base_dir/data`` and is kept when ``base_dir`` is given, so a
    later ``start()`` on the same directory reuses it.  With no ``base_dir`` a
    temp dir is used and removed on ``stop()``.
    """

    def __init__(self, base_dir: Path | None = None, port: int | None = None) -> None:
        self._requested_base_dir = base_dir
        self._requested_port = port
        self._base_dir: Path | None = None
        self._owns_base_dir = False
        self._port: int | None = None
        self._bin_dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._socket_dir: Path | None = None
        self._owns_socket_dir = False
        self._log_offset = 0

    # -- public properties -------------------------------------------------------

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("PostgresServer is not started")
        return self._port

    @property
    def base_dir(self) -> Path:
        if self._base_dir is None:
            raise RuntimeError("PostgresServer is not started")
        return self._base_dir

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def pid(self) -> int | None:
        """PID of the process we launched (runuser when root, else postgres)."""
        return self._proc.pid if self._proc is not None else None

    def url(self, dbname: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{PG_OS_USER}@{self.host}:{self.port}/{dbname}"

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> Self:
        if self._proc is not None:
            return self
        self._bin_dir = ensure_postgres_installed()
        self._prepare_base_dir()
        try:
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            self._launch_with_port_retry()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL) and clean up. Idempotent."""
        atexit.unregister(self.stop)
        if self._proc is not None:
            self._shutdown(self._proc)
            self._proc = None
        self._port = None
        self._remove_owned_dirs()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases --------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create ``name`` unless it exists; return its asyncpg SQLAlchemy URL."""
        _validate_db_name(name)
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = {_quote_literal(name)}")
        if exists.strip() != "1":
            self._create_database_tolerating_race(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        _validate_db_name(name)
        self.psql(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run one SQL command as the postgres superuser; return unaligned output."""
        proc = _run([*self._psql_cmd(dbname), "-c", sql])
        return _check(proc, f"psql {sql!r}")

    # -- internals: setup -------------------------------------------------------

    def _prepare_base_dir(self) -> None:
        if self._requested_base_dir is None:
            self._base_dir = Path(tempfile.mkdtemp(prefix="simpul-pg-"))
            self._owns_base_dir = True
        else:
            self._base_dir = self._requested_base_dir.resolve()
            self._base_dir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            self._hand_base_dir_to_pg_user()
        self._socket_dir = self._pick_socket_dir()

    def _hand_base_dir_to_pg_user(self) -> None:
        try:
            pg = pwd.getpwnam(PG_OS_USER)
        except KeyError as exc:
            raise RuntimeError(f"running as root but there is no {PG_OS_USER!r} OS user") from exc
        os.chown(self.base_dir, pg.pw_uid, pg.pw_gid)
        # A 0700 parent (pytest's /tmp/pytest-of-root, /root) makes the directory
        # unreachable for the postgres user; say so instead of a cryptic initdb error.
        target = str(self.base_dir)
        probe = _run(_as_pg_user(["test", "-w", target, "-a", "-x", target]))
        if probe.returncode != 0:
            raise RuntimeError(
                f"{self.base_dir} is not writable by the {PG_OS_USER!r} OS user "
                "(is a parent directory private to root?); use a directory under /tmp"
            )

    def _pick_socket_dir(self) -> Path:
        if len(str(self.base_dir)) <= _MAX_SOCKET_DIR_LEN:
            return self.base_dir
        # Deep base dirs overflow the unix-socket path limit; use a short private dir.
        short = Path(tempfile.mkdtemp(prefix="simpul-pgs-"))
        if _is_root():
            pg = pwd.getpwnam(PG_OS_USER)
            os.chown(short, pg.pw_uid, pg.pw_gid)
        self._owns_socket_dir = True
        return short

    def _initdb(self) -> None:
        cmd = [
            str(self._bin("initdb")),
            "-D", str(self.data_dir),
            "-U", PG_OS_USER,
            "-E", "UTF8",
            # C.UTF-8 always exists on Debian: byte-order collation (fast and
            # deterministic) while lower()/upper() still understand non-ASCII.
            "--locale=C.UTF-8",
            "--auth=trust",
            "--no-sync",
        ]  # fmt: skip
        _check(_run(_as_pg_user(cmd), cwd=self.base_dir), "initdb")

    # -- internals: launch ------------------------------------------------------

    def _launch_with_port_retry(self) -> None:
        # A port picked by binding can be grabbed by someone else before postgres
        # binds it; retry with a fresh one, but never second-guess an explicit port.
        attempts = 1 if self._requested_port is not None else 3
        for attempt in range(attempts):
            self._port = self._requested_port or _free_port()
            try:
                self._launch()
                return
            except _PortInUseError:
                if attempt == attempts - 1:
                    raise

    def _launch(self) -> None:
        cmd = [str(self._bin("postgres")), "-D", str(self.data_dir)]
        for key, value in self._settings().items():
            cmd += ["-c", f"{key}={value}"]
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            self._proc = subprocess.Popen(
                _as_pg_user(cmd),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.base_dir,
                env=_clean_env(),
                start_new_session=True,  # own process group: stop() can kill it whole
                preexec_fn=die_with_parent,  # no orphan if we are killed
            )
        self._wait_until_ready(self._proc)

    def _settings(self) -> dict[str, str]:
        return {
            "listen_addresses": HOST,
            "port": str(self.port),
            "unix_socket_directories": str(self._socket_dir),
            **_SERVER_SETTINGS,
        }

    def _wait_until_ready(self, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self._proc = None
                self._raise_start_failure(f"postgres exited with code {proc.returncode}")
            if self._accepting_connections():
                return
            time.sleep(0.05)
        self._raise_start_failure(f"postgres not ready after {START_TIMEOUT_S:.0f}s")

    def _accepting_connections(self) -> bool:
        # Probe our own unix socket: a TCP probe could be answered by some other
        # server that already holds the port while ours is failing to bind it.
        cmd = [
            str(self._bin("pg_isready")),
            "-q",
            "-h", str(self._socket_dir),
            "-p", str(self.port),
            "-U", PG_OS_USER,
        ]  # fmt: skip
        return _run(cmd).returncode == 0

    def _raise_start_failure(self, reason: str) -> None:
        # The log is appended to across runs; only this launch's output counts.
        tail = _log_tail(self.log_path, offset=self._log_offset)
        if self._requested_port is None and "Address already in use" in tail:
            raise _PortInUseError(reason)
        raise RuntimeError(f"PostgreSQL failed to start: {reason}. Log {self.log_path}:\n{tail}")

    # -- internals: shutdown ----------------------------------------------------

    def _shutdown(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            stop = [str(self._bin("pg_ctl")), "stop", "-D", str(self.data_dir), "-m", "fast"]
            _run(_as_pg_user([*stop, "-W"]), cwd=self.base_dir)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # Backends share the postmaster's process group, so this takes them too.
            self._kill_group(proc)

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _remove_owned_dirs(self) -> None:
        if self._owns_socket_dir and self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._owns_socket_dir = False
        if self._owns_base_dir and self._base_dir is not None:
            shutil.rmtree(self._base_dir, ignore_errors=True)
            self._owns_base_dir = False
            self._base_dir = None

    # -- internals: psql --------------------------------------------------------

    def _psql_cmd(self, dbname: str) -> list[str]:
        assert self._bin_dir is not None, "server not started"
        return [
            _psql_binary(self._bin_dir),
            "-X",  # ignore ~/.psqlrc
            "-q", "-t", "-A",
            "-h", HOST,
            "-p", str(self.port),
            "-U", PG_OS_USER,
            "-d", dbname,
            "-v", "ON_ERROR_STOP=1",
        ]  # fmt: skip

    def _create_database_tolerating_race(self, name: str) -> None:
        proc = _run([*self._psql_cmd("postgres"), "-c", f"CREATE DATABASE {_quote_ident(name)}"])
        # Parallel test workers may create the same database concurrently.
        if proc.returncode != 0 and "already exists" not in proc.stderr:
            _check(proc, f"CREATE DATABASE {name}")

    def _bin(self, name: str) -> Path:
        assert self._bin_dir is not None, "server not started"
        return self._bin_dir / name


class _PortInUseError(RuntimeError):
    """The auto-picked port was taken between picking and binding."""


# --------------------------------------------------------------------------- system cluster


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


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simpul_platform.devstack.postgres",
        description="Install PostgreSQL or prepare the system cluster for Simpul.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install Debian's postgresql package if missing")
    setup = sub.add_parser("setup", help="start the main cluster, create role and databases")
    setup.add_argument("databases", nargs="+")
    setup.add_argument("--password", default="simpul")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            print(ensure_postgres_installed())
        else:
            print(setup_system_cluster(list(args.databases), password=args.password))
    except (RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
