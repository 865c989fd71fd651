"""Events public works publishes on ``simpul.public-works.v1`` (key = posyandu id, wilayah =
desa code; the topic's name is the platform's ``field_topic("public_works")``). Households
travel as ``household_ref``: no KK, names or a household's location.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from simpul_platform.events import EventPayload
from simpul_platform.referrals.events import field_topic, published_by

TOPIC = field_topic("public_works")


class HouseholdWashAssessed(EventPayload):
    """A household's water and sanitation were surveyed: its ladder levels with the rules that
    decided them, and whether it has the SPM's basic daily drinking water."""

    event_type = "public_works.household.wash_assessed.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "survey_id": "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a9f",
        "household_ref": "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57",
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "source": "kader",
        "surveyed_on": "2026-03-02",
        "occupants": 5,
        "water_level": "layak_dasar",
        "water_rule": "improved_within_limit",
        "sanitation_level": "belum_layak",
        "sanitation_rule": "not_goose_neck",
        "basic_water": False,
        "basic_water_failed": ["under_60_litres"],
        "wastewater_service": None,
    }

    survey_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    source: str
    surveyed_on: date
    occupants: int
    water_level: str
    water_rule: str
    sanitation_level: str
    sanitation_rule: str
    basic_water: bool
    basic_water_failed: list[str]
    wastewater_service: str | None


PUBLISHED: list[type[EventPayload]] = [
    HouseholdWashAssessed,
    *published_by("public_works").all(),  # the referral routes publish them
]
