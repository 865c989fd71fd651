"""No. KK and NIK as the document describes them: a pattern of what lokal-id's checks accept,
so a client (and a fuzzer) can tell a number the service takes from one it refuses. The
checks themselves run as validators under their own rule codes, more telling than a pattern
mismatch."""

from __future__ import annotations

from typing import Annotated

import lokal
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from simpul_platform.identity import KK_PATTERN, NIK_PATTERN

SIXTEEN_DIGITS = r"^\d{16}$"


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
