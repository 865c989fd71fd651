"""The bulk path's shortcuts give exactly what the plain path gives.

``child_measured_data`` builds ``health.child.measured.v1`` data without pydantic; it must be
``ChildMeasured(...).model_dump(mode="json")`` key for key, type for type, and the same JSON
bytes on Kafka. ``new_id`` must be a canonical random UUID like ``str(uuid.uuid4())``.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic_core import to_json

from simpul_health.domain.growth import PreviousWeighing, assess_growth
from simpul_health.domain.measurement import assess
from simpul_health.events import ChildMeasured, child_measured_data
from simpul_platform.domain import RuleViolation
from simpul_platform.events import new_id
from simpul_platform.outbox import Outbox
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 23)


def _row(rng: random.Random) -> dict[str, Any] | None:
    """A measurement row as ``record_measurements`` builds it, from random inputs run through
    the real domain code (so the values have the types production gives them)."""
    age = rng.choice([0, 1, 730, 731, 1826, rng.randint(0, 1826)])
    birth = TODAY - timedelta(days=age + rng.randint(0, 40))
    measured_on = birth + timedelta(days=age)
    height = rng.choice([None, round(rng.uniform(45, 120), rng.choice([0, 1, 2]))])
    weight = rng.choice([round(rng.uniform(2, 25), 1), float(rng.randint(3, 20))])
    sex = rng.choice(["M", "F"])
    try:
        a = assess(
            sex=sex,
            birth_date=birth,
            measured_on=measured_on,
            today=TODAY,
            weight_kg=weight,
            height_cm=height,
            position=rng.choice([None, "recumbent", "standing"]),
            confirmed_implausible=True,
        )
    except RuleViolation:
        return None
    previous = rng.choice(
        [None, PreviousWeighing(measured_on - timedelta(days=30), weight - 0.1, "T")]
    )
    growth = assess_growth(measured_on, a.age_days, weight, previous)
    return {
        "id": str(uuid.uuid4()),
        "posyandu_id": str(uuid.uuid4()),
        "desa_code": "64.02.01.2001",
        "measured_on": measured_on,
        "age_days": a.age_days,
        "sex": sex,
        "weight_kg": weight,
        "height_cm": height,
        "measure_position": a.position,
        "haz": a.z.haz,
        "waz": a.z.waz,
        "whz": a.z.whz,
        "bmiz": a.z.bmiz,
        "height_for_age": a.height_for_age,
        "weight_for_age": a.weight_for_age,
        "weight_for_height": a.weight_for_height,
        "growth": growth.growth,
        "growth_faltering": growth.faltering,
    }


def _model_data(row: dict[str, Any], person_ref: str, household_ref: str | None) -> Any:
    fields = {name: row[name] for name in ChildMeasured.model_fields if name in row}
    return ChildMeasured(
        measurement_id=row["id"], person_ref=person_ref, household_ref=household_ref, **fields
    ).model_dump(mode="json")


def _assert_same(fast: dict[str, Any], model: dict[str, Any]) -> None:
    assert list(fast) == list(model)  # same keys, same order (so the same JSON bytes)
    for key, value in model.items():
        assert fast[key] == value, key
        assert type(fast[key]) is type(value), key
    assert to_json(fast) == to_json(model)


def test_child_measured_data_is_the_models_json_for_random_measurements() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(5000):
        row = _row(rng)
        if row is None:
            continue
        household = rng.choice([None, "h" * 64])
        _assert_same(
            child_measured_data(row, "p" * 64, household), _model_data(row, "p" * 64, household)
        )
        checked += 1
    assert checked > 4000


def test_child_measured_data_with_none_everywhere_and_odd_types() -> None:
    row = {
        "id": "m-1",
        "posyandu_id": "p-1",
        "desa_code": "64.02.01.2001",
        "measured_on": date(999, 1, 2),  # ISO with four digits, as pydantic writes it
        "age_days": 0,
        "sex": "F",
        "weight_kg": 3,  # an int: the model writes 3.0
        "height_cm": None,
        "measure_position": None,
        "haz": None,
        "waz": -6,
        "whz": None,
        "bmiz": None,
        "height_for_age": None,
        "weight_for_age": "severely_underweight",
        "weight_for_height": None,
        "growth": None,
        "growth_faltering": False,
    }
    fast = child_measured_data(row, "ref", None)
    _assert_same(fast, _model_data(row, "ref", None))
    assert fast["measured_on"] == "0999-01-02"
    assert fast["weight_kg"] == 3.0 and isinstance(fast["weight_kg"], float)


def test_child_measured_data_covers_every_field_of_the_model() -> None:
    row = _row(random.Random(1))
    assert row is not None
    assert list(child_measured_data(row, "p", "h")) == list(ChildMeasured.model_fields)


def test_new_id_is_a_canonical_random_uuid() -> None:
    ids = [new_id() for _ in range(20000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # Every variant digit (8, 9, a, b) turns up, so no bit is stuck.
    assert {value[19] for value in ids} == set("89ab")


def test_envelope_of_matches_envelope_of_a_payload() -> None:
    outbox = Outbox(ServiceSettings(service_name="health"))
    row = _row(random.Random(3))
    assert row is not None
    when = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    keys = {"posyandu_id": row["posyandu_id"], "wilayah": row["desa_code"], "subject": row["id"]}
    slow = outbox.envelope(
        ChildMeasured.model_validate(_model_data(row, "p", None)), occurred_at=when, **keys
    )
    fast = outbox.envelope_of(
        ChildMeasured.event_type, child_measured_data(row, "p", None), occurred_at=when, **keys
    )
    assert fast.id != slow.id
    assert fast.to_kafka()[1] == slow.to_kafka()[1]
    assert {**vars(fast), "id": None} == {**vars(slow), "id": None}
