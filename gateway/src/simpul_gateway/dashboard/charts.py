"""Charts drawn on the server as inline SVG: pure functions from figures to markup.

A chart is an image with a ``<title>`` and a ``<desc>`` (``role="img"``, labelled by both) and
is always shown beside a table of the same figures, so a screen reader or a printed page loses
nothing. No script draws anything: the markup is the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Point:
    """One period's value; ``None`` when there is none (no target group, or no answer)."""

    label: str
    value: float | None


@dataclass(frozen=True)
class LinearScale:
    """Maps ``domain`` (lo, hi) onto ``range`` (start, end) in a straight line; the range may
    run backwards (SVG's y grows downwards)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        lo, hi = self.domain
        start, end = self.range
        if hi == lo:
            return start
        return start + (value - lo) * (end - start) / (hi - lo)


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` intervals."""
    if span <= 0 or count < 1:
        return 1.0
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power  # pragma: no cover - the loop ends at 10 × power ≥ raw


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round tick values from ``lo`` (rounded down) to ``hi`` (rounded up), about ``count``
    intervals apart."""
    if hi < lo:
        lo, hi = hi, lo
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step) * step
    last = math.ceil(hi / step) * step
    n = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(n + 1)]


def segments(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """The runs of consecutive present values as (index, value): a missing point breaks the
    line rather than being drawn as zero or bridged over."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, point in enumerate(points):
        if point.value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, point.value))
    if current:
        runs.append(current)
    return runs


@dataclass(frozen=True)
class ChartBox:
    """The chart's size and the room its axes' labels need (user units of the viewBox)."""

    width: int = 320
    height: int = 160
    left: int = 36
    right: int = 8
    top: int = 8
    bottom: int = 24


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    desc: str,
    target: float | None = None,
    box: ChartBox | None = None,
    tick_label: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """A line chart of ``points`` over their labels, its y axis from 0 to at least ``target``
    (drawn as a dashed line) and the largest value, with round ticks."""
    box = box or ChartBox()
    present = [p.value for p in points if p.value is not None]
    ticks = nice_ticks(0.0, max([*present, target or 0.0, 1.0]))
    x = LinearScale((0, max(len(points) - 1, 1)), (box.left, box.width - box.right))
    y = LinearScale((ticks[0], ticks[-1]), (box.height - box.bottom, box.top))
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {box.width} {box.height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
        *_y_axis(ticks, y, box, tick_label),
        *_x_axis(points, x, box),
    ]
    if target is not None:
        ty = _n(y(target))
        parts.append(
            f'<line class="target" x1="{box.left}" x2="{box.width - box.right}" '
            f'y1="{ty}" y2="{ty}"/>'
        )
    for run in segments(points):
        coords = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in run)
        if len(run) > 1:
            parts.append(f'<polyline class="line" points="{coords}"/>')
        parts.extend(f'<circle class="dot" cx="{_n(x(i))}" cy="{_n(y(v))}" r="3"/>' for i, v in run)
    parts.append("</svg>")
    return Markup("".join(parts))


def _y_axis(
    ticks: list[float], y: LinearScale, box: ChartBox, label: Callable[[float], str]
) -> list[str]:
    out = []
    for tick in ticks:
        ty = _n(y(tick))
        out.append(
            f'<line class="grid" x1="{box.left}" x2="{box.width - box.right}" '
            f'y1="{ty}" y2="{ty}"/>'
            f'<text class="tick" x="{box.left - 4}" y="{ty}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label(tick))}</text>'
        )
    return out


def _x_axis(points: Sequence[Point], x: LinearScale, box: ChartBox) -> list[str]:
    # Every label when they fit (one per ~28 units), else every second or third one, counted
    # back from the last so that the latest period is always named.
    last = len(points) - 1
    every = max(1, math.ceil(len(points) * 28 / (box.width - box.left - box.right)))
    return [
        f'<text class="tick" x="{_n(x(i))}" y="{box.height - 6}" '
        f'text-anchor="middle">{escape(p.label)}</text>'
        for i, p in enumerate(points)
        if (last - i) % every == 0
    ]


def _n(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros: small, stable markup."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
