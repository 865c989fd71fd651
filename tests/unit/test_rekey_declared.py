"""Every stored person_ref / household_ref is declared for a pseudonym secret rotation: a new
column named ``*person_ref`` or ``*household_ref`` that its service does not declare would keep
its old references after a rotation and stop linking, so it fails here first."""

from __future__ import annotations

import pytest

from simpul_platform.app import ServiceSpec
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.rekey import declarations, service_tables

pytestmark = pytest.mark.unit

KIND_BY_SUFFIX = {"person_ref": "nik", "household_ref": "kk"}
IDENTIFIER_BY_KIND = {"nik": ("nik",), "kk": ("kk", "no_kk")}
STATEFUL = ("registry", "health", "education", "social", "housing", "public-works", "trantib")


def _reference_columns(spec: ServiceSpec) -> dict[tuple[str, str], str]:
    """(table, column) → kind, for every column whose name says it holds a reference."""
    found: dict[tuple[str, str], str] = {}
    for name, table in service_tables(spec).items():
        for column in table.columns:
            for suffix, kind in KIND_BY_SUFFIX.items():
                if column.name.endswith(suffix):
                    found[(name, column.name)] = kind
    return found


def test_every_service_that_keeps_data_is_checked(specs: dict[str, ServiceSpec]):
    stateful = {name for name, spec in specs.items() if spec.uses_database}
    assert stateful == set(STATEFUL)


@pytest.mark.parametrize("service", STATEFUL)
def test_every_reference_column_is_declared_with_its_kind(
    specs: dict[str, ServiceSpec], service: str
):
    declared = {
        (d.table, d.column): d.kind
        for d in declarations(specs[service])  # also checks each against the tables
        if isinstance(d, PseudonymColumn)
    }
    columns = _reference_columns(specs[service])
    assert columns, f"{service} has no reference columns: is the scan still right?"
    missing = sorted(f"{t}.{c}" for t, c in columns.keys() - declared.keys())
    assert not missing, f"{service}: declare these in its PSEUDONYMS: {', '.join(missing)}"
    wrong = sorted(f"{t}.{c}" for (t, c), kind in columns.items() if declared[(t, c)] != kind)
    assert not wrong, f"{service}: wrong kind declared for {', '.join(wrong)}"


@pytest.mark.parametrize("service", STATEFUL)
def test_a_table_that_keeps_the_nik_or_kk_names_it_so_the_export_covers_its_rows(
    specs: dict[str, ServiceSpec], service: str
):
    tables = service_tables(specs[service])
    for item in declarations(specs[service]):
        if not isinstance(item, PseudonymColumn):
            continue
        beside = [c for c in IDENTIFIER_BY_KIND[item.kind] if c in tables[item.table].c]
        assert item.identifier == (beside[0] if beside else None), (
            f"{service}: {item.table}.{item.column} should name identifier={beside or None}"
        )
