"""Simpul's synthetic Kutai Kartanegara population, deterministic from a seed: the posyandu
(every desa of its 20 kecamatan), their pengurus and kader, balita with their growth, older
children and youth to 18, adults with screenings and pregnancies, and the households' DTSEN
deciles. Each service's demo loads
its own slice of it through its own operations; no service's demo imports another's.

How the slices meet: the registry loads ``generate_kukar``'s posyandu; its events fill every
field service's replica, and each field service generates people for the posyandu of its
replica (``kukar_posyandu``) with the same seed and pseudonym secret, so health's balita are
social's households' children and their ``household_ref`` match; likewise education's
children 5–18 (``demo_school_age``) are in social's households with their DTSEN deciles.
"""

from simpul_platform.devstack.population.households import decile_for, lokus_desa
from simpul_platform.devstack.population.identity import nik, no_kk
from simpul_platform.devstack.population.people import (
    HAZ_MEAN,
    HAZ_SD,
    SCHOOL_AGE_SEED,
    DemoAdult,
    DemoChild,
    demo_school_age,
    generate_adults,
    generate_balita,
    generate_school_age,
    month_ends,
)
from simpul_platform.devstack.population.posyandu import (
    KUKAR,
    KUKAR_POSYANDU,
    DemoPerson,
    DemoPosyandu,
    generate_kukar,
    kukar_desa,
)
from simpul_platform.devstack.population.replica import (
    ReplicaPosyandu,
    kukar_posyandu,
    settled_database,
)
from simpul_platform.devstack.population.size import DemoSize

__all__ = [
    "HAZ_MEAN",
    "HAZ_SD",
    "KUKAR",
    "KUKAR_POSYANDU",
    "SCHOOL_AGE_SEED",
    "DemoAdult",
    "DemoChild",
    "DemoPerson",
    "DemoPosyandu",
    "DemoSize",
    "ReplicaPosyandu",
    "decile_for",
    "demo_school_age",
    "generate_adults",
    "generate_balita",
    "generate_kukar",
    "generate_school_age",
    "kukar_desa",
    "kukar_posyandu",
    "lokus_desa",
    "month_ends",
    "nik",
    "no_kk",
    "settled_database",
]
