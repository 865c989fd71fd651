"""The Capaian matrix and trend built from canned ``/v1/scorecard`` answers: columns field by
field, the wilayah first, bands against the target (an SPM figure up to 100 %, a context
figure down to its target), a field whose service is down said in its cells, the export's rows
the page's, and the trend's periods and series with their gaps."""

from __future__ import annotations

from typing import Any

import pytest

from simpul_gateway.dashboard.i18n import ID
from simpul_gateway.dashboard.scorecard_matrix import (
    Band,
    Place,
    band,
    build_matrix,
    build_trend,
    trend_periods,
)
from simpul_platform.indicators import Period

pytestmark = pytest.mark.unit


def indicator(code: str, percent: float | None, kind: str = "spm", target: float = 100.0) -> Any:
    field = code.split(".")[0]
    return {
        "field": field,
        "status": "ok",
        "indicator": {
            "code": code,
            "field": field,
            "name": code.split(".")[1].title(),
            "numerator": 0,
            "denominator": 0,
            "percent": percent,
            "target_percent": target,
            "definition": "",
            "source": "",
            "kind": kind,
        },
    }


def down(field: str, status: str = "unavailable") -> Any:
    return {"field": field, "status": status, "detail": "connection refused"}


def card(code: str, *rows: Any) -> dict[str, Any]:
    return {"wilayah": code, "name": code, "period": "2026-11", "rows": list(rows), "children": []}


@pytest.mark.parametrize(
    ("percent", "target", "kind", "expected"),
    [
        (100.0, 100.0, "spm", Band.met),
        (80.0, 100.0, "spm", Band.near),
        (79.99, 100.0, "spm", Band.far),
        (None, 100.0, "spm", Band.none),
        (14.0, 14.0, "context", Band.met),  # stunting at the national target
        (21.0, 14.0, "context", Band.near),
        (21.5, 14.0, "context", Band.far),
    ],
)
def test_bands_against_the_target(percent, target, kind, expected):
    assert band(percent, target, kind) is expected


def test_the_matrix_has_the_wilayah_first_and_a_column_per_indicator_field_by_field():
    places = [
        Place(
            "64.02",
            "Kutai Kartanegara",
            card("64.02", indicator("social.rehab", 50.0), indicator("health.balita", 90.0)),
        ),
        Place(
            "64.02.06",
            "Tenggarong",
            card(
                "64.02.06",
                indicator("health.balita", 100.0),
                indicator("health.stunting", 30.0, "context", 14.0),
                indicator("social.rehab", None),
            ),
        ),
    ]
    matrix = build_matrix(places, ID)
    keys = [c.key for c in matrix.columns]
    # Field by field in the SPM's order, indicators in the order first seen; a field no wilayah
    # reported anything for is one status column.
    assert keys == [
        "health.balita",
        "health.stunting",
        "field:education",
        "social.rehab",
        "field:housing",
        "field:public_works",
        "field:trantib",
    ]
    assert [r.code for r in matrix.rows] == ["64.02", "64.02.06"] and matrix.rows[0].own
    own, child = (r.cells for r in matrix.rows)
    assert (own["health.balita"].value, own["health.balita"].band) == (90.0, Band.near)
    assert own["health.stunting"].value == ID["status_not_reported"]  # not in its answer
    assert (child["health.balita"].band, child["health.stunting"].band) == (Band.met, Band.far)
    assert (child["social.rehab"].value, child["social.rehab"].band) == (None, Band.none)
    assert matrix.has_children
    alone = build_matrix(places[:1], ID)
    assert not alone.has_children and build_matrix(places[:1], ID, has_children=True).has_children
    assert matrix.field_spans()[:3] == [("health", 2), ("education", 1), ("social", 1)]


def test_a_field_down_for_every_wilayah_is_one_column_that_says_so():
    places = [
        Place("64.02", "Kukar", card("64.02", indicator("health.balita", 90.0), down("social"))),
        Place(
            "64.02.06",
            "Tenggarong",
            card("64.02.06", indicator("health.balita", 80.0), down("social", "timeout")),
        ),
        Place("64.02.07", "Sebulu", None),  # its whole call failed
    ]
    matrix = build_matrix(places, ID)
    assert matrix.fields_down["social"] == "unavailable"
    social = [c for c in matrix.columns if c.field == "social"]
    assert [(c.key, c.kind) for c in social] == [("field:social", "status")]
    cells = [r.cells["field:social"].value for r in matrix.rows]
    assert cells == [ID["status_unavailable"], ID["status_timeout"], ID["status_unavailable"]]
    assert matrix.rows[2].cells["health.balita"].value == ID["status_unavailable"]


def test_a_field_down_for_one_child_says_so_in_that_childs_cells_only():
    places = [
        Place("64.02", "Kukar", card("64.02", indicator("health.balita", 90.0))),
        Place("64.02.06", "Tenggarong", card("64.02.06", down("health", "timeout"))),
    ]
    matrix = build_matrix(places, ID)
    assert "health" not in matrix.fields_down
    assert matrix.rows[0].cells["health.balita"].value == 90.0
    assert matrix.rows[1].cells["health.balita"].value == ID["status_timeout"]
    assert matrix.rows[1].cells["health.balita"].band is None


def test_the_export_table_is_the_matrix_row_for_row():
    places = [
        Place("64.02", "Kukar", card("64.02", indicator("health.balita", 90.0), down("social"))),
        Place("64.02.06", "Tenggarong", card("64.02.06", indicator("health.balita", None))),
    ]
    matrix = build_matrix(places, ID)
    table = matrix.table(ID)
    assert [c.key for c in table.columns][:3] == ["code", "name", "health.balita"]
    assert table.columns[2].header == "Kesehatan: Balita (health.balita, %)"
    own = table.rows[0]
    assert (own["code"], own["name"], own["health.balita"]) == ("64.02", "Kukar", 90.0)
    assert own["field:social"] == ID["status_unavailable"]
    assert own["field:education"] == ID["status_not_reported"]  # absent from the answer
    assert table.cells()[1][:3] == ["64.02.06", "Tenggarong", None]


@pytest.mark.parametrize(
    ("chosen", "today", "expected"),
    [
        ("2026-03", "2026-11", ["2026-01", "2026-02", "2026-03"]),
        ("2026-Q3", "2026-11", ["2026-Q1", "2026-Q2", "2026-Q3"]),
        ("2026", "2026-04", ["2026-01", "2026-02", "2026-03", "2026-04"]),
        ("2025", "2026-04", [f"2025-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_trend_periods_run_through_the_year_to_the_chosen_one(chosen, today, expected):
    assert trend_periods(Period.parse(chosen), today) == expected


def test_the_trend_has_a_series_per_indicator_with_its_gaps():
    periods = ["2026-01", "2026-02", "2026-03"]
    cards = [
        card("64.02", indicator("social.rehab", 40.0), indicator("health.balita", 50.0)),
        None,  # the whole call failed that month
        card("64.02", indicator("health.balita", 70.0), down("social")),
    ]
    series, fields_down = build_trend(periods, cards)
    assert [(s.code, s.values) for s in series] == [
        ("health.balita", [50.0, None, 70.0]),
        ("social.rehab", [40.0, None, None]),
    ]
    assert "social" not in fields_down and "health" not in fields_down
    assert set(fields_down) == {"education", "housing", "public_works", "trantib"}
