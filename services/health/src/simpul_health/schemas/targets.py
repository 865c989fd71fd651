"""Targets (sasaran): a person at a posyandu. NIK and No. KK are for health roles only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from lokal import PROVINCES
from pydantic import BaseModel, ConfigDict, Field

Sex = Literal["M", "F"]


# The day of a NIK (plus 40 for a woman) and its month, as lokal-id reads them: any month
# has days 1 to 29, every month but February a 30th, seven months a 31st. Whether 29 February
# exists depends on the century, which only the NIK's reader decides.
_DAY_MONTH = (
    r"(?:(?:0[1-9]|[12]\d|4[1-9]|[56]\d)(?:0[1-9]|1[0-2])"
    r"|(?:30|70)(?:0[13-9]|1[0-2])"
    r"|(?:31|71)(?:0[13578]|1[02]))"
)
_NOT_00 = r"(?:0[1-9]|[1-9]\d)"
_SERIAL = r"(?:[1-9]\d{3}|\d[1-9]\d{2}|\d{2}[1-9]\d|\d{3}[1-9])"  # not 0000


def _nik_pattern() -> str:
    """A NIK's structure as ``check_nik`` (lokal-id) reads it, so the OpenAPI document says
    which numbers can be a NIK: PP KK CC DDMMYY SSSS, a known province, kabupaten and
    kecamatan not 00, a day the month has, serial not 0000."""
    province = "|".join(sorted(PROVINCES))
    return rf"^(?:{province}){_NOT_00}{_NOT_00}{_DAY_MONTH}\d{{2}}{_SERIAL}$"


NIK = Field(pattern=_nik_pattern(), examples=["6402065207230001"])


class TargetIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nik": "6402065207230001",
                    "kk": "6402060101200003",
                    "name": "Siti Aminah",
                    "sex": "F",
                    "birth_date": "2023-07-12",
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                }
            ]
        }
    )
    nik: str = NIK
    kk: str | None = Field(default=None, pattern=r"^\d{16}$")
    name: str = Field(min_length=1, max_length=120)
    sex: Sex
    birth_date: date
    posyandu_id: str = Field(min_length=1, max_length=36)


class TargetOut(BaseModel):
    id: str
    nik: str
    kk: str | None
    name: str
    sex: Sex
    birth_date: date
    posyandu_id: str
    desa_code: str
    person_ref: str
    household_ref: str | None
    life_cycle_group: str
    created_by: str
    created_at: datetime
