"""What housing makes of trantib's damaged houses: which classes are houses to open, trantib's
hazards as housing's disaster kinds, a fire's area and a disaster's name."""

from __future__ import annotations

from typing import get_args

import pytest

from simpul_housing.domain.disaster import DisasterKind
from simpul_housing.domain.trantib_damage import (
    disaster_name,
    fire_name,
    housing_kind,
    is_damaged,
    smallest_area,
    within,
)

pytestmark = pytest.mark.unit

TRANTIB_KINDS = {
    "banjir": "banjir",
    "banjir_bandang": "banjir",
    "tanah_longsor": "tanah_longsor",
    "angin_puting_beliung": "angin_puting_beliung",
    "cuaca_ekstrem": "angin_puting_beliung",
    "gelombang_pasang_abrasi": "abrasi",
    "kekeringan": "lainnya",
    "karhutla": "kebakaran",
    "gempa_bumi": "gempa_bumi",
    "tsunami": "tsunami",
    "erupsi": "erupsi",
    "epidemi": "lainnya",
    "a_hazard_added_later": "lainnya",
}


@pytest.mark.parametrize(("trantib", "housing"), TRANTIB_KINDS.items())
def test_each_hazard_maps_to_a_housing_kind(trantib: str, housing: str) -> None:
    assert housing_kind(trantib) == housing
    assert housing in get_args(DisasterKind)


@pytest.mark.parametrize(
    ("damage", "opened"),
    [("rr", True), ("rs", True), ("rb", True), ("hilang", True), ("none", False), ("RB", False)],
)
def test_only_a_damaged_or_lost_house_is_opened(damage: str, opened: bool) -> None:
    assert is_damaged(damage) is opened


def test_a_fires_area_holds_its_desa_and_its_houses() -> None:
    desa = "64.02.06.2012"
    assert smallest_area(desa, []) == desa
    assert smallest_area(desa, [desa, desa]) == desa
    assert smallest_area(desa, ["64.02.06.2001"]) == "64.02.06"
    assert smallest_area(desa, ["64.02.06.2001", "64.02.07.2001"]) == "64.02"
    assert smallest_area(desa, ["63.01.01.2001"]) == desa  # nothing shared: the fire's desa
    assert within(desa, "64.02.06") and within(desa, desa)
    assert not within("64.02.06.20120", "64.02.06.2012") and not within("64.02.061", "64.02.06")


def test_names_fit_housings_bounds() -> None:
    assert fire_name("rumah", "64.02.06.2012", "2026-03-02") == (
        "Kebakaran rumah 64.02.06.2012 2026-03-02"
    )
    assert len(disaster_name("x" * 400)) == 160
    assert disaster_name("  Banjir   Tenggarong ") == "Banjir Tenggarong"
    assert len(disaster_name("B")) >= 3
