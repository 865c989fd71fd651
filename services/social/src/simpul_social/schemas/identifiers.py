"""No. KK and NIK as the document describes them: a pattern of what lokal-id's checks accept,
so a client (and a fuzzer) can tell a number the service takes from one it refuses. The
checks themselves run as validators under their own rule codes, more telling than a pattern
mismatch."""

from __future__ import annotations

from typing import Annotated

import lokal
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

SIXTEEN_DIGITS = r"^\d{16}$"
PROVINCE_CODE = "(" + "|".join(sorted(lokal.PROVINCES)) + ")"  # the table the checks use
KK_PATTERN = rf"^{PROVINCE_CODE}\d{{14}}$"

# A NIK is PP KK CC DDMMYY SSSS: kabupaten and kecamatan not 00, a real birth date (women's
# day plus 40; 29 February in years divisible by four, the only ones YY can say), serial not 0000.
_NOT_00 = r"(0[1-9]|[1-9]\d)"
_DAY_31 = r"(0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])(0[13578]|1[02])\d\d"
_DAY_30 = r"(0[1-9]|[12]\d|30|4[1-9]|[56]\d|70)(0[469]|11)\d\d"
_DAY_28 = r"(0[1-9]|1\d|2[0-8]|4[1-9]|5\d|6[0-8])02\d\d"
_LEAP_DAY = r"(29|69)02([02468][048]|[13579][26])"
_SERIAL = r"(\d{3}[1-9]|\d\d[1-9]\d|\d[1-9]\d\d|[1-9]\d{3})"
NIK_PATTERN = (
    rf"^{PROVINCE_CODE}{_NOT_00}{_NOT_00}({_DAY_31}|{_DAY_30}|{_DAY_28}|{_LEAP_DAY}){_SERIAL}$"
)


def _known_province(kk: str) -> str:
    if kk[:2] not in lokal.PROVINCES:
        message = "No. KK {prefix}… has no province code."
        raise PydanticCustomError("kk_province", message, {"prefix": kk[:2]})
    return kk


def _valid_nik(nik: str) -> str:
    info = lokal.parse_nik(nik)
    if not info.valid:
        issues = "; ".join(issue.message for issue in info.errors) or "not a NIK"
        raise PydanticCustomError("invalid_nik", issues)
    return nik


Kk = Annotated[
    str,
    Field(pattern=SIXTEEN_DIGITS, json_schema_extra={"pattern": KK_PATTERN}),
    AfterValidator(_known_province),
]
Nik = Annotated[
    str,
    Field(pattern=SIXTEEN_DIGITS, json_schema_extra={"pattern": NIK_PATTERN}),
    AfterValidator(_valid_nik),
]
