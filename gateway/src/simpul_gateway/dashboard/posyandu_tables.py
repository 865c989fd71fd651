"""The Posyandu page's tables, built from the gateway's ``/v1/posyandu/{id}/profile`` answer.

The page and its exports are built from these same ``Table``s. Each field's summary has its
own shape (health: stunting counts and indicators; social: households by decile and priority
cases; ...), so a field's figures are read generically: every number in its summary, named by
its key path (``stunting.measured``), and every indicator of an ``indicators`` list, named by
the indicator itself. What identifies the summary (period, wilayah, posyandu) is not a figure.
"""

from __future__ import annotations

from typing import Any

from simpul_gateway.dashboard.export import Column, Table
from simpul_platform.indicators import SPM_FIELDS

# Keys of a summary that say what it is about, or list cases shown in their own table.
_NOT_FIGURES = frozenset(
    {"wilayah", "posyandu_id", "period", "as_of", "definition", "open_cases", "field"}
)


def state_label(status: str, t: dict[str, str]) -> str:
    return t.get(f"posyandu_state_{status}", status)


def yes_no(value: bool, t: dict[str, str]) -> str:
    return t["posyandu_yes"] if value else t["posyandu_no"]


def field_figures(data: Any, t: dict[str, str], prefix: str = "") -> list[dict[str, Any]]:
    """Every figure of a field's summary: ``{code, figure, value, numerator, denominator}``
    rows, in the summary's own order. ``figure`` is the indicator's name, else the figure's
    label (``figure_label``)."""
    if not isinstance(data, dict):
        return []
    rows: list[dict[str, Any]] = []
    for key, value in data.items():
        if key in _NOT_FIGURES:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, bool):
            continue  # a flag is not a figure to add up
        if isinstance(value, int | float) or (value is None and key.endswith("percent")):
            # A percent of nothing (no denominator) is null: shown as "—", not left out.
            rows.append(_row(path, figure_label(path, t), value))
        elif isinstance(value, dict):
            rows.extend(field_figures(value, t, f"{path}."))
        elif isinstance(value, list) and key == "indicators":
            rows.extend(_indicator(item) for item in value if isinstance(item, dict))
    return rows


def figure_label(path: str, t: dict[str, str]) -> str:
    """A figure's label in the reader's language: its own (``posyandu_fig_<path>``, "."
    written "__"), else its parent's for every key under it (``..._each``, the key filled in),
    else the key path as the service names it (a figure the page does not know yet)."""
    own = t.get(f"posyandu_fig_{path.replace('.', '__')}")
    if own:
        return own
    parent, _, last = path.rpartition(".")
    each = t.get(f"posyandu_fig_{parent.replace('.', '__')}__each") if parent else None
    return each.format(last) if each else path


def _row(
    code: str, figure: str, value: Any, numerator: Any = None, denominator: Any = None
) -> dict[str, Any]:
    return {
        "code": code,
        "figure": figure,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


def _indicator(item: dict[str, Any]) -> dict[str, Any]:
    return _row(
        str(item.get("code", "")),
        str(item.get("name") or item.get("code", "")),
        item.get("percent"),
        item.get("numerator"),
        item.get("denominator"),
    )


def figures_table(profile: dict[str, Any], t: dict[str, str]) -> Table:
    """All six fields' figures in one table, a field per block of rows; a field whose service
    did not answer is one row naming its status, with no figures."""
    columns = [
        Column("field", t["col_field"]),
        Column("status", t["posyandu_col_status"]),
        # The figure's name first (the row's header, what a phone shows before scrolling),
        # the service's own code last.
        Column("figure", t["posyandu_col_figure"]),
        Column("value", t["posyandu_col_value"]),
        Column("numerator", t["posyandu_col_numerator"]),
        Column("denominator", t["posyandu_col_denominator"]),
        Column("code", t["posyandu_col_code"]),
    ]
    rows: list[dict[str, Any]] = []
    for part in _sections(profile):
        field, status = part["field"], str(part["status"])
        common = {
            "field": t[f"field_{field}"],
            "status": state_label(status, t),
            "field_code": field,
        }
        figures = field_figures(part.get("data"), t) if status == "ok" else []
        if not figures:
            rows.append({**common, **_row("", "", None)})
        rows.extend({**common, **figure} for figure in figures)
    return Table(columns, rows)


def one_field(table: Table, field: str) -> Table:
    """One field's rows of ``figures_table`` without the field and status columns (its
    section's heading says them)."""
    rows = [row for row in table.rows if row["field_code"] == field and row["code"]]
    return Table(table.columns[2:], rows)


def fields_table(profile: dict[str, Any], t: dict[str, str]) -> Table:
    """Per field: its service's status, its active kader and whether it has a ketua bidang
    (from the registry's staffing; empty where the registry did not answer)."""
    staffing = profile.get("staffing") or {}
    staff = {
        item["field"]: item
        for item in (staffing.get("data") or [])
        if isinstance(item, dict) and "field" in item
    }
    columns = [
        Column("field", t["col_field"]),
        Column("status", t["posyandu_col_status"]),
        Column("kader_active", t["col_kader_active"]),
        Column("ketua_bidang", t["posyandu_col_ketua_bidang"]),
    ]
    rows = []
    for part in _sections(profile):
        field = part["field"]
        own = staff.get(field)
        rows.append(
            {
                "field": t[f"field_{field}"],
                "status": state_label(str(part["status"]), t),
                "kader_active": own["active_kader"] if own else None,
                "ketua_bidang": yes_no(not own["missing_ketua_bidang"], t) if own else None,
                "field_code": field,
                "ok": part["status"] == "ok",
            }
        )
    return Table(columns, rows)


def cases_table(profile: dict[str, Any], t: dict[str, str]) -> Table:
    columns = [
        Column("field", t["col_field"]),
        Column("kind", t["posyandu_col_kind"]),
        Column("case_id", t["posyandu_col_case"]),
        Column("status", t["posyandu_col_case_status"]),
        Column("due_on", t["posyandu_col_due_on"]),
        Column("overdue", t["posyandu_col_overdue"]),
    ]
    rows = [
        {
            "field": t[f"field_{case['field']}"],
            "kind": case["kind"],
            "case_id": case["case_id"],
            "status": case["status"],
            "due_on": case.get("due_on"),
            "overdue": yes_no(bool(case.get("overdue")), t),
            "is_overdue": bool(case.get("overdue")),
        }
        for case in profile.get("open_cases", [])
    ]
    return Table(columns, rows)


def referrals_table(profile: dict[str, Any], t: dict[str, str]) -> Table:
    columns = [
        Column("source_field", t["posyandu_col_source_field"]),
        Column("target_field", t["posyandu_col_target_field"]),
        Column("reason_code", t["posyandu_col_reason"]),
        Column("status", t["posyandu_col_case_status"]),
        Column("requested_on", t["posyandu_col_requested_on"]),
        Column("due_on", t["posyandu_col_due_on"]),
        Column("overdue", t["posyandu_col_overdue"]),
    ]
    rows = [
        {
            "source_field": t[f"field_{item['source_field']}"],
            "target_field": t[f"field_{item['target_field']}"],
            "reason_code": item["reason_code"],
            "status": item["status"],
            "requested_on": item["requested_on"],
            "due_on": item["due_on"],
            "overdue": yes_no(bool(item["overdue"]), t),
            "is_overdue": bool(item["overdue"]),
        }
        for item in profile.get("referrals", [])
    ]
    return Table(columns, rows)


def _sections(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's field sections in the SPM order the other pages use."""
    by_field = {part["field"]: part for part in profile.get("fields", [])}
    return [by_field[field] for field in SPM_FIELDS if field in by_field]
