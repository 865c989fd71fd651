"""The shared demo population: deterministic, valid NIK and No. KK, Kukar's real desa."""

from __future__ import annotations

import random
from datetime import date

import pytest
from lokal import parse_nik

from simpul_platform.devstack.population import (
    KUKAR_POSYANDU,
    decile_for,
    generate_adults,
    generate_balita,
    generate_kukar,
    kukar_desa,
    lokus_desa,
    month_ends,
)

pytestmark = pytest.mark.unit

END = date(2026, 1, 1)


def test_the_posyandu_cover_every_kukar_desa_and_are_the_same_for_a_seed():
    posyandu = generate_kukar(count=300)
    assert {p.desa_code for p in posyandu} == set(kukar_desa())
    assert generate_kukar(count=300) == posyandu
    assert generate_kukar(seed=1, count=300) != posyandu
    assert len(generate_kukar()) == KUKAR_POSYANDU


def test_every_nik_encodes_its_kecamatan_birth_date_and_sex():
    posyandu = [(f"p{i}", p.desa_code) for i, p in enumerate(generate_kukar(count=40))]
    children = generate_balita(posyandu, per_posyandu=5, end=END)
    adults = [a.target for a in generate_adults(posyandu, per_posyandu=5, end=END)]
    for person in [c.target for c in children] + adults:
        facts = parse_nik(person["nik"], reference_date=END)
        assert facts.valid, person["nik"]
        assert facts.birth_date == person["birth_date"].isoformat()
        assert facts.gender == ("P" if person["sex"] == "F" else "L")
        assert facts.district_code == person["kecamatan_code"]
        assert len(person["kk"]) == 16 and person["kk"].isdigit()
    for kader in (k for p in generate_kukar(count=40) for k in p.people):
        facts = parse_nik(kader.nik, reference_date=END)
        assert facts.valid and facts.gender == kader.gender, kader.nik
    assert len({t["kk"] for t in [c.target for c in children] + adults}) == 400


def test_deciles_are_poorer_in_the_lokus_desa():
    desa = kukar_desa()
    rng = random.Random(7)
    lokus = lokus_desa(reversed(desa), rng)
    assert len(lokus) == len(desa) // 3
    assert lokus == lokus_desa(desa, random.Random(7))  # the order given does not matter

    def poor(in_lokus: bool) -> float:
        deciles = [decile_for(rng, lokus=in_lokus, stunted=False) for _ in range(2000)]
        return sum(d is not None and d <= 4 for d in deciles) / len(deciles)

    assert poor(True) > 2 * poor(False)


def test_month_ends_are_the_whole_months_before_the_end():
    assert month_ends(3, date(2026, 3, 15)) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
