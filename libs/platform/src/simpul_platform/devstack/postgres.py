"""Real PostgreSQL (Debian's package) for tests and for the developer stack.

* ``ensure_postgres_installed()`` finds (or apt-installs) the server binaries.
* ``PostgresServer`` runs a throwaway cluster owned by the current Python process.
* ``setup_system_cluster()`` prepares the machine's Debian ``main`` cluster for running the
  whole system by hand (``postgres_system``).

    python -m simpul_platform.devstack.postgres install
    python -m simpul_platform.devstack.postgres setup DB [DB ...] [--password P]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.postgres_system import setup_system_cluster
from simpul_platform.devstack.postgres_tools import (
    _MAX_SOCKET_DIR_LEN,
    _SERVER_SETTINGS,
    HOST,
    PG_OS_USER,
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    _as_pg_user,
    _check,
    _clean_env,
    _free_port,
    _is_root,
    _log_tail,
    _psql_binary,
    _quote_ident,
    _quote_literal,
    _run,
    _validate_db_name,
    ensure_postgres_installed,
)

__all__ = ["PostgresServer", "ensure_postgres_installed", "main", "setup_system_cluster"]

# --------------------------------------------------------------------------- throwaway server


class PostgresServer:
    """A private PostgreSQL cluster on 127.0.0.1, owned by this Python process.

    Data lives in ``base_dir/data`` and is kept when ``base_dir`` is given, so a
    later ``start()`` on the same directory reuses it.  With no ``base_dir`` a
    temp dir is used and removed on ``stop()``.
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        port: int | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        """``settings``: server settings beyond the throwaway cluster's (e.g. a benchmark's
        ``track_commit_timestamp``)."""
        self._requested_base_dir = base_dir
        self._extra_settings = dict(settings or {})
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
            **self._extra_settings,
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
