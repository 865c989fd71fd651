"""PostgresServer against the real Debian PostgreSQL binaries."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from simpul_platform.devstack import postgres as pg_module
from simpul_platform.devstack.postgres import PostgresServer

pytestmark = pytest.mark.integration


@pytest.fixture
def base_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: as root it lives under the 0700 /tmp/pytest-of-root,
    # which the postgres OS user cannot enter.
    path = Path(tempfile.mkdtemp(prefix="simpul-pg-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _dsn(server: PostgresServer, dbname: str) -> str:
    return server.url(dbname, driver="postgresql")


def _postmaster_pid(server: PostgresServer) -> int:
    return int((server.data_dir / "postmaster.pid").read_text().splitlines()[0])


def _live_processes() -> dict[int, int]:
    """pid -> process group of every process that is not a zombie."""
    # Zombies count as gone: once SIGKILLed, orphans wait for PID 1 to reap them,
    # and some container init processes take their time.
    live: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            live[int(stat.parent.name)] = int(fields[2])
    return live


def _pid_alive(pid: int) -> bool:
    return pid in _live_processes()


def _group_alive(pgid: int) -> bool:
    return pgid in _live_processes().values()


def _port_free(port: int) -> bool:
    # SO_REUSEADDR ignores TIME_WAIT leftovers but still fails on a live listener.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def _round_trip(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS kader (id serial PRIMARY KEY, nama text)")
        await conn.execute("INSERT INTO kader (nama) VALUES ($1), ($2)", "Siti", "Ayu")
        rows = await conn.fetch("SELECT nama FROM kader ORDER BY id")
    finally:
        await conn.close()
    return [row["nama"] for row in rows]


async def _names(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT nama FROM kader ORDER BY id")
    finally:
        await conn.close()
    return [row["nama"] for row in rows]


def test_start_create_round_trip_drop_stop() -> None:
    server = PostgresServer().start()
    try:
        base_dir, port, launcher_pid = server.base_dir, server.port, server.pid
        postmaster = _postmaster_pid(server)
        assert (base_dir / "postgres.log").exists()

        url = server.create_database("posyandu_test")
        assert url == f"postgresql+asyncpg://postgres@127.0.0.1:{port}/posyandu_test"
        assert asyncio.run(_round_trip(_dsn(server, "posyandu_test"))) == ["Siti", "Ayu"]

        assert server.create_database("posyandu_test") == url  # second create is a no-op
        server.drop_database("posyandu_test")
        server.drop_database("posyandu_test")  # dropping a missing database is fine too
        count = "SELECT count(*) FROM pg_database WHERE datname = 'posyandu_test'"
        assert server.psql(count).strip() == "0"
    finally:
        server.stop()

    assert launcher_pid is not None
    assert not _pid_alive(postmaster)
    assert not _group_alive(launcher_pid)
    assert _port_free(port)
    assert not base_dir.exists()  # temp dir it created is removed
    server.stop()  # idempotent


def test_restart_on_same_base_dir_reuses_data(base_dir: Path) -> None:
    with PostgresServer(base_dir=base_dir) as first:
        first.create_database("persist")
        asyncio.run(_round_trip(_dsn(first, "persist")))

    assert (base_dir / "data" / "PG_VERSION").exists()
    with PostgresServer(base_dir=base_dir) as second:
        assert asyncio.run(_names(_dsn(second, "persist"))) == ["Siti", "Ayu"]
    assert base_dir.exists()  # a caller-supplied base_dir is never deleted


def test_explicit_port_is_used(base_dir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with PostgresServer(base_dir=base_dir, port=port) as server:
        assert server.port == port
        assert server.psql("SELECT current_setting('port')").strip() == str(port)
        assert server.psql("SELECT current_setting('fsync')").strip() == "off"
        assert server.psql("SELECT current_setting('max_connections')").strip() == "300"


def test_extra_settings_reach_the_server(base_dir: Path) -> None:
    """A caller's settings are the server's (the end-to-end benchmark reads commit times)."""
    settings = {"track_commit_timestamp": "on"}
    with PostgresServer(base_dir=base_dir, settings=settings) as server:
        assert server.psql("SELECT current_setting('track_commit_timestamp')").strip() == "on"
        assert server.psql("SELECT current_setting('fsync')").strip() == "off"  # defaults kept
        server.create_database("stamped")
        asyncio.run(_round_trip(_dsn(server, "stamped")))
        stamped = server.psql(
            "SELECT count(*) FROM kader WHERE pg_xact_commit_timestamp(xmin) IS NOT NULL",
            "stamped",
        )
        assert stamped.strip() == "2"


def test_invalid_database_name_rejected() -> None:
    with PostgresServer() as server, pytest.raises(ValueError):
        server.create_database('x"; DROP DATABASE postgres; --')


def test_stop_kills_group_when_fast_shutdown_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_module, "STOP_TIMEOUT_S", 1.0)
    server = PostgresServer().start()
    postmaster = _postmaster_pid(server)
    launcher_pid = server.pid
    assert launcher_pid is not None
    os.kill(postmaster, signal.SIGSTOP)  # a frozen postmaster ignores pg_ctl stop
    server.stop()
    assert not _pid_alive(postmaster)
    assert not _group_alive(launcher_pid)


def test_atexit_stops_server_left_running() -> None:
    script = textwrap.dedent(
        """
        from simpul_platform.devstack.postgres import PostgresServer
        server = PostgresServer().start()
        print(server.data_dir / "postmaster.pid", flush=True)
        print(open(server.data_dir / "postmaster.pid").read().split()[0], flush=True)
        # exits without stop(): atexit must take the server down
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert not _pid_alive(int(out[1]))


def test_unreachable_base_dir_gives_clear_error(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root hands the directory to the postgres user")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    with pytest.raises(RuntimeError, match="not writable by the 'postgres' OS user"):
        PostgresServer(base_dir=private / "pg").start()


def test_busy_explicit_port_fails_with_log_tail(base_dir: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = int(squatter.getsockname()[1])
        server = PostgresServer(base_dir=base_dir, port=port)
        with pytest.raises(RuntimeError, match="Address already in use"):
            server.start()
    assert server.pid is None


def test_auto_port_retries_when_picked_port_is_taken(
    base_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = int(squatter.getsockname()[1])
        picks = iter([taken])
        real_free_port = pg_module._free_port
        monkeypatch.setattr(pg_module, "_free_port", lambda: next(picks, None) or real_free_port())
        with PostgresServer(base_dir=base_dir) as server:
            assert server.port != taken
            assert server.psql("SELECT 1").strip() == "1"
