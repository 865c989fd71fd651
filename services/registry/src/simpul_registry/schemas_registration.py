"""Kemendagri's registration numbers for a kabupaten, imported in one upload."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RegistrationNumberRow(BaseModel):
    """One line of Kemendagri's list: checked row by row, so only the shape is required here."""

    desa_code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    registration_number: str = Field(max_length=40)


class RegistrationNumbersIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rows": [
                        {
                            "desa_code": "64.02.06.2012",
                            "name": "Posyandu Mawar",
                            "registration_number": "64.02.06.2012.001",
                        }
                    ]
                }
            ]
        }
    )

    rows: list[RegistrationNumberRow] = Field(max_length=5000)


class RegistrationNumberResult(BaseModel):
    row: int = Field(description="1 = the first data row")
    line: int | None = Field(default=None, description="The CSV line (1 = the header)")
    outcome: Literal["registered", "unchanged", "rejected"]
    desa_code: str
    name: str
    registration_number: str
    posyandu_id: str | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class RegistrationNumbersOut(BaseModel):
    registered: int
    unchanged: int
    rejected: int
    rows: list[RegistrationNumberResult]
