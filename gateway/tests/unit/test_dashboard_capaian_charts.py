"""The server-drawn charts: scales, round ticks, a missing point breaking the line, and the
accessible title and description (escaped like everything else from the API)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from simpul_gateway.dashboard.charts import (
    ChartBox,
    LinearScale,
    Point,
    line_chart,
    nice_step,
    nice_ticks,
    segments,
)

pytestmark = pytest.mark.unit
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    # The inline SVG has no namespace (HTML puts it there); give it one to parse it as XML.
    return ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_a_linear_scale_maps_the_domain_onto_the_range_even_backwards():
    y = LinearScale((0, 100), (136, 8))
    assert (y(0), y(100), y(50)) == (136, 8, 72)
    assert LinearScale((5, 5), (0, 10))(5) == 0  # a flat domain does not divide by zero


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [
        (0, 100, [0, 25, 50, 75, 100]),
        (0, 87.5, [0, 25, 50, 75, 100]),
        (0, 120, [0, 50, 100, 150]),
        (0, 14, [0, 5, 10, 15]),
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
    ],
)
def test_ticks_are_round_and_cover_the_values(lo, hi, ticks):
    assert nice_ticks(lo, hi) == ticks


def test_a_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten():
    assert [nice_step(span, 4) for span in (100, 40, 7, 0.3)] == [25, 10, 2, 0.1]
    assert nice_step(0, 4) == 1.0


def test_a_missing_point_breaks_the_line_into_runs():
    points = [Point("01", 10), Point("02", None), Point("03", 30), Point("04", 40)]
    assert segments(points) == [[(0, 10)], [(2, 30), (3, 40)]]
    assert segments([Point("01", None)]) == []


def test_the_chart_is_an_image_with_its_title_and_description():
    svg = line_chart(
        [Point("01", 50.0), Point("02", None), Point("03", 75.0), Point("04", 100.0)],
        chart_id="tren-health-balita",
        title="Kesehatan: Balita <ditimbang>",
        desc="01: 50 %; 02: tanpa data",
        target=100.0,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "tren-health-balita-t tren-health-balita-d"
    assert root.find(f"{SVG}title").text == "Kesehatan: Balita <ditimbang>"  # escaped in markup
    assert "&lt;ditimbang&gt;" in svg
    assert root.find(f"{SVG}desc").text == "01: 50 %; 02: tanpa data"
    # One line for the run 03–04; the lone 01 is a dot only; 02 is nowhere.
    assert len(root.findall(f"{SVG}polyline")) == 1
    assert len(root.findall(f"{SVG}circle")) == 3
    assert root.find(f"{SVG}line[@class='target']") is not None


def test_values_land_where_the_scale_puts_them():
    box = ChartBox(width=320, height=160, left=36, right=8, top=8, bottom=24)
    svg = line_chart(
        [Point("Q1", 0.0), Point("Q2", 100.0)], chart_id="c", title="t", desc="d", box=box
    )
    dots = [(c.get("cx"), c.get("cy")) for c in parse(svg).findall(f"{SVG}circle")]
    assert dots == [("36", "136"), ("312", "8")]  # 0 at the bottom left, 100 top right
    ticks = [t.text for t in parse(svg).findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "25", "50", "75", "100"]


def test_the_axis_reaches_above_the_target_when_a_value_does():
    svg = line_chart([Point("01", 130.0)], chart_id="c", title="t", desc="d", target=100.0)
    labels = [t.text for t in parse(svg).findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels[-1] == "150"


def test_with_no_value_at_all_the_chart_still_draws_its_axes():
    svg = line_chart([Point("01", None), Point("02", None)], chart_id="c", title="t", desc="d")
    root = parse(svg)
    assert root.findall(f"{SVG}circle") == [] and root.findall(f"{SVG}polyline") == []
    assert [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"] == [
        "01",
        "02",
    ]


def test_crowded_x_labels_are_thinned_but_the_last_is_kept():
    points = [Point(f"{m:02d}", float(m)) for m in range(1, 13)]
    svg = line_chart(points, chart_id="c", title="t", desc="d", box=ChartBox(width=200))
    shown = [t.text for t in parse(svg).findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert shown == ["03", "06", "09", "12"]  # counted back from the latest
    assert not re.search(r"\d\.\d{2,}", svg)  # coordinates keep one decimal at most
