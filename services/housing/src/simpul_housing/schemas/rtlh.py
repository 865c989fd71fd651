"""RTLH cases: the bodies of each step, the case as read, and a house's aid history. A case
names its household by pseudonym; the No. KK stays on the house's record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.domain.rtlh import AidProgram, FundingSource, RejectReason
from simpul_housing.domain.survey import Kawasan
from simpul_housing.schemas import Out
from simpul_housing.schemas.assessments import SURVEY_EXAMPLE, SurveyIn
from simpul_platform.clock import IsoDate

# Who reports a house a user opens a case for.
OpenSource = Literal["kader", "desa", "opd", "referral"]
TODAY = "today when omitted"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RtlhOpenIn(_In):
    """A house reported not livable. ``house_id`` names it; with ``source=referral``,
    ``referral_id`` names the incoming ``rtlh_suspected`` referral instead and the house is
    the one its household lives in (a house with an open case links the referral to it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "house_id": "2c7e9a41-6b3d-4f1e-8a90-1d2c3b4a5e6f",
                    "source": "kader",
                    "reported_on": "2026-03-02",
                }
            ]
        },
    )
    house_id: str | None = Field(default=None, min_length=1, max_length=36)
    household_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=36,
        description="which of the house's households the aid is for (the first recorded "
        "when omitted)",
    )
    source: OpenSource
    referral_id: str | None = Field(default=None, min_length=1, max_length=36)
    reported_on: IsoDate | None = Field(default=None, description=TODAY)
    note: str | None = Field(default=None, max_length=500)


class SurveyStepIn(_In):
    """The survey the case goes on: one recorded now (``survey``), one of the house's by id,
    or (neither given) the house's latest. A survey livable under the rule set Perkim follows
    ends the case as ``not_rtlh``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"survey": SURVEY_EXAMPLE}]}
    )
    assessment_id: str | None = Field(default=None, min_length=1, max_length=36)
    survey: SurveyIn | None = None


class VerifyIn(_In):
    """sts_verifikasi = Y, with ket_verifikasi."""

    verified_on: IsoDate | None = Field(default=None, description=TODAY)
    note: str | None = Field(default=None, max_length=500)


class PrioritiseIn(_In):
    """Jenis kawasan (the linked survey's when omitted); the DTSEN decile is social's."""

    kawasan: list[Kawasan] | None = Field(default=None, max_length=8)
    prioritised_on: IsoDate | None = Field(default=None, description=TODAY)


class ProposeIn(_In):
    """The usulan: where the money is asked from, for which year."""

    funding_source: FundingSource
    proposal_year: int = Field(ge=2000, le=2100)
    proposed_on: IsoDate | None = Field(default=None, description=TODAY)


class AssignIn(_In):
    """The aid: programme, amount in rupiah, fiscal year."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"program": "bsps", "amount": 20000000, "year": 2026, "assigned_on": "2026-04-01"}
            ]
        },
    )
    program: AidProgram
    amount: int = Field(ge=1, le=10_000_000_000)
    year: int = Field(ge=2000, le=2100)
    assigned_on: IsoDate | None = Field(default=None, description=TODAY)


class StartConstructionIn(_In):
    """Works began; the TFL (field facilitator) and the recipient group stay here."""

    started_on: IsoDate | None = Field(default=None, description=TODAY)
    tfl: str | None = Field(default=None, max_length=120, description="tenaga fasilitator")
    recipient_group: str | None = Field(default=None, max_length=120, description="KPB name")


class HandleIn(_In):
    """The after-works re-survey, with the same fields as every survey (recorded as kind
    ``after_works``). Livable under Perkim's rule set: the house is RLH."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"survey": SURVEY_EXAMPLE}]}
    )
    survey: SurveyIn


class RejectIn(_In):
    """Not to be aided: land not legal, not MBR, or already aided (only when the house's or
    household's history shows aid inside the window)."""

    reason: RejectReason
    rejected_on: IsoDate | None = Field(default=None, description=TODAY)
    note: str | None = Field(default=None, max_length=500)


class RtlhStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    codes: dict[str, Any]
    note: str | None
    step_on: date
    actor: str
    at: datetime


class RtlhCaseOut(Out):
    id: str
    house_id: str
    household_ref: str = Field(description="the household's pseudonym")
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    status: str
    allowed_actions: list[str]
    source: str
    referral_id: str | None
    reported_on: date
    assessment_id: str | None
    verified_on: date | None
    kawasan: list[str]
    decile: int | None
    priority: int | None = Field(description="higher is handled sooner")
    prioritised_on: date | None
    funding_source: str | None
    proposal_year: int | None
    aid_program: str | None
    aid_amount: int | None
    aid_year: int | None
    assigned_on: date | None
    construction_started_on: date | None
    after_assessment_id: str | None
    handled_on: date | None
    rlh_on: date | None
    rejection_reason: str | None
    closed_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class RtlhCaseDetail(RtlhCaseOut):
    history: list[RtlhStepOut] = Field(description="every step taken, oldest first")


class AidOut(Out):
    id: str
    house_id: str | None
    household_ref: str
    program: str
    amount: int | None
    year: int
    source: str
    case_id: str | None
    recorded_by: str
    recorded_at: datetime


class DeclaredAid(BaseModel):
    """Aid a survey of the house says was received before (its ``previous_aid_year``)."""

    assessment_id: str
    surveyed_on: date
    previous_aid_year: int


class HouseAidOut(BaseModel):
    """The aid a house and the households living in it received: what "already aided" is
    judged by, over ``aid_repeat_years``."""

    house_id: str
    aid_repeat_years: int
    aid: list[AidOut] = Field(description="recorded aid, newest year first")
    declared: list[DeclaredAid] = Field(description="aid surveys say was received")
