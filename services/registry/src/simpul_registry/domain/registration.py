"""Kemendagri registration numbers: ``PP.KK.KC.DDDD.NNN`` = desa code + 3-digit sequence."""

from __future__ import annotations

import re

from simpul_platform.domain import RuleViolation
from simpul_platform.wilayah import DESA_PATTERN, parent

# The desa code and a three-digit sequence.
NUMBER_PATTERN = re.compile(DESA_PATTERN.removesuffix("$") + r"\.\d{3}$")


def check_registration_number(number: str, desa_code: str) -> str:
    """The number, normalised; RuleViolation when malformed or not of this posyandu's desa."""
    value = number.strip()
    if not NUMBER_PATTERN.fullmatch(value):
        raise RuleViolation(
            "registration_number", "format",
            "A registration number has the form PP.KK.KC.DDDD.NNN, e.g. 64.02.06.2012.001.",
        )
    if parent(value) != desa_code:
        raise RuleViolation(
            "registration_number", "desa_mismatch",
            f"Registration number {value} does not begin with the posyandu's desa code "
            f"{desa_code}.",
        )
    if value.endswith(".000"):
        raise RuleViolation("registration_number", "sequence", "The sequence 000 is not issued.")
    return value
