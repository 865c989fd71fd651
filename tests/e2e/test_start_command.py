"""The README's start command, run as a new user would: everything comes up, Ctrl-C stops it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from simpul_platform.devstack.ports import free_port, port_open
from simpul_platform.devstack.services import load_services

pytestmark = pytest.mark.e2e


def _free_offset() -> int:
    ports = [entry.port for entry in load_services()]
    for _ in range(50):
        # Below 32768, where Linux hands out ephemeral ports: a client connection of another
        # test could otherwise take a port between this check and the service's bind.
        offset = random.randrange(12000, 24000, 100)
        if not any(port_open(port + offset) for port in ports):
            return offset
    raise RuntimeError("no free port range for a second stack")


def _wait_for_line(
    lines: list[str], text: str, process: subprocess.Popen[str], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"'{text}' not printed; output:\n{''.join(lines)}")


def test_start_command_runs_broker_and_every_service_and_stops_cleanly() -> None:
    data = Path(tempfile.mkdtemp(prefix="simpul-up-"))
    kafka_port, offset = free_port(), _free_offset()
    command = [
        sys.executable,
        "-m",
        "simpul_platform.devstack.cli",
        "up",
        "--kafka-port",
        str(kafka_port),
        "--data-dir",
        str(data),
        "--port-offset",
        str(offset),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(process.stdout.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    services = load_services()
    try:
        _wait_for_line(lines, "Simpul is up.", process, timeout=180)
        for entry in services:
            url = f"http://127.0.0.1:{entry.port + offset}"
            assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
            ready = httpx.get(f"{url}/readyz").json()
            assert ready["status"] in ("ok", "degraded"), ready
            if entry.database:
                assert ready["database"] == "ok", ready
            assert any(url in line for line in lines), "the start command prints each URL"
        gateway = next(entry for entry in services if entry.name == "gateway")
        dashboard = f"The DPMD dashboard: http://127.0.0.1:{gateway.port + offset}/dashboard"
        _wait_for_line(lines, dashboard, process, timeout=10)
        os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=90) == 0
    finally:
        if process.poll() is None:  # a failed assertion: stop it the way a user would first
            os.kill(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert not port_open(kafka_port), "the broker outlived the start command"
    for entry in services:
        assert not port_open(entry.port + offset), f"{entry.name} outlived the start command"
    assert (data / "kafka" / "broker.log").exists()
