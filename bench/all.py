"""Every benchmark, one after another, then their one-line summaries together.

Each runs in its own process (its own throwaway PostgreSQL, broker and services), so one
benchmark's load cannot linger into the next. The full output of each goes to
``.data/bench/<name>.log``; this prints each summary line as it arrives and all of them at
the end, so a maintainer gets the whole picture from one command.

    uv run python -m bench.all [--quick] [--only ingest,relay,...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

# (name, module, extra arguments); end_to_end three times: every measurement stunted (the
# stress case), the same with health split into its API and worker processes as deployed, and
# the realistic ~15 % mix.
RUNS: list[tuple[str, str, list[str]]] = [
    ("ingest", "bench.ingest", []),
    ("relay", "bench.relay", []),
    ("end_to_end", "bench.end_to_end", []),
    ("end_to_end_split", "bench.end_to_end", ["--split"]),
    ("end_to_end_15pct", "bench.end_to_end", ["--stunted", "0.15"]),
    ("gateway", "bench.gateway", []),
    ("replica_lag", "bench.replica_lag", []),
    ("referrals", "bench.referrals", []),
    ("scale", "bench.scale", []),
    ("health_indicators", "bench.health_indicators", []),
    ("health_spm", "bench.health_spm", ["--runs", "60"]),
    ("social_indicators", "bench.social_indicators", []),
    ("education_indicators", "bench.education_indicators", []),
    ("education_census", "bench.education_census", []),
    ("housing_indicators", "bench.housing_indicators", []),
    ("registry_staffing", "bench.registry_staffing", []),
    ("health_upload", "bench.health_upload", []),
    ("faults", "bench.faults", []),
    ("fuzz", "bench.fuzz", []),
]
# A short version's arguments where ``--quick`` is not the one; fuzz has none.
QUICK: dict[str, list[str]] = {
    "bench.fuzz": [],
    "bench.health_indicators": ["--balita", "6000", "--runs", "5"],
    "bench.health_spm": ["--quick", "--runs", "10", "--cold", "1"],
    "bench.social_indicators": ["--balita", "6000", "--runs", "5"],
    "bench.health_upload": ["--balita", "6000", "--batches", "4"],
}


def summary_lines(output: str) -> list[str]:
    """The lines that state a benchmark's result: ``SUMMARY …``, each fault's name and
    ``lost: …`` count, the fuzz run's ``cases: …``, the indicator runs' ``results digest``
    (equal digests, equal answers) and the upload run's ``bulk: …``."""
    keep = ("SUMMARY", "-- fault", "lost:", "cases:", "results digest", "bulk:")
    return [line.strip() for line in output.splitlines() if line.strip().startswith(keep)]


def run(name: str, module: str, extra: list[str], quick: bool, logs: Path) -> list[str]:
    command = [sys.executable, "-m", module, *extra]
    if quick:
        command += QUICK.get(module, ["--quick"])
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    output = finished.stdout + finished.stderr
    (logs / f"{name}.log").write_text(output)
    elapsed = time.perf_counter() - started
    lines = summary_lines(finished.stdout)
    if finished.returncode != 0:
        lines.append(f"{name}: exited {finished.returncode}; see {logs / (name + '.log')}")
    for line in lines:
        print(f"[{name}, {elapsed:.0f} s] {line}", flush=True)
    return lines


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="each benchmark's short version")
    args.add_argument("--only", default=",".join(name for name, _, _ in RUNS))
    options = args.parse_args()
    chosen = set(options.only.split(","))
    unknown = chosen - {name for name, _, _ in RUNS}
    if unknown:
        args.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    logs = Path(".data/bench")
    logs.mkdir(parents=True, exist_ok=True)
    collected: list[str] = []
    for name, module, extra in RUNS:
        if name in chosen:
            collected += run(name, module, extra, options.quick, logs)
    print("\n".join(["", "All summaries:", *collected]))


if __name__ == "__main__":
    main()
