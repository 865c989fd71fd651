"""The field contract's aggregate routes as a field mounts them: the question checked and scoped
once, the three routes' operation ids, parameters and models, an indicator's value from kept
counts, and the month a period is counted at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

import pytest
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import Principal
from simpul_platform.errors import Forbidden
from simpul_platform.field_contract import (
    AggregateAccess,
    AggregateQuery,
    aggregate_query,
    aggregate_router,
)
from simpul_platform.indicators import Indicator, IndicatorValue, Period
from simpul_platform.settings import ServiceSettings
from simpul_platform.tallies import end_month, month_end
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DPMD = Principal("dpmd-1", frozenset({"dpmd"}), ("64.02",))
NO_SESSION = cast(AsyncSession, None)  # a wilayah's question reads nothing


@dataclass(frozen=True)
class Area:
    wilayah: list[str]
    posyandu_id: str | None


ACCESS = AggregateAccess("housing", ("opd:housing", "kader:housing"), ServiceSettings, Area)
Query = AggregateQuery[Area, ServiceSettings]


class Summary(BaseModel):
    wilayah: list[str]
    posyandu_id: str | None
    period: str
    as_of: date


class Row(BaseModel):
    desa_code: str


async def indicators(query: Query) -> list[IndicatorValue]:
    """Every indicator of the field."""
    return []


async def summary(query: Query) -> Summary:
    """The figures of one posyandu or a wilayah."""
    return Summary(**query.echo(as_of=query.today))


async def rows_by_desa(query: Query) -> list[Row]:
    """A row per desa."""
    return []


def document(**options: Any) -> dict[str, Any]:
    router = aggregate_router(ACCESS, indicators, summary, rows_by_desa, **options)
    spec = ServiceSpec(settings=SETTINGS, title="T", description="t", routers=[router])
    return create_service_app(spec).openapi()


def parameters(doc: dict[str, Any], path: str) -> list[str]:
    return [p["name"] for p in doc["paths"][path]["get"]["parameters"]]


def test_the_three_routes_take_the_contracts_parameters_and_ids() -> None:
    doc = document()
    assert parameters(doc, "/v1/indicators") == ["period", "wilayah", "posyandu_id"]
    assert parameters(doc, "/v1/summary") == ["period", "wilayah", "posyandu_id"]
    assert parameters(doc, "/v1/summary/by-desa") == ["period", "wilayah"]
    ids = [doc["paths"][p]["get"]["operationId"] for p in doc["paths"] if p.startswith("/v1/")]
    assert ids == ["getIndicators", "getSummary", "summaryByDesa"]
    renamed = document(by_desa_operation_id="povertyByDesa")["paths"]["/v1/summary/by-desa"]
    assert renamed["get"]["operationId"] == "povertyByDesa"


def test_a_routes_summary_description_and_model_are_its_figures_name_docstring_and_type() -> None:
    operation = document()["paths"]["/v1/summary/by-desa"]["get"]
    assert operation["summary"] == "Rows By Desa"
    assert operation["description"] == "A row per desa."
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"] == {"$ref": "#/components/schemas/Row"}
    assert operation["security"] == [{"bearer": []}]
    assert "403" in operation["responses"]


async def test_a_question_is_scoped_to_the_callers_wilayah_or_the_one_asked() -> None:
    query = await aggregate_query(ACCESS, NO_SESSION, DPMD, SETTINGS, "2026-Q1", None, None)
    assert query.scope == Area(["64.02"], None)
    assert (query.field, query.period.label, query.period.end) == (
        "housing",
        "2026-Q1",
        date(2026, 3, 31),
    )
    narrowed = await aggregate_query(ACCESS, NO_SESSION, DPMD, SETTINGS, "2026", "64.02.06", None)
    assert narrowed.wilayah == ["64.02.06"] and narrowed.posyandu_id is None
    with pytest.raises(Forbidden):
        await aggregate_query(ACCESS, NO_SESSION, DPMD, SETTINGS, "2026", "64.03", None)


async def test_a_question_is_counted_at_its_periods_last_month_or_this_one() -> None:
    query = await aggregate_query(ACCESS, NO_SESSION, DPMD, SETTINGS, "2025", None, None)
    past = replace(query, today=date(2026, 5, 14))
    assert past.month == date(2025, 12, 1)
    running = replace(past, period=Period.parse("2026"))
    assert running.month == date(2026, 5, 1)
    assert running.echo(as_of=date(2026, 5, 14)) == {
        "wilayah": ["64.02"],
        "posyandu_id": None,
        "period": "2026",
        "as_of": date(2026, 5, 14),
    }


def test_the_month_a_period_is_counted_at_and_its_last_day() -> None:
    today = date(2026, 5, 14)
    assert end_month(date(2025, 12, 31), today) == date(2025, 12, 1)
    assert end_month(date(2026, 12, 31), today) == date(2026, 5, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2026, 2, 1)) == date(2026, 2, 28)


def test_an_indicators_value_is_its_counts_and_none_counted_is_zero_over_zero() -> None:
    rlh = Indicator("housing.rlh", "Rumah layak huni", "RLH ÷ surveyed", "a source")
    late = Indicator("x.late", "Late", "late ÷ open", "a source", target_percent=0.0)
    value = rlh.value("housing", {"housing.rlh": (3, 4)})
    assert (value.numerator, value.denominator, value.percent) == (3, 4, 75.0)
    assert (value.field, value.target_percent, value.source) == ("housing", 100.0, "a source")
    none = late.value("housing", {})
    assert (none.numerator, none.denominator, none.percent, none.target_percent) == (
        0,
        0,
        None,
        0.0,
    )
