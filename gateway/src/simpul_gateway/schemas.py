"""What the gateway answers: every view shows all six fields, each with its status."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from simpul_gateway.upstream import Status
from simpul_platform.indicators import IndicatorValue, SpmField
from simpul_platform.referrals.schemas import Group, ReferralCounts
from simpul_platform.referrals.schemas import Status as ReferralStatus

# The referral counts a view can be narrowed to (the names of ReferralCounts' counts).
CountName = Literal["open", "overdue", "resolved", "rejected", "resolved_on_time"]


class UpstreamSection(BaseModel):
    """One service's part of a view; ``data`` is null unless ``status`` is ``ok``."""

    status: Status = Field(examples=["ok"])
    data: Any = None
    detail: str | None = Field(default=None, examples=["no education service is deployed yet"])


class FieldSection(UpstreamSection):
    """One SPM field's part of a view."""

    field: SpmField


class FieldStatus(BaseModel):
    """Whether one field's service answered the call behind part of a view."""

    field: SpmField
    status: Status = Field(examples=["ok"])
    detail: str | None = Field(default=None, examples=["trantib takes no referrals yet"])


class OpenReferral(BaseModel):
    """A referral still waiting: who saw the need, which OPD owes it, where and since when.
    No subject: the person and household stay in the services."""

    id: str
    source_field: SpmField = Field(description="the field that saw the need")
    target_field: SpmField = Field(description="the OPD that owns it and leaves it waiting")
    automatic: bool = Field(description="opened by the target's own rule on another's event")
    posyandu_id: str
    desa_code: str
    reason_code: str = Field(examples=["bansos_need"], description="the target's catalogue")
    status: ReferralStatus = Field(examples=["requested"])
    requested_on: date
    accepted_on: date | None = None
    due_on: date = Field(description="in working days from requested_on (the target's policy)")
    overdue: bool = Field(description="still open after due_on")


class CrossFieldCase(BaseModel):
    field: SpmField
    case_id: str
    kind: str = Field(examples=["priority_case"])
    status: str
    due_on: date | None = None
    overdue: bool = False


class HeldDay(BaseModel):
    """A posyandu day recorded as held: its kader present ÷ kader appointed on it."""

    day: date
    kader_present: int
    kader_expected: int = Field(description="kader appointed on the day (start ≤ day ≤ end)")
    percent: float | None = Field(description="present ÷ expected; null when none expected")
    fields: list[str] = Field(description="the SPM fields the day served", examples=[["health"]])


class PosyanduDays(BaseModel):
    """The posyandu's days from the registry; the dates are null unless ``status`` is ``ok``."""

    status: Status = Field(examples=["ok"])
    detail: str | None = None
    next_open_day: date | None = Field(
        default=None, description="the next planned day after today not recorded as not held"
    )
    last_held_day: HeldDay | None = Field(
        default=None, description="the latest day up to today recorded as held (400 days back)"
    )


class PosyanduProfile(BaseModel):
    posyandu: dict[str, Any] = Field(description="identity and registration, from the registry")
    staffing: UpstreamSection = Field(description="kader and ketua bidang per field (registry)")
    fields: list[FieldSection]
    open_cases: list[CrossFieldCase]
    referrals: list[OpenReferral] = Field(
        description="open referrals from or to this posyandu's fields, earliest due first"
    )
    referrals_status: list[FieldStatus] = Field(
        description="each field's answer for its referrals; a field that did not answer has "
        "its referrals missing, except the copies the other side keeps"
    )
    period: str
    days: PosyanduDays = Field(description="next open day and last held day (registry)")


class ScorecardRow(BaseModel):
    field: SpmField
    status: Status
    indicator: IndicatorValue | None = None
    detail: str | None = None


class WilayahLink(BaseModel):
    """One level down: a child wilayah, or (below a desa) one of its posyandu."""

    code: str = Field(description="the child's wilayah code; for a posyandu, its desa's")
    name: str
    href: str
    posyandu_id: str | None = Field(
        default=None, description="set when the child is a posyandu of the desa ``code``"
    )


class Scorecard(BaseModel):
    wilayah: str
    name: str | None = Field(description="the wilayah's name, or the posyandu's")
    period: str
    rows: list[ScorecardRow]
    children: list[WilayahLink] = Field(
        description="kecamatan of a kabupaten, desa of a kecamatan, posyandu of a desa; "
        "none for a posyandu"
    )
    posyandu_id: str | None = Field(
        default=None, description="set when the scorecard is this one posyandu's"
    )


class LocusComponent(BaseModel):
    name: str = Field(examples=["stunting_prevalence"])
    field: SpmField
    percent: float | None
    weight: float
    numerator: int | None = None
    denominator: int | None = None


class Locus(BaseModel):
    rank: int
    code: str
    name: str | None
    score: float | None
    complete: bool = Field(description="false when a component's service did not answer")
    components: list[LocusComponent]


class PriorityLoci(BaseModel):
    wilayah: str
    period: str
    weights: dict[str, float]
    fields: list[FieldSection] = Field(description="status of every field's contribution")
    loci: list[Locus]


class ReferralFieldRow(FieldStatus):
    """One target field (OPD): the referrals it owns; counts are null unless it answered."""

    counts: ReferralCounts | None = None
    by_source_field: dict[str, ReferralCounts] | None = Field(
        default=None, description="the same counts per field that referred them"
    )


class ReferralGroupRow(BaseModel):
    """One kecamatan, desa or posyandu: counts summed over the target fields that answered."""

    code: str = Field(description="kecamatan or desa code, or posyandu id")
    counts: ReferralCounts
    by_field: dict[str, ReferralCounts] = Field(description="per target field (OPD)")
    href: str = Field(description="the same view one level down (a posyandu: its profile)")


class ReferralOverview(BaseModel):
    """Cross-field referrals in a wilayah, by the OPD that owns them and by group."""

    wilayah: str
    as_of: date
    group: Group
    status: CountName | None = Field(description="the count the groups are narrowed to")
    field: SpmField | None = Field(description="the one target field asked for")
    complete: bool = Field(
        description="false when a field that takes referrals did not answer: totals, groups "
        "and both lists then lack its referrals"
    )
    totals: ReferralCounts = Field(description="summed over the fields that answered")
    by_field: list[ReferralFieldRow] = Field(description="every SPM field (or the one asked)")
    by_group: list[ReferralGroupRow]
    overdue: list[OpenReferral] = Field(description="longest overdue first, across fields")
    oldest_open: list[OpenReferral] = Field(
        description="open ones (requested or accepted, overdue or not), the earliest requested "
        "first, across fields, within the overdue list's limit"
    )


class PosyanduMatch(BaseModel):
    """One posyandu a search found: where it is and how far its registration has come. No
    people and nothing personal: no address, coordinates or names of its pengurus."""

    id: str
    name: str = Field(examples=["Posyandu Mawar"])
    desa_code: str = Field(examples=["64.02.06.2012"])
    desa_name: str | None = Field(
        default=None, description="null when the registry's wilayah table did not answer"
    )
    kecamatan_code: str = Field(examples=["64.02.06"])
    kecamatan_name: str | None = Field(
        default=None, description="null when the registry's wilayah table did not answer"
    )
    status: str = Field(
        examples=["registered"],
        description="registration with Kemendagri: draft, submitted, verified, registered or "
        "inactive",
    )
    registration_number: str | None = Field(default=None, examples=["64.02.06.2012.001"])


class PosyanduSearch(BaseModel):
    """A page of the posyandu whose name contains ``q`` in the wilayah (the registry's order:
    by desa, then name)."""

    wilayah: str | None = Field(description="the wilayah searched; null: all of the caller's")
    wilayah_name: str | None = Field(default=None, examples=["Kutai Kartanegara"])
    q: str | None = Field(description="the name searched for; null: every posyandu")
    items: list[PosyanduMatch]
    total: int = Field(description="matches over all pages")
    page: int
    page_size: int
