"""The quick start timed: ``./simpul up --demo`` on a fresh data directory, from the command to
all six fields ready, beside the target (≤ 3 minutes on the machine's two cores).

Ready means every service's ``/readyz`` says ok and the gateway's scorecard of Kutai
Kartanegara has, for each of the six fields, indicators with a denominator (its demo data
loaded and reaching the gateway). The stack runs on its own ports (``--port-offset``) and data
directory, so it can run beside a developer's; it is stopped (Ctrl-C, as a user would) when
the figures are in. Printed: the seconds to the start command's "Simpul is up." and to all
fields ready, each loader's seconds from its own "done in" line, and the load average.

    uv run python -m bench.demo_start [--offset 2000] [--kafka-port 19092] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from bench.common import KUKAR
from simpul_platform.auth import mint_token
from simpul_platform.devstack.services import load_services
from simpul_platform.settings import ServiceSettings

TARGET_S = 180.0
FIELDS = {"health", "education", "social", "housing", "public_works", "trantib"}
# The stack's own development secret, as ``simpul-token`` mints it.
DEVELOPMENT_DPMD = mint_token(ServiceSettings(), "bench-dpmd", ["dpmd"], [KUKAR])
DONE = re.compile(r"^\s+(?P<name>[\w -]+?)\s+\| done in (?P<seconds>\d+) s")


def ready(offset: int, period: str) -> dict[str, int] | None:
    """Each field's indicators with a denominator, once every service is ready (else None)."""
    for entry in load_services():
        url = f"http://127.0.0.1:{entry.port + offset}/readyz"
        if httpx.get(url, timeout=10).json().get("status") != "ok":
            return None
    gateway = next(e for e in load_services() if e.name == "gateway").port + offset
    scorecard = httpx.get(
        f"http://127.0.0.1:{gateway}/v1/scorecard",
        params={"wilayah": KUKAR, "period": period},
        headers={"Authorization": f"Bearer {DEVELOPMENT_DPMD}"},
        timeout=60,
    ).json()
    with_data: dict[str, int] = defaultdict(int)
    for row in scorecard["rows"]:
        with_data[row["field"]] += bool((row.get("indicator") or {}).get("denominator"))
    return dict(with_data) if {f for f, n in with_data.items() if n} >= FIELDS else None


def run(args: argparse.Namespace) -> int:
    """The timed start; its data directory (~600 MB) is removed after a success unless it was
    ``--keep``'s, and kept after a failure, for a look at what the loaders left."""
    data = Path(args.keep or tempfile.mkdtemp(prefix="simpul-demo-start-"))
    timed = _timed(args, data)
    if timed == 0 and not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    elif timed != 0:
        print(f"the data directory is kept: {data}", file=sys.stderr)
    return timed


def _timed(args: argparse.Namespace, data: Path) -> int:
    command = [sys.executable, "-m", "simpul_platform.devstack.cli", "up", "--demo",
               "--data-dir", str(data), "--kafka-port", str(args.kafka_port),
               "--port-offset", str(args.offset)]  # fmt: skip
    load_before = os.getloadavg()
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    lines: list[str] = []
    up_at: list[float] = []

    def relay() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            print(line, end="", flush=True)
            if "Simpul is up." in line:
                up_at.append(time.monotonic() - started)

    threading.Thread(target=relay, daemon=True).start()
    try:
        while not up_at:
            if process.poll() is not None:
                print("the start command ended before it was up", file=sys.stderr)
                return 1
            time.sleep(1)
        fields = None
        while fields is None:
            fields = ready(args.offset, str(time.gmtime().tm_year))
            if fields is None:
                time.sleep(2)
        all_ready = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
    print("\n== demo start (./simpul up --demo, SQLite, fresh data directory)")
    for line in lines:
        if found := DONE.match(line):
            print(f"  {found['name']:<18} {found['seconds']:>5} s")
    print(f"  'Simpul is up.'    {up_at[0]:5.0f} s")
    print(f"  all six fields     {all_ready:5.0f} s   target ≤ {TARGET_S:.0f} s")
    print(f"  indicators with data per field: {fields}")
    print(f"  load average before {load_before[0]:.1f}, at ready {load_after[0]:.1f} (2 cores)")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offset", type=int, default=2000, help="added to every service port")
    parser.add_argument("--kafka-port", type=int, default=19092)
    parser.add_argument("--keep", default="", help="data directory to use and keep")
    raise SystemExit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
