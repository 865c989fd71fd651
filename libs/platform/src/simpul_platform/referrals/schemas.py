"""What the referral routes take and answer (every field mounts the same ones)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, WithJsonSchema

from simpul_platform.identity import KK_PATTERN, NIK_PATTERN
from simpul_platform.indicators import SpmField

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# A detail is named as the catalogue names it (snake_case), so no other key can pass. The
# schema says so with propertyNames: pydantic's own rendering (patternProperties) would let
# JSON Schema accept any other key as well.
DETAIL_NAME = r"^[a-z][a-z0-9_]{0,39}$"
DetailName = Annotated[str, StringConstraints(pattern=DETAIL_NAME)]
DetailValue = StrictInt | Annotated[str, StringConstraints(min_length=1, max_length=40)]
Details = Annotated[
    dict[DetailName, DetailValue],
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": 10,
            "propertyNames": {"pattern": DETAIL_NAME},
            "additionalProperties": {
                "anyOf": [
                    {"type": "integer"},
                    {"type": "string", "minLength": 1, "maxLength": 40},
                ]
            },
        }
    ),
]
Note = Annotated[str, StringConstraints(max_length=500)]
Status = Literal["requested", "accepted", "rejected", "resolved"]
StatusFilter = Literal["requested", "accepted", "rejected", "resolved", "open", "overdue"]
Direction = Literal["outgoing", "incoming"]
Group = Literal["kecamatan", "desa", "posyandu"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferralIn(_In):
    """A need this field saw that another field owns."""

    target_field: SpmField = Field(examples=["social"])
    posyandu_id: str = Field(min_length=1, max_length=36)
    reason_code: Code = Field(
        examples=["bansos_need"],
        description="from the target's catalogue (/v1/referral-catalogues)",
    )
    nik: str | None = Field(
        default=None, pattern=NIK_PATTERN, description="the person; stays in this service"
    )
    no_kk: str | None = Field(
        default=None, pattern=KK_PATTERN, description="the household; stays in this service"
    )
    details: Details = Field(
        default_factory=dict,
        max_length=10,
        examples=[{"program": "pkh"}],
        description="the structured details the reason takes, by name (the catalogue)",
    )
    requested_on: date | None = Field(default=None, description="today when omitted")
    note: Note | None = Field(default=None, description="free text; stays in this service")


class AcceptIn(_In):
    case_ref: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z._:-]+$",
        description="the id of this field's own case opened for the referral",
    )
    accepted_on: date | None = Field(default=None, description="today when omitted")
    note: Note | None = None


class RejectIn(_In):
    rejection_code: Code = Field(examples=["not_our_field"])
    rejected_on: date | None = Field(default=None, description="today when omitted")
    note: Note | None = None


class ResolveIn(_In):
    outcome_code: Code = Field(examples=["bansos_granted"])
    resolved_on: date | None = Field(default=None, description="today when omitted")
    note: Note | None = None


class ReferralBrief(BaseModel):
    """A referral without its subject: what DPMD and the gateway may read."""

    id: str
    direction: Direction
    source_field: SpmField
    target_field: SpmField
    automatic: bool
    posyandu_id: str
    desa_code: str
    reason_code: str
    status: Status
    requested_on: date
    due_on: date
    overdue: bool
    accepted_on: date | None = None
    rejected_on: date | None = None
    resolved_on: date | None = None
    resolved_on_time: bool | None = Field(
        default=None, description="null until resolved; then whether on or before due_on"
    )
    rejection_code: str | None = None
    outcome_code: str | None = None


class ReferralOut(ReferralBrief):
    """A referral as its field's own users see it."""

    details: dict[str, str | int]
    person_ref: str | None
    household_ref: str | None
    nik_masked: str | None = Field(default=None, description="outgoing only: whom it is about")
    no_kk_masked: str | None = None
    note: str | None = Field(default=None, description="outgoing only: the source's words")
    case_ref: str | None = None


class StepOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    code: str | None
    note: str | None
    actor: str
    step_on: date


class ReferralDetail(ReferralOut):
    history: list[StepOut]


class ReferralCounts(BaseModel):
    total: int = 0
    open: int = Field(default=0, description="requested or accepted")
    overdue: int = Field(default=0, description="open after its due date")
    rejected: int = 0
    resolved: int = 0
    resolved_on_time: int = 0


class ReferralGroup(ReferralCounts):
    code: str = Field(description="the kecamatan or desa code, or the posyandu id")


class ReferralSummary(BaseModel):
    """Referral counts of one field in one direction, in total and per group."""

    field: SpmField
    direction: Direction
    as_of: date
    wilayah: str | None
    group: Group
    totals: ReferralCounts
    by_other_field: dict[str, ReferralCounts] = Field(
        description="per source field (incoming) or per target field (outgoing)"
    )
    groups: list[ReferralGroup]
    overdue: list[ReferralBrief] = Field(description="the longest overdue first, at most `limit`")
    # A default, so a reader of an answer from a service not yet upgraded still parses it.
    oldest_open: list[ReferralBrief] = Field(
        default_factory=list,
        description="open (requested or accepted) ones, overdue or not, the earliest requested "
        "first, at most `limit`",
    )


class DetailSpec(BaseModel):
    name: str
    kind: str
    required: bool
    minimum: int | None = None
    maximum: int | None = None
    choices: list[str] = []


class ReasonSpec(BaseModel):
    code: str
    label: str
    subject: str
    automatic: bool
    details: list[DetailSpec]


class CodeSpec(BaseModel):
    code: str
    label: str


class CatalogueOut(BaseModel):
    field: SpmField
    due_working_days: int
    reasons: list[ReasonSpec]
    outcomes: list[CodeSpec]
    rejections: list[CodeSpec]
