"""The services table (deploy/services.toml) and running a service as a real uvicorn process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.project import project_root

# A worker's /healthz, /readyz and /metrics listen on the service's port plus this (health
# 8102 → 9102), so an API and its worker can share a host.
WORKER_PORT_OFFSET = 1000
ProcessRole = Literal["all", "api", "worker"]


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    app: str
    port: int
    env_prefix: str
    database: str | None = None  # None: a stateless service (the gateway)
    demo: str | None = None
    # Run as `python -m <demo> --followup` once every service's demo has loaded: what a loader
    # does with what later loaders sent it (health answers social's demo referrals).
    demo_followup: bool = False
    # The loaders this one's needs to have finished first (the start command runs the others
    # side by side): the registry's posyandu, or what a consumer of this one's events needs.
    demo_after: tuple[str, ...] = ()
    # Later parts of this service's loader, each run as `python -m <demo> --<part>` once its
    # first part has finished, side by side with the other loaders: what the others do not
    # need (the registry's year of posyandu days; the fields need only its posyandu).
    demo_then: tuple[str, ...] = ()
    # Added to its loader's niceness: a loader shorter than the longest (health's) yields the
    # cores to it, which otherwise finishes last, by itself, while the start waits for it.
    demo_nice: int = 0

    @property
    def worker_port(self) -> int:
        """The side port of this service's worker process."""
        return worker_port(self.port)

    def role_env(self, role: ProcessRole) -> dict[str, str]:
        """The environment that puts a process of this service in ``role`` (HEALTH_ROLE)."""
        return {f"{self.env_prefix}_ROLE": role}


def worker_port(port: int) -> int:
    """The side port of a worker whose service listens on ``port``."""
    return port + WORKER_PORT_OFFSET


def load_services(path: Path | None = None) -> list[ServiceEntry]:
    table = tomllib.loads((path or project_root() / "deploy" / "services.toml").read_text())
    return [
        ServiceEntry(
            **{
                **values,
                "demo_after": tuple(values.get("demo_after", ())),
                "demo_then": tuple(values.get("demo_then", ())),
            }
        )
        for values in table["service"]
    ]


class ServiceProcess:
    """One process of a service under uvicorn in its own process group, logging to a file.

    ``role`` is passed on as ``<PREFIX>_ROLE``; a worker listens on the side port and logs to
    ``<name>-worker.log`` unless told otherwise (``port``, ``label``: several replicas)."""

    def __init__(
        self,
        entry: ServiceEntry,
        env: dict[str, str],
        log_dir: Path,
        port: int | None = None,
        role: ProcessRole = "all",
        label: str | None = None,
    ) -> None:
        self.entry = entry
        self.role = role
        self.port = port or (entry.worker_port if role == "worker" else entry.port)
        self.env = {**env, **entry.role_env(role)}
        self.label = label or (f"{entry.name}-worker" if role == "worker" else entry.name)
        self.log_file = log_dir / f"{self.label}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> ServiceProcess:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.entry.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
        ]
        self._process = subprocess.Popen(
            command,
            env={**os.environ, **self.env},
            stdout=self.log_file.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # no orphan if we are killed
        )
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.label} exited; see {self.log_file}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} not healthy after {timeout:.0f}s; see {self.log_file}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Graceful stop (SIGTERM lets uvicorn run the lifespan shutdown); SIGKILL if stuck."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL, as a crash would (fault injection)."""
        self.stop(signal.SIGKILL)
