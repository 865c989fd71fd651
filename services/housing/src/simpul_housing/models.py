"""The housing service's tables, on its own metadata (platform tables live beside them).

No. KK, the head of household's name and the house's address stay in these tables; what
leaves the service carries ``household_ref`` (a keyed pseudonym) instead. Photos are files
behind the storage interface, named here by key only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.deciles import HouseholdDecileColumns
from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.stunting import HouseholdDecisionColumns, StuntedHouseholdColumns
from simpul_platform.tallies import TallyColumns
from simpul_platform.wilayah import desa_index

housing_registry = registry()
metadata = housing_registry.metadata


class HousingModel(SQLModel, registry=housing_registry):
    pass


class House(HousingModel, table=True):
    """A house at a desa of a posyandu, with its latest classification under each rule set
    (copied from its latest survey, so counts per desa are an index read)."""

    __tablename__ = "house"
    __table_args__ = (desa_index("ix_house_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    dusun: str | None = Field(default=None, max_length=60)
    rt: str = Field(max_length=3)
    rw: str = Field(max_length=3)
    address: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    tenure: str = Field(max_length=24)
    land_status: str = Field(max_length=24)
    occupants: int
    # The latest survey's classification (None: never surveyed).
    latest_assessment_id: str | None = Field(default=None, max_length=36)
    assessed_on: date | None = None
    rtlh_pupr: bool | None = None
    rtlh_rutilahu: bool | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class HouseHousehold(HousingModel, table=True):
    """A household (by No. KK) living in a house; ``moved_out_on`` ends the stay. A household
    lives in one house at a time."""

    __tablename__ = "house_household"
    __table_args__ = (
        Index(
            "uq_house_household_current",
            "household_ref",
            unique=True,
            postgresql_where=text("moved_out_on IS NULL"),
            sqlite_where=text("moved_out_on IS NULL"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    head_name: str | None = Field(default=None, max_length=120)
    members: int | None = None
    moved_in_on: date | None = None
    moved_out_on: date | None = None
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class Assessment(HousingModel, table=True):
    """One RTLH survey of a house: the PUPR census variables as recorded, and the
    classification under each rule set derived from them (with the criteria that failed)."""

    __tablename__ = "house_assessment"

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    kind: str = Field(max_length=12)
    surveyed_on: date
    # Structure
    pondasi: str = Field(max_length=16)
    kolom: str = Field(max_length=16)
    balok: str = Field(max_length=16)
    rangka_atap: str = Field(max_length=16)
    plafon: str = Field(max_length=16)
    sloof: bool
    # Material and condition
    atap: str = Field(max_length=16)
    atap_condition: str = Field(max_length=16)
    dinding: str = Field(max_length=16)
    dinding_condition: str = Field(max_length=16)
    lantai: str = Field(max_length=16)
    lantai_condition: str = Field(max_length=16)
    # Light, air, space
    jendela: bool
    ventilasi: bool
    floor_area_m2: float
    occupants: int
    # Water, sanitation, electricity
    water_source: str = Field(max_length=28)
    water_to_faeces_m: float | None = None
    bathroom: str = Field(max_length=16)
    toilet_type: str = Field(max_length=16)
    faeces_disposal: str = Field(max_length=32)
    electricity: str = Field(max_length=20)
    kawasan: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    previous_aid_year: int | None = None
    # Derived, never typed: RLH when no criterion failed.
    rtlh_pupr: bool
    failed_pupr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rtlh_rutilahu: bool
    failed_rutilahu: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class HousePhoto(HousingModel, table=True):
    """A photo of a house (of one of its surveys, when given): stored without its location
    metadata behind the storage interface under ``storage_key``; the same image uploaded
    again for the house is the same photo (its SHA-256)."""

    __tablename__ = "house_photo"
    __table_args__ = (UniqueConstraint("house_id", "sha256", name="uq_house_photo_sha256"),)

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    assessment_id: str | None = Field(
        default=None, foreign_key="house_assessment.id", index=True, max_length=36
    )
    storage_key: str = Field(max_length=200)
    content_type: str = Field(max_length=20)
    bytes: int
    sha256: str = Field(max_length=64)
    width: int
    height: int
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime


OPEN_RTLH = "status NOT IN ('rlh', 'rejected')"


class RtlhCase(HousingModel, table=True):
    """A house on its way from RTLH to a livable house (``domain.rtlh``'s workflow): the survey
    it was found by, verification, priority, proposal, aid, works and the after-works survey.
    One open case per house."""

    __tablename__ = "rtlh_case"
    __table_args__ = (
        desa_index("ix_rtlh_case_desa"),
        Index(
            "uq_rtlh_case_open_house",
            "house_id",
            unique=True,
            postgresql_where=text(OPEN_RTLH),
            sqlite_where=text(OPEN_RTLH),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    house_id: str = Field(foreign_key="house.id", index=True, max_length=36)
    household_ref: str = Field(max_length=64, index=True)  # the household the aid is for
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=20, index=True)
    source: str = Field(max_length=20)
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: date
    assessment_id: str | None = Field(default=None, max_length=36)
    verified_on: date | None = None
    kawasan: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decile: int | None = None
    priority: int | None = None
    prioritised_on: date | None = None
    funding_source: str | None = Field(default=None, max_length=20)
    proposal_year: int | None = None
    aid_program: str | None = Field(default=None, max_length=12)
    aid_amount: int | None = None
    aid_year: int | None = None
    assigned_on: date | None = None
    construction_started_on: date | None = None
    after_assessment_id: str | None = Field(default=None, max_length=36)
    handled_on: date | None = None
    rlh_on: date | None = None
    rejection_reason: str | None = Field(default=None, max_length=20)
    closed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class RtlhCaseHistory(StatusHistory, HousingModel, table=True):
    """Every step of an RTLH case, attributed, with the codes it was taken with."""

    __tablename__ = "rtlh_case_history"

    case_id: str = Field(foreign_key="rtlh_case.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class HousingAid(HousingModel, table=True):
    """Housing aid a household received at a house (an RTLH case's, a disaster case's, or one
    declared by a survey or an import): the history "already aided" is judged by."""

    __tablename__ = "housing_aid"

    id: str = Field(primary_key=True, max_length=36)
    house_id: str | None = Field(default=None, foreign_key="house.id", index=True, max_length=36)
    household_ref: str = Field(max_length=64, index=True)
    program: str = Field(max_length=12)
    amount: int | None = None
    year: int
    source: str = Field(max_length=16)
    case_id: str | None = Field(default=None, max_length=36)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class DisasterEvent(HousingModel, table=True):
    """A disaster in the district, with the SK Bupati that fixes its damaged houses' classes
    (number, date) and the year t those houses are planned to be handled in."""

    __tablename__ = "disaster_event"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=24)
    name: str = Field(max_length=160)
    occurred_on: date
    wilayah_code: str = Field(max_length=13)  # the area it struck (kabupaten … desa)
    sk_number: str | None = Field(default=None, max_length=80)
    sk_date: date | None = None
    planned_year: int | None = None
    source: str = Field(max_length=16)
    source_event_id: str | None = Field(default=None, max_length=64, unique=True)
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class DisasterHouse(HousingModel, table=True):
    """One house damaged in a disaster (``domain.disaster``'s workflow): reported, assessed
    RR / RS / RB / hilang / belum ditentukan, fixed by the SK, handled, completed."""

    __tablename__ = "disaster_house"
    __table_args__ = (desa_index("ix_disaster_house_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    event_id: str = Field(foreign_key="disaster_event.id", index=True, max_length=36)
    house_id: str | None = Field(default=None, foreign_key="house.id", index=True, max_length=36)
    household_ref: str | None = Field(default=None, max_length=64, index=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=20, index=True)
    source: str = Field(max_length=20)
    referral_id: str | None = Field(default=None, max_length=36)
    reported_on: date
    damage: str | None = Field(default=None, max_length=20)
    assessed_on: date | None = None
    planned_year: int | None = None  # the SK's year t (an SPM denominator unit of it)
    handling: str | None = Field(default=None, max_length=16)
    handling_started_on: date | None = None
    completed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class DisasterHouseHistory(StatusHistory, HousingModel, table=True):
    """Every step of a disaster house, attributed."""

    __tablename__ = "disaster_house_history"

    disaster_house_id: str = Field(foreign_key="disaster_house.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RelocationProgramme(HousingModel, table=True):
    """A Pemda programme that relocates households (a dam, a road, a hazard zone), by year."""

    __tablename__ = "relocation_programme"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=160)
    wilayah_code: str = Field(max_length=13)
    year: int
    reason: str = Field(max_length=24)
    created_by: str = Field(max_length=200)
    created_at: datetime


class RelocationHousehold(HousingModel, table=True):
    """A household a relocation programme affects (``domain.relocation``'s workflow):
    affected → eligible (meets the criteria) or not eligible → facilitated → housed."""

    __tablename__ = "relocation_household"
    __table_args__ = (desa_index("ix_relocation_household_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    programme_id: str = Field(foreign_key="relocation_programme.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    house_id: str | None = Field(default=None, foreign_key="house.id", max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    status: str = Field(max_length=16, index=True)
    year: int  # the programme's year t
    referral_id: str | None = Field(default=None, max_length=36)
    meets_criteria: bool | None = None
    facilitated_on: date | None = None
    housed_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class RelocationHistory(StatusHistory, HousingModel, table=True):
    """Every step of a relocated household, attributed."""

    __tablename__ = "relocation_history"

    relocation_id: str = Field(foreign_key="relocation_household.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class HouseholdDecile(HouseholdDecileColumns, HousingModel, table=True):
    """Social's DTSEN decile of a household, by its pseudonym: a replica of
    ``social.household.assessed.v1`` (the latest assessment by date wins)."""

    __tablename__ = "household_decile"


class StuntedHousehold(StuntedHouseholdColumns, HousingModel, table=True):
    """A household with a child health found stunted (``health.stunting.detected.v1``), by
    pseudonym: what "stunted children's households living in RTLH" counts."""

    __tablename__ = "stunted_household"
    __table_args__ = (desa_index("ix_stunted_household_desa"),)


class StuntingRtlhDecision(HouseholdDecisionColumns, HousingModel, table=True):
    """What housing decided for one stunting detection from health (one row per event): a
    prioritised referral for the household's RTLH house, a survey referral for a house never
    surveyed (or a household housing does not know), the house livable, or a stunting
    referral already open for the household. The row makes a replayed event change nothing."""

    __tablename__ = "stunting_rtlh_decision"

    house_id: str | None = Field(default=None, max_length=36)
    assessment_id: str | None = Field(default=None, max_length=36)


class HousingTally(TallyColumns, HousingModel, table=True):
    """Housing's indicator counts (``domain.indicators``), dropped by ``ops.tallies.invalidate``."""

    __tablename__ = "housing_tally"
    __table_args__ = (
        Index(
            "ix_housing_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("house_household", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("relocation_household", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("household_decile", "household_ref", "kk"),
    PseudonymColumn("stunted_household", "household_ref", "kk"),
    PseudonymColumn("stunting_rtlh_decision", "person_ref", "nik"),
    PseudonymColumn("stunting_rtlh_decision", "household_ref", "kk"),
    PseudonymColumn("disaster_house", "household_ref", "kk"),
    PseudonymColumn("housing_aid", "household_ref", "kk"),
    PseudonymColumn("rtlh_case", "household_ref", "kk"),
)
