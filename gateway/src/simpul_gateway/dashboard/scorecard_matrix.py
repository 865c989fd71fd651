"""The Capaian SPM matrix: wilayah (the wilayah itself first, then each child: a kecamatan's
desa, or a desa's posyandu) × indicator, built from ``/v1/scorecard`` answers, and each
indicator's trend over the year's periods.

Pure: API answers in, rows and columns out, so the page, its exports and the unit tests share
one construction. A cell holds the API's percent as it is (or, where the field's service did
not answer for that wilayah, the status said in words) and its band against the target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from simpul_gateway.dashboard.export import Column, Table
from simpul_platform.indicators import SPM_FIELDS, Period

# An SPM indicator this close to its 100 % target is "near"; below it, "far". A context figure
# (lower is better, such as stunting prevalence) is near up to this many times its target.
NEAR_SHARE = 0.8
CONTEXT_NEAR_FACTOR = 1.5


class Band(StrEnum):
    met = "met"
    near = "near"
    far = "far"
    none = "none"  # no target group in the period: nothing to measure


def band(percent: float | None, target: float, kind: str = "spm") -> Band:
    """Where ``percent`` stands against ``target``: an SPM indicator aims up to it, a context
    figure (stunting, wasting...) down to it."""
    if percent is None:
        return Band.none
    if kind == "context":
        if percent <= target:
            return Band.met
        return Band.near if percent <= target * CONTEXT_NEAR_FACTOR else Band.far
    if percent >= target:
        return Band.met
    return Band.near if percent >= target * NEAR_SHARE else Band.far


@dataclass(frozen=True)
class IndicatorColumn:
    """One column: an indicator (``key`` its code), or a field no wilayah got an indicator of
    (``key`` ``field:<name>``, ``kind`` ``status``), whose cells then say why."""

    key: str
    field: str
    name: str
    kind: str
    target: float | None


@dataclass(frozen=True)
class Cell:
    value: float | str | None  # the API's percent; a status in words; None: no target group
    band: Band | None  # None when the cell is a status


# What a matrix's children are: wilayah one level down, or (below a desa) its posyandu.
Level = Literal["wilayah", "posyandu"]


@dataclass(frozen=True)
class MatrixRow:
    code: str  # a wilayah code; a posyandu's row: the posyandu id
    name: str
    own: bool  # the wilayah itself (first), not one of its children
    cells: dict[str, Cell]
    kind: Level = "wilayah"


@dataclass(frozen=True)
class Matrix:
    columns: list[IndicatorColumn]
    rows: list[MatrixRow]
    fields_down: dict[str, str] = field(default_factory=dict)  # field → status, for every row
    has_children: bool = False  # the wilayah has children (shown or still to be fetched)
    child_level: Level = "wilayah"  # what its children are (a desa's: its posyandu)

    @property
    def label_suffix(self) -> str:
        """The labels' suffix for the children's level: "_posyandu" below a desa."""
        return "_posyandu" if self.child_level == "posyandu" else ""

    def field_spans(self) -> list[tuple[str, int]]:
        """(field, number of its columns), in column order: the header's first row."""
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.field:
                spans[-1] = (column.field, spans[-1][1] + 1)
            else:
                spans.append((column.field, 1))
        return spans

    def table(self, t: Mapping[str, str]) -> Table:
        """The matrix as the export writes it: code (a posyandu's row: its id), name, then
        each indicator's percent."""
        columns = [
            Column("code", t["col_code" + self.label_suffix]),
            Column("name", t["col_name"]),
            *(Column(c.key, _header(c, t)) for c in self.columns),
        ]
        rows = [
            {
                "code": row.code,
                "name": row.name,
                **{c.key: row.cells[c.key].value for c in self.columns},
            }
            for row in self.rows
        ]
        return Table(columns, rows)


def _header(column: IndicatorColumn, t: Mapping[str, str]) -> str:
    label = t[f"field_{column.field}"]
    if column.kind == "status":
        return label
    return f"{label}: {column.name} ({column.key}, %)"


@dataclass(frozen=True)
class Place:
    """A wilayah or posyandu of the matrix (``code``: its wilayah code or posyandu id) and its
    scorecard (``None``: the call did not answer)."""

    code: str
    name: str
    scorecard: Mapping[str, Any] | None
    kind: Level = "wilayah"


def build_matrix(
    places: Sequence[Place],
    t: Mapping[str, str],
    has_children: bool = False,
    child_level: Level = "wilayah",
) -> Matrix:
    """The matrix of ``places`` (the wilayah itself first, then its children of
    ``child_level``): a column per indicator any of them reported, field by field in the SPM's
    order; a field none of them got an answer from is one column of statuses."""
    columns = _columns(places)
    down = _fields_down(places, columns)
    columns = [*columns, *(_status_column(f) for f in down)]
    columns.sort(key=lambda c: SPM_FIELDS.index(c.field))  # stable: indicators keep their order
    rows = [
        MatrixRow(p.code, p.name, i == 0, {c.key: _cell(p, c, t) for c in columns}, p.kind)
        for i, p in enumerate(places)
    ]
    return Matrix(columns, rows, down, has_children or len(places) > 1, child_level)


def _columns(places: Sequence[Place]) -> list[IndicatorColumn]:
    found: dict[str, IndicatorColumn] = {}
    for place in places:
        for row in (place.scorecard or {}).get("rows", []):
            indicator = row.get("indicator")
            if indicator and indicator["code"] not in found:
                found[indicator["code"]] = IndicatorColumn(
                    indicator["code"],
                    row["field"],
                    indicator["name"],
                    indicator.get("kind", "spm"),
                    indicator.get("target_percent", 100.0),
                )
    return list(found.values())


def _fields_down(places: Sequence[Place], columns: list[IndicatorColumn]) -> dict[str, str]:
    """Fields with no indicator column, with the status the wilayah itself got for them."""
    covered = {c.field for c in columns}
    first = places[0].scorecard if places else None
    statuses = {r["field"]: r["status"] for r in (first or {}).get("rows", [])}
    return {f: statuses.get(f, "unavailable") for f in SPM_FIELDS if f not in covered}


def _status_column(field_name: str) -> IndicatorColumn:
    return IndicatorColumn(f"field:{field_name}", field_name, field_name, "status", None)


def _cell(place: Place, column: IndicatorColumn, t: Mapping[str, str]) -> Cell:
    if place.scorecard is None:
        return Cell(t["status_unavailable"], None)
    rows = [r for r in place.scorecard.get("rows", []) if r["field"] == column.field]
    for row in rows:
        indicator = row.get("indicator")
        if indicator and indicator["code"] == column.key:
            target = float(indicator.get("target_percent", 100.0))
            value = indicator["percent"]
            return Cell(value, band(value, target, indicator.get("kind", "spm")))
    status = next((r["status"] for r in rows if r["status"] != "ok"), None)
    if status is not None:
        return Cell(t.get(f"status_{status}", status), None)
    return Cell(t["status_not_reported"], None)  # answered, without this indicator


# --------------------------------------------------------------------------- trend


def trend_periods(chosen: Period, current_month: str) -> list[str]:
    """The periods of the chosen one's year up to it: its months for a month, its quarters for
    a quarter, and for a year its months up to the current one (all twelve for a past year)."""
    year = chosen.start.year
    if chosen.label[4:6] == "-Q":
        return [f"{year}-Q{q}" for q in range(1, int(chosen.label[6]) + 1)]
    last = chosen.end.month
    if len(chosen.label) == 4 and current_month[:4] == str(year):
        last = int(current_month[5:7])
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


@dataclass(frozen=True)
class Series:
    """One indicator over the periods: its values (None where missing) and what to say of it."""

    code: str
    field: str
    name: str
    kind: str
    target: float
    values: list[float | None]


def build_trend(
    periods: Sequence[str], scorecards: Sequence[Mapping[str, Any] | None]
) -> tuple[list[Series], dict[str, str]]:
    """Each indicator's values over ``periods`` from the wilayah's scorecard of each, and the
    fields that answered in none of them (with the last status they got)."""
    series: dict[str, Series] = {}
    answered: set[str] = set()
    last_status: dict[str, str] = {}
    for i, card in enumerate(scorecards):
        for row in (card or {}).get("rows", []):
            last_status[row["field"]] = row["status"]
            indicator = row.get("indicator")
            if not indicator:
                continue
            answered.add(row["field"])
            code = indicator["code"]
            if code not in series:
                series[code] = Series(
                    code,
                    row["field"],
                    indicator["name"],
                    indicator.get("kind", "spm"),
                    float(indicator.get("target_percent", 100.0)),
                    [None] * len(periods),
                )
            series[code].values[i] = indicator["percent"]
    ordered = sorted(series.values(), key=lambda s: SPM_FIELDS.index(s.field))
    down: dict[str, str] = {
        f: last_status.get(f, "unavailable") for f in SPM_FIELDS if f not in answered
    }
    return ordered, down
