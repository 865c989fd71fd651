"""API request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from simpul_platform.identity import MAN_NIK_PATTERN, NIK_PATTERN, WOMAN_NIK_PATTERN
from simpul_platform.wilayah import DESA_PATTERN
from simpul_registry.domain.fields import FIELD_ROLES, Role, SpmField
from simpul_registry.domain.lifecycle import Status

RTRW = r"^\d{1,3}$"
# A box around Indonesia: Sabang to Merauke, Miangas to Rote.
LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = -11.5, 6.5, 94.5, 141.5


# What the pair check below refuses, said in the schema: both numbers, or neither (absent or null).
COORDINATE_PAIR: list[JsonSchemaValue] = [
    {"required": ["latitude", "longitude"],
     "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}}},
    {"properties": {"latitude": {"type": "null"}, "longitude": {"type": "null"}}},
]


def _iso_date_text(value: object) -> object:
    """Only a JSON string reaches date parsing: pydantic would read ``0`` as 1970-01-01."""
    if not isinstance(value, str | date):
        raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD")
    return value


# A date sent as "YYYY-MM-DD" and nothing else, as the schema's ``format: date`` says.
Day = Annotated[date, BeforeValidator(_iso_date_text)]


class Coordinates(BaseModel):
    latitude: float | None = Field(default=None, ge=LAT_MIN, le=LAT_MAX)
    longitude: float | None = Field(default=None, ge=LON_MIN, le=LON_MAX, validate_default=True)

    @field_validator("longitude")
    @classmethod
    def _both_or_neither(cls, longitude: float | None, info: ValidationInfo) -> float | None:
        if "latitude" not in info.data:  # the latitude itself was refused
            return longitude
        if (info.data["latitude"] is None) != (longitude is None):
            raise PydanticCustomError(
                "coordinates_pair", "Give both latitude and longitude, or neither.")
        return longitude

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["anyOf"] = COORDINATE_PAIR
        return schema


class PosyanduIn(Coordinates):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Posyandu Mawar", "desa_code": "64.02.06.2012", "dusun": "Dusun I",
        "rt": "003", "rw": "001", "latitude": -0.4102, "longitude": 117.0221,
        "fields": ["health", "education", "social"],
    }]})

    name: str = Field(min_length=3, max_length=120)
    desa_code: str = Field(pattern=DESA_PATTERN)
    dusun: str | None = Field(default=None, max_length=80)
    rt: str | None = Field(default=None, pattern=RTRW)
    rw: str | None = Field(default=None, pattern=RTRW)
    address: str | None = Field(default=None, max_length=200)
    fields: list[SpmField] = Field(default_factory=list, max_length=6)


class PosyanduPatch(Coordinates):
    """Only the fields sent change; the desa can change only while the posyandu is a draft."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Posyandu Mawar Indah", "fields": ["health", "education", "social", "trantib"],
    }]})

    name: str | None = Field(default=None, min_length=3, max_length=120)
    desa_code: str | None = Field(default=None, pattern=DESA_PATTERN)
    dusun: str | None = Field(default=None, max_length=80)
    rt: str | None = Field(default=None, pattern=RTRW)
    rw: str | None = Field(default=None, pattern=RTRW)
    address: str | None = Field(default=None, max_length=200)
    fields: list[SpmField] | None = Field(default=None, max_length=6)


class FieldStaff(BaseModel):
    field: str
    ketua_bidang: str | None  # person id
    active_kader: int
    missing_ketua_bidang: bool
    no_kader: bool


class PosyanduOut(BaseModel):
    id: str
    name: str
    desa_code: str
    kecamatan_code: str
    kabupaten_code: str
    dusun: str | None
    rt: str | None
    rw: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    fields: list[str]
    status: Status
    registration_number: str | None
    sk_tp_number: str | None
    sk_tp_date: date | None
    sk_kepengurusan_number: str | None
    sk_kepengurusan_date: date | None
    rekap_number: str | None
    rekap_date: date | None
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class PosyanduPage(BaseModel):
    items: list[PosyanduOut]
    total: int
    page: int
    page_size: int


class SubmitIn(BaseModel):
    """The supporting documents' numbers and dates."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "sk_tp_number": "141/12/SK-TP/2025", "sk_tp_date": "2025-08-01",
        "sk_kepengurusan_number": "141/13/SK-KP/2025", "sk_kepengurusan_date": "2025-08-02",
        "rekap_number": "REKAP/2025/06", "rekap_date": "2025-08-05",
    }]})

    sk_tp_number: str = Field(min_length=1, max_length=80)
    sk_tp_date: Day
    sk_kepengurusan_number: str = Field(min_length=1, max_length=80)
    sk_kepengurusan_date: Day
    rekap_number: str = Field(min_length=1, max_length=80)
    rekap_date: Day


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "SK kepengurusan unsigned"}]})

    reason: str = Field(min_length=3, max_length=500)


class OptionalReasonIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Documents checked"}]})

    reason: str | None = Field(default=None, max_length=500)


class RegisterIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"registration_number": "64.02.06.2012.001"}]})

    registration_number: str = Field(min_length=1, max_length=30)


class StatusChangeOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    reason: str | None
    actor: str
    at: datetime


# What check_role_field refuses, said in the schema: kader and ketua bidang name one field,
# the other pengurus none (the field absent or null).
ROLE_FIELD: list[JsonSchemaValue] = [
    {"required": ["field"], "properties": {
        "role": {"enum": sorted(r.value for r in FIELD_ROLES)}, "field": {"type": "string"}}},
    {"properties": {
        "role": {"enum": sorted(r.value for r in Role if r not in FIELD_ROLES)},
        "field": {"type": "null"}}},
]

# What check_gender refuses: a declared gender agrees with the one the NIK's birth day encodes.
GENDER_OF_NIK: list[JsonSchemaValue] = [
    *({"required": ["gender"], "properties": {"gender": {"const": gender},
                                               "nik": {"pattern": pattern}}}
      for gender, pattern in (("L", MAN_NIK_PATTERN), ("P", WOMAN_NIK_PATTERN))),
    {"properties": {"gender": {"type": "null"}}},
]


class PersonIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "nik": "6402064507900003", "name": "Siti Aminah", "gender": "P", "role": "kader",
        "field": "health", "start_date": "2025-01-01",
    }]})

    # The schema states the structure (province, region, day, month, sequence) that check_nik
    # enforces with named rules; only the digits are checked here, so its rule codes survive.
    nik: str = Field(min_length=16, max_length=16, pattern=r"^\d{16}$",
                     json_schema_extra={"pattern": NIK_PATTERN})
    name: str = Field(min_length=2, max_length=120)
    gender: Literal["L", "P"] | None = None
    role: Role
    field: SpmField | None = None
    start_date: Day
    end_date: Day | None = None

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["allOf"] = [{"anyOf": ROLE_FIELD}, {"anyOf": GENDER_OF_NIK}]
        return schema


class ReleaseIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"end_date": "2025-10-31"}]})

    end_date: Day


class PersonOut(BaseModel):
    """A person as this service's own users see them (the NIK masked but for its region and
    last two digits)."""

    id: str
    posyandu_id: str
    nik_masked: str = Field(examples=["640206********02"])
    person_ref: str
    name: str
    gender: str
    birth_date: date
    role: str
    field: str | None
    start_date: date
    end_date: date | None
    active: bool
    created_by: str
    updated_by: str


class TargetIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"target": 827,
                                                                "due_date": "2025-10-31"}]})

    target: int = Field(ge=1, le=1_000_000)
    due_date: Day | None = None


class TargetOut(BaseModel):
    wilayah_code: str
    target: int
    due_date: date | None
    set_by: str
    set_at: datetime


class ProgressRow(BaseModel):
    code: str
    name: str
    counts: dict[str, int]
    total: int
    registered: int
    target: int | None
    share_of_target: float | None
    share_of_total: float | None


class ProgressOut(BaseModel):
    wilayah: ProgressRow
    due_date: date | None
    children: list[ProgressRow]


class RegionOut(BaseModel):
    code: str
    name: str
    level: int
    type: str
    postal_code: str | None = None


class WilayahOut(RegionOut):
    parents: list[RegionOut]
    children: list[RegionOut]


class ImportRowResult(BaseModel):
    row: int
    outcome: Literal["created", "updated", "unchanged", "rejected"]
    posyandu_id: str | None = None
    name: str | None = None
    desa_code: str | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: int
    rows: list[ImportRowResult]
