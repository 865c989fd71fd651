"""What housing makes of trantib's damaged houses (a fire's, a disaster's): which households
become disaster houses, under which of housing's disaster kinds, over which area. Pure: no
FastAPI, SQL or Kafka.

Trantib classes a house as PUPR's RR / RS / RB or BPS's hilang, and ``none`` when a disaster
household's house stood: only a damaged house is a unit of SPM perumahan 1. Trantib speaks
BNPB's hazard vocabulary (FIELDS.md §4); housing keeps the coarser list of
``domain.disaster.DisasterKind``, so a hazard maps to the kind whose damage it does, and one
without a match is ``lainnya``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from simpul_housing.domain.disaster import DisasterKind
from simpul_platform.wilayah import parent

DAMAGED: frozenset[str] = frozenset({"rr", "rs", "rb", "hilang"})
FIRE: DisasterKind = "kebakaran"
OTHER: DisasterKind = "lainnya"
# BNPB's hazards as trantib records them → housing's disaster kinds.
KINDS: Mapping[str, DisasterKind] = {
    "banjir": "banjir",
    "banjir_bandang": "banjir",
    "tanah_longsor": "tanah_longsor",
    "gempa_bumi": "gempa_bumi",
    "tsunami": "tsunami",
    "erupsi": "erupsi",
    "angin_puting_beliung": "angin_puting_beliung",
    "cuaca_ekstrem": "angin_puting_beliung",
    "gelombang_pasang_abrasi": "abrasi",
    "karhutla": "kebakaran",
}
NAME_MIN, NAME_MAX = 3, 160  # housing's disaster name (schemas.disaster.DisasterIn)


def housing_kind(trantib_kind: str) -> DisasterKind:
    """Housing's kind of a trantib hazard (``lainnya`` for one without a match: kekeringan,
    epidemi, a hazard added later)."""
    return KINDS.get(trantib_kind, OTHER)


def is_damaged(damage: str) -> bool:
    """A house trantib found damaged or lost (not ``none``, nor a class housing does not
    know)."""
    return damage in DAMAGED


def fire_name(object_kind: str, desa_code: str, occurred_on: str) -> str:
    return disaster_name(f"Kebakaran {object_kind} {desa_code} {occurred_on}")


def disaster_name(name: str) -> str:
    """A name within housing's bounds (trantib's may be shorter or longer)."""
    name = " ".join(name.split())[:NAME_MAX]
    return name if len(name) >= NAME_MIN else f"Bencana {name}".strip()


def smallest_area(home: str, others: Iterable[str]) -> str:
    """The smallest wilayah holding ``home`` (a fire's desa) and every other code (its damaged
    houses' desa); ``home`` itself when they share none (the others then lie outside it)."""
    found = home
    for code in others:
        while not within(code, found):
            up = parent(found)
            if up is None:
                return home
            found = up
    return found


def within(code: str, area: str) -> bool:
    """``code`` is ``area`` or lies inside it."""
    return code == area or code.startswith(area + ".")
