"""What the monitoring tests share: the files under deploy/monitoring, the metric names the
platform exports (from metrics.py's collectors, as Prometheus sees the samples), the metric
names a PromQL expression reads, and promtool."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

from simpul_platform import metrics
from simpul_platform.devstack.tools import tool_path

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
# Names Prometheus itself gives every target.
PROMETHEUS_OWN = {"up"}
# A metric name in an expression: ours all start with simpul_ (a recording rule's has colons).
METRIC = re.compile(r"\b(simpul_[a-z0-9_]+|up)\b(?!\s*\()")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
}


def exported_series() -> set[str]:
    """Every sample name the platform's metrics module exports."""
    names: set[str] = set()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase):
            for family in collector.describe():
                names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` reads (label values in quotes are not names)."""
    return set(METRIC.findall(re.sub(r'"[^"]*"', '""', expr)))


def promtool(*args: str | Path, cwd: Path = MONITORING) -> str:
    """Run the installed promtool; fail with its output when it refuses."""
    done = subprocess.run(
        [str(tool_path("promtool")), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output
