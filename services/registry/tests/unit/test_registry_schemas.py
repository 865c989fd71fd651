"""Request bodies refuse what their OpenAPI schema says they refuse, with a named rule."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from simpul_registry.schemas import PosyanduIn, PosyanduPatch, TargetIn

pytestmark = pytest.mark.unit
DESA = "64.02.06.2012"


def _refusal(model: type[Any], body: dict[str, Any]) -> tuple[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    error = refused.value.errors()[0]
    return error["loc"], error["type"]


@pytest.mark.parametrize("model", [PosyanduIn, PosyanduPatch])
def test_coordinates_come_in_pairs(model: type[Any]) -> None:
    place = {"name": "Posyandu Mawar", "desa_code": DESA}
    for half in ({"latitude": -0.41}, {"longitude": 117.02}, {"latitude": -0.41,
                                                                 "longitude": None}):
        assert _refusal(model, {**place, **half}) == (("longitude",), "coordinates_pair")
    assert model.model_validate({**place, "latitude": -0.41, "longitude": 117.02})
    assert model.model_validate({**place, "latitude": None, "longitude": None})
    assert "anyOf" in model.model_json_schema()


def test_a_date_is_a_yyyy_mm_dd_string_not_a_number() -> None:
    assert _refusal(TargetIn, {"target": 1, "due_date": 0}) == (("due_date",), "date_type")
    assert str(TargetIn.model_validate({"target": 1, "due_date": "2025-10-31"}).due_date) == (
        "2025-10-31")
