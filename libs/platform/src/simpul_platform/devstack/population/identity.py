"""NIK and No. KK laid out as Dukcapil issues them, so every service's own NIK rules accept
the population's people."""

from __future__ import annotations

from datetime import date


def nik(wilayah_code: str, birth: date, *, woman: bool, serial: int) -> str:
    """16 digits: the kecamatan of first registration (from any code beneath it), the birth date
    as DDMMYY with 40 added to the day for women, and a sequence (never 0000) from ``serial``."""
    region = wilayah_code[:8].replace(".", "")
    day = birth.day + (40 if woman else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 9999 + 1:04d}"


def no_kk(wilayah_code: str, block: str, serial: int) -> str:
    """16 digits: the kecamatan, a four-digit block (one per kind of household the population
    draws, so no two kinds share a number) and a six-digit serial."""
    return f"{wilayah_code[:8].replace('.', '')}{block}{serial:06d}"
