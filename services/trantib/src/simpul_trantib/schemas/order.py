"""Public-order reports and deteksi dini notes: the bodies in, the records out.

A reporter's identity comes in (``ReporterIn``) and goes out to the report's handler alone
(``ReporterOut``): no other response model has a field for it. Its checks are the schema's
own (length, pattern), whose messages name the rule and never repeat the value (the problem
handler renders ``msg`` only, not pydantic's ``input``), so a refused identity is not echoed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError

from simpul_platform.clock import IsoDate
from simpul_platform.identity import NIK_PATTERN
from simpul_trantib.domain.order import (
    Category,
    Handling,
    Level,
    OrderStatus,
    RejectReason,
    TypedSource,
)
from simpul_trantib.schemas import EARLIEST, Instant, Out


def _not_too_early(value: date) -> date:
    if value < EARLIEST:
        raise PydanticCustomError("too_early", "A date is not before {year}.", {"year": 2000})
    return value


Note = Annotated[str | None, Field(default=None, max_length=500)]

EXAMPLE: dict[str, Any] = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "category": "keributan",
    "place": "Pasar Rapak Lambur, los ikan",
    "latitude": -0.4203,
    "longitude": 116.9871,
    "occurred_at": "2026-03-01T22:30:00+08:00",
    "reported_on": "2026-03-02",
    "source": "warga",
    "reporter": {"name": "Siti", "phone": "081234567890"},
}


class ReporterIn(BaseModel):
    """Who reported the disturbance, every part optional (an anonymous report sends none).
    Sealed at rest; shown to the report's Satpol PP handler alone."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 -]{5,22}$", max_length=24)
    nik: str | None = Field(default=None, pattern=NIK_PATTERN)
    address: str | None = Field(default=None, min_length=1, max_length=300)

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


class OrderReportIn(BaseModel):
    """A public-order disturbance at a posyandu's desa. From an incoming ``disturbance_report``
    referral: name it in ``referral_id`` (accepted with the report as its case)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]}, extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    category: Category
    place: str = Field(
        min_length=1, max_length=300, description="where it happened (a market, a road); no one"
    )
    # Either axis may hold either value: a swapped pair is named by the check, not the schema.
    latitude: float | None = Field(default=None, ge=-180, le=180)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    occurred_at: Instant
    reported_on: IsoDate | None = Field(default=None, description="today when omitted")
    source: TypedSource | None = Field(
        default=None,
        description="who brought it; when omitted: the recorder's own role (kader, linmas), "
        "else warga",
    )
    reporter: ReporterIn | None = None
    referral_id: str | None = Field(default=None, max_length=36)


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handler: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the Satpol PP officer (token subject) who handles it; the caller when omitted",
    )
    verified_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: Note


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handling: Handling = Field(description="penegakan (a Perda/Perkada enforced) or mediasi")
    regulation: str | None = Field(
        default=None, min_length=1, max_length=120, description="the Perda/Perkada enforced"
    )
    affected_citizens: int | None = Field(default=None, ge=0, le=1_000_000)
    handled_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: Note


class ServeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citizens_served: int = Field(ge=0, le=1_000_000)
    affected_citizens: int | None = Field(
        default=None, ge=0, le=1_000_000, description="as recorded when handled, when omitted"
    )
    served_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: Note


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    closed_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: Note


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RejectReason
    rejected_on: IsoDate | None = Field(default=None, description="today when omitted")
    note: Note


class OrderReportOut(Out):
    """A report as it stands (never its reporter)."""

    id: str
    posyandu_id: str
    desa_code: str
    category: str
    place: str
    latitude: float | None
    longitude: float | None
    occurred_at: datetime
    reported_on: date
    source: str
    referral_id: str | None
    status: OrderStatus
    handler: str | None
    verified_on: date | None
    handling: str | None
    handled_on: date | None
    affected_citizens: int | None
    citizens_served: int | None
    served_on: date | None
    closed_on: date | None
    close_reason: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class OrderStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    step_on: date
    codes: dict[str, Any]
    note: str | None
    actor: str
    at: datetime


class OrderReportDetail(OrderReportOut):
    """A report with every step taken (oldest first), the allowed next steps and the deteksi
    dini note it was escalated from."""

    history: list[OrderStepOut]
    allowed: list[str]
    early_detection_note_id: str | None


class ReporterOut(BaseModel):
    """The sealed identity, opened for the report's handler; ``anonymous`` when none was given."""

    report_id: str
    anonymous: bool
    name: str | None = None
    phone: str | None = None
    nik: str | None = None
    address: str | None = None


# --- deteksi dini ---------------------------------------------------------------------------


class EarlyDetectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    observed_on: Annotated[IsoDate, AfterValidator(_not_too_early)]
    category: Category
    level: Level
    summary: str = Field(
        min_length=1, max_length=1000, description="what was seen, of the place; name no one"
    )


class EscalateIn(BaseModel):
    """What the report the note opens adds to it: where, and when (the start of the observed
    day when omitted)."""

    model_config = ConfigDict(extra="forbid")

    place: str = Field(min_length=1, max_length=300)
    latitude: float | None = Field(default=None, ge=-180, le=180)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    occurred_at: Instant | None = None
    reported_on: IsoDate | None = Field(default=None, description="today when omitted")


class EarlyDetectionOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    observed_on: date
    category: str
    level: str
    summary: str
    report_id: str | None
    created_by: str
    created_at: datetime
