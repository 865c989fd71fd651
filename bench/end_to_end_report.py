"""Printing ``bench.end_to_end``'s runs: one column per run (single node, then the cluster),
the shared figures first, then each field's, and each field's p99 beside the target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import Report
from bench.end_to_end_fields import FIELDS

TARGET_P99_MS = 1000.0
NAMES = ("single node", "cluster")


def report_runs(report: Report, runs: list[dict[str, Any]], rate: float) -> None:
    """Every figure of the runs, the verdicts and a one-line summary."""
    if len(runs) > 1:
        report.note(
            "columns: single node (replication 1) | 3-node cluster (replication 3, min ISR 2)"
        )
        for label, values, unit in rows(runs):
            report.row(label, values, unit)
    else:
        for label, (value,), unit in rows(runs):
            report.figure(label, value, unit)
    for name, figures in zip(NAMES, runs, strict=False):
        for field in FIELDS:
            mine = figures["fields"][field.name]
            report.figure(
                f"measurement → {field.name} p99, {name}",
                mine["latency"]["p99"],
                "ms",
                target=f"<= {TARGET_P99_MS:,.0f} ms at {rate:.0f}/s",
                met=mine["latency"]["p99"] <= TARGET_P99_MS and mine["rows"] == figures["expected"],
            )
            if mine["rows"] < figures["expected"]:
                report.note(
                    f"{name}, {field.name}: only {mine['rows']:,} of {figures['expected']:,} "
                    "reacted before the deadline: its percentiles are of those (a lower bound)"
                )
            if mine["before_2xx"]:
                report.note(
                    f"{name}, {field.name}: {mine['before_2xx']:,} reactions committed before "
                    "the client saw the measurement's 2xx"
                )
            decided = ", ".join(f"{k} {v:,}" for k, v in sorted(mine["decisions"].items()))
            report.note(f"{name}, {field.name}: decisions {decided}")
    report.summary(
        "; ".join(
            f"{name}: {f['detections']:,} detections at {f['offered']:.0f}/s → "
            + ", ".join(
                f"{field.service} p99 {f['fields'][field.name]['latency']['p99']:.0f} ms"
                for field in FIELDS
            )
            for name, f in zip(NAMES, runs, strict=False)
        )
    )


def rows(runs: list[dict[str, Any]]) -> list[tuple[str, list[float], str]]:
    """Every figure of the runs, one value per run, in the order printed."""

    def each(pick: Callable[[dict[str, Any]], float]) -> list[float]:
        return [pick(f) for f in runs]

    table = [
        ("offered rate (achieved schedule)", each(lambda f: f["offered"]), "measurements/s"),
        ("measurements answered 2xx", each(lambda f: f["measurements"]), ""),
        ("stunting detections (health's outbox)", each(lambda f: f["detections"]), ""),
        ("  (expected)", each(lambda f: f["expected"]), ""),
        ("health POST latency p50", each(lambda f: f["post"]["p50"]), "ms"),
        ("health POST latency p99", each(lambda f: f["post"]["p99"]), "ms"),
        ("health commit → client saw the 2xx p50", each(lambda f: f["answer_lag"]["p50"]), "ms"),
        ("health commit → client saw the 2xx p99", each(lambda f: f["answer_lag"]["p99"]), "ms"),
        ("commit → outbox row marked sent (relay) p50", each(lambda f: f["relay"]["p50"]), "ms"),
        ("commit → outbox row marked sent (relay) p99", each(lambda f: f["relay"]["p99"]), "ms"),
        ("health CPU per measurement", each(lambda f: f["health_cpu_ms"]), "ms"),
    ]
    for field in FIELDS:
        table.extend(field_rows(field.name, each))
    return table


def field_rows(
    name: str, each: Callable[[Callable[[dict[str, Any]], float]], list[float]]
) -> list[tuple[str, list[float], str]]:
    """One field's figures: reactions, the share that opened something, latency, CPU."""

    def mine(f: dict[str, Any]) -> dict[str, Any]:
        return dict(f["fields"][name])

    table = [
        (f"{name}: reaction rows committed", each(lambda f: mine(f)["rows"]), ""),
        (
            f"{name}: reacted (case or referral opened)",
            each(lambda f: 100 * mine(f)["referred"] / max(mine(f)["rows"], 1)),
            "% of detections decided",
        ),
    ]
    for part, label, points in (
        ("latency", "measurement committed → reaction committed", ("p50", "p95", "p99", "max")),
        ("consume", "  of which sent → committed", ("p50", "p99")),
        ("chunk", "  consumer transaction, first reaction → commit", ("p50", "p99")),
        ("chunk_per_row", "  the same per reaction", ("p50", "p99")),
    ):
        for p in points:
            pick = percentile_of(mine, part, p)
            table.append((f"{name}: {label} {p}", each(pick), "ms"))
    table.append(
        (f"{name}: reactions per consumer transaction", each(lambda f: mine(f)["per_chunk"]), "")
    )
    table.append((f"{name}: CPU per reaction committed", each(lambda f: mine(f)["cpu_ms"]), "ms"))
    return table


def percentile_of(
    mine: Callable[[dict[str, Any]], dict[str, Any]], part: str, p: str
) -> Callable[[dict[str, Any]], float]:
    """The picker of one percentile of one of a field's distributions."""
    return lambda f: float(mine(f)[part][p])
