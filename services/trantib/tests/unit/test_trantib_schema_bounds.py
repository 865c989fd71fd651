"""What the bodies and queries refuse that a lax parser would take: a far year (a named rule,
as no JSON Schema can bound a date-time), a number as a date, ``false`` as a coordinate, ``0``
as a flag."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from simpul_trantib.schemas import DayQuery
from simpul_trantib.schemas.fire import DesaPointIn, FirePostIn
from simpul_trantib.schemas.order import EarlyDetectionIn, OrderReportIn

pytestmark = pytest.mark.unit

REPORT = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "category": "keributan",
    "place": "Pasar Rapak Lambur, los ikan",
    "latitude": -0.4203,
    "longitude": 116.9871,
    "occurred_at": "2026-03-01T22:30:00+08:00",
}
NOTE = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "category": "keributan",
    "level": "rendah",
    "summary": "Pemuda berkumpul larut malam",
    "observed_on": "2026-03-01",
}
POST = {"name": "Pos Damkar", "wilayah_code": "64.02.06", "latitude": -0.42, "longitude": 116.98}


def rules(model: type[BaseModel], body: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate_json(TypeAdapter(dict[str, Any]).dump_json(body))
    return [e["type"] for e in refused.value.errors()]


@pytest.mark.parametrize(
    ("moment", "rule"),
    [("1999-12-31T23:00:00+08:00", "too_early"), ("2101-01-01T00:00:00+08:00", "too_late")],
)
def test_a_report_far_in_time_is_refused_by_a_named_rule(moment: str, rule: str) -> None:
    assert rules(OrderReportIn, {**REPORT, "occurred_at": moment}) == [rule]
    OrderReportIn.model_validate({**REPORT, "occurred_at": "2000-01-01T00:00:00+08:00"})


def test_a_note_before_2000_is_too_early() -> None:
    assert rules(EarlyDetectionIn, {**NOTE, "observed_on": "1999-12-31"}) == ["too_early"]
    EarlyDetectionIn.model_validate({**NOTE, "observed_on": "2000-01-01"})


@pytest.mark.parametrize("text", ["0", "20260301", "1.5", "2026-3-1"])
def test_a_query_date_is_yyyy_mm_dd_and_nothing_else(text: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(DayQuery).validate_python(text)


def test_a_query_date_as_written_is_taken() -> None:
    assert TypeAdapter(DayQuery).validate_python("2026-03-01").isoformat() == "2026-03-01"


def test_coordinates_and_flags_are_what_the_schema_says() -> None:
    assert rules(DesaPointIn, {"latitude": False, "longitude": 116.98}) == ["float_type"]
    assert rules(FirePostIn, {**POST, "active": 0}) == ["bool_type"]
    assert DesaPointIn.model_validate({"latitude": 0, "longitude": 117}).longitude == 117.0
