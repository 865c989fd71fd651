"""The six SPM fields and the people who serve them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from simpul_platform.domain import RuleViolation


class SpmField(StrEnum):
    health = "health"
    education = "education"
    social = "social"
    housing = "housing"
    public_works = "public_works"
    trantib = "trantib"


class Role(StrEnum):
    ketua = "ketua"
    sekretaris = "sekretaris"
    bendahara = "bendahara"
    ketua_bidang = "ketua_bidang"
    kader = "kader"


FIELD_ROLES = frozenset({Role.ketua_bidang, Role.kader})
# Roles a posyandu has at most one active holder of (per field for ketua bidang).
SINGLE_HOLDER_ROLES = frozenset({Role.ketua, Role.sekretaris, Role.bendahara, Role.ketua_bidang})


def normalise_fields(fields: Iterable[str]) -> list[str]:
    """Known field codes, deduplicated, in the canonical order."""
    wanted = set(fields)
    return [f.value for f in SpmField if f.value in wanted]


def encode_fields(fields: Iterable[str]) -> str:
    """Storage form ``,health,social,`` so one LIKE finds a field on every database."""
    codes = normalise_fields(fields)
    return "," + ",".join(codes) + "," if codes else ""


def decode_fields(stored: str) -> list[str]:
    return [code for code in stored.split(",") if code]


def check_role_field(role: Role, field: SpmField | None) -> None:
    """Kader and ketua bidang serve exactly one field; the other pengurus serve none."""
    if role in FIELD_ROLES and field is None:
        raise RuleViolation("field", "field_required", f"A {role.value} serves one SPM field.")
    if role not in FIELD_ROLES and field is not None:
        raise RuleViolation("field", "field_not_allowed", f"A {role.value} serves no single field.")
