"""The trantib service's tables, on its own metadata (platform tables live beside them).

NIK, No. KK, names and a reporter's identity stay in these tables; what leaves the service
carries ``person_ref`` / ``household_ref`` pseudonyms, and a reporter's identity leaves
nowhere: it is sealed in ``order_reporter`` (AES-GCM with the deployment's key) and opened
for the report's handler alone. Fire posts' and public buildings' places may travel; a
household's may not.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn
from simpul_platform.tallies import TallyColumns
from simpul_platform.wilayah import desa_index

trantib_registry = registry()
metadata = trantib_registry.metadata


class TrantibModel(SQLModel, registry=trantib_registry):
    pass


class Recorded(SQLModel):
    """Who made a row and who changed it last."""

    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


# --- public order (Satpol PP; Permendagri 121/2018) -----------------------------------------


class OrderReport(Recorded, TrantibModel, table=True):
    """A public-order disturbance (gangguan trantibum) reported at a posyandu's desa and
    worked by Satpol PP: reported → verified → handled (enforcement or mediation) → affected
    citizens served → closed (``domain.order``). Who reported it is in ``order_reporter``."""

    __tablename__ = "order_report"
    __table_args__ = (desa_index("ix_order_report_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    category: str = Field(max_length=24)
    # The place as the report describes it (a market, a road, a river bank): not a person.
    place: str = Field(max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    occurred_at: datetime
    reported_on: date
    source: str = Field(max_length=16)  # kader, linmas, warga, deteksi_dini, referral
    referral_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=16, index=True)
    handler: str | None = Field(default=None, max_length=200, index=True)  # the Satpol PP subject
    verified_on: date | None = None
    handling: str | None = Field(default=None, max_length=12)  # penegakan or mediasi
    handled_on: date | None = None
    affected_citizens: int | None = None
    citizens_served: int | None = None
    served_on: date | None = None
    closed_on: date | None = None
    close_reason: str | None = Field(default=None, max_length=24)


class OrderReportHistory(StatusHistory, TrantibModel, table=True):
    """Every step of a public-order report, attributed, with the codes it was taken with."""

    __tablename__ = "order_report_history"

    report_id: str = Field(foreign_key="order_report.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OrderReporter(TrantibModel, table=True):
    """The reporter of a public-order report, sealed: their name and contact as one
    AES-256-GCM ciphertext under the deployment key ``key_id`` (the report's id the associated
    data, so a sealed identity cannot be moved to another report). Never read into a list,
    an event, a log line or a count."""

    __tablename__ = "order_reporter"

    report_id: str = Field(primary_key=True, foreign_key="order_report.id", max_length=36)
    key_id: str = Field(max_length=16)
    nonce: bytes = Field(sa_column=Column(LargeBinary(12), nullable=False))
    ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sealed_at: datetime


class EarlyDetectionNote(TrantibModel, table=True):
    """A deteksi dini note from a Linmas member or a kader: something that may become a
    public-order disturbance. A note that needs Satpol PP opens a report (``report_id``)."""

    __tablename__ = "early_detection_note"
    __table_args__ = (desa_index("ix_early_detection_note_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    observed_on: date
    category: str = Field(max_length=24)
    level: str = Field(max_length=8)  # rendah, sedang, tinggi
    summary: str = Field(max_length=1000)
    report_id: str | None = Field(
        default=None, foreign_key="order_report.id", index=True, max_length=36
    )
    created_by: str = Field(max_length=200)
    created_at: datetime


# --- Satlinmas, siskamling, APAR ------------------------------------------------------------


class LinmasMember(Recorded, TrantibModel, table=True):
    """A Satlinmas member of a desa (Permendagri 84/2014, 26/2020), appointed by an SK, in one
    of the five squads; serving until ``ended_on`` (or the service age)."""

    __tablename__ = "linmas_member"
    __table_args__ = (
        desa_index("ix_linmas_member_desa"),
        Index(
            "uq_linmas_member_active_nik",
            "nik",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
            sqlite_where=text("ended_on IS NULL"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    nik: str = Field(max_length=16)
    person_ref: str = Field(max_length=64, index=True)
    name: str = Field(max_length=120)
    birth_date: date
    married: bool
    education: str = Field(max_length=12)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    squad: str = Field(max_length=24)
    sk_number: str = Field(max_length=80)
    sk_date: date
    appointed_on: date
    extended_until: date | None = None  # service past 60, to 65 at the latest
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=24)


class LinmasStrength(TrantibModel, table=True):
    """A desa's Satlinmas as last counted: members per squad, the flags DPMD reads (under the
    minimum strength, an empty squad). Kept on every member change."""

    __tablename__ = "linmas_strength"

    desa_code: str = Field(primary_key=True, max_length=13)
    members: int
    by_squad: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    under_strength: bool
    empty_squads: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    counted_on: date
    updated_at: datetime


class SiskamlingPatrol(TrantibModel, table=True):
    """One siskamling patrol from a poskamling: date, shift, the members present, findings."""

    __tablename__ = "siskamling_patrol"
    __table_args__ = (
        desa_index("ix_siskamling_patrol_desa"),
        UniqueConstraint("desa_code", "poskamling", "patrol_date", "shift", name="uq_patrol_shift"),
    )

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    poskamling: str = Field(max_length=80)
    patrol_date: date
    shift: str = Field(max_length=12)  # malam, dini_hari, siang
    member_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    members_present: int
    findings: str | None = Field(default=None, max_length=1000)
    incident: bool = False  # a finding that needs Satpol PP
    created_by: str = Field(max_length=200)
    created_at: datetime


class Apar(Recorded, TrantibModel, table=True):
    """A fire extinguisher (APAR) at a posyandu or a public building of a desa: its type and
    capacity, and the refill or expiry date it is judged expired by."""

    __tablename__ = "apar"
    __table_args__ = (desa_index("ix_apar_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    building_kind: str = Field(max_length=20)  # posyandu, kantor_desa, sekolah, ...
    building_name: str = Field(max_length=120)
    location: str = Field(max_length=200)  # where in the building
    agent: str = Field(max_length=12)  # powder, co2, foam, air, ...
    capacity_kg: float
    last_refilled_on: date | None = None
    expires_on: date = Field(index=True)
    last_checked_on: date | None = None
    pressure_ok: bool | None = None
    retired_on: date | None = None


# --- fire (Damkar; Permendagri 114/2018) ----------------------------------------------------


class FirePost(Recorded, TrantibModel, table=True):
    """A fire post (pos Damkar) with its coordinates: the centre of a WMK."""

    __tablename__ = "fire_post"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=120)
    wilayah_code: str = Field(max_length=13, index=True)  # the kabupaten or kecamatan it sits in
    latitude: float
    longitude: float
    active: bool = True


class DesaPoint(TrantibModel, table=True):
    """A desa's reference point (its kantor desa) and, kept on every change of either, the
    nearest active fire post and whether the desa lies within its WMK."""

    __tablename__ = "desa_point"
    __table_args__ = (desa_index("ix_desa_point_desa"),)

    desa_code: str = Field(primary_key=True, max_length=13)
    latitude: float
    longitude: float
    nearest_post_id: str | None = Field(default=None, max_length=36)
    distance_km: float | None = None
    inside_wmk: bool = False
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class FireIncident(Recorded, TrantibModel, table=True):
    """A fire incident from the call to its close, each time recorded in order and none in
    the future; its place, the nearest fire post and whether it was inside that post's WMK;
    the response time (arrival − report received) and whether it met the SPM; casualties and
    loss. Its damaged houses are in ``fire_damaged_house``."""

    __tablename__ = "fire_incident"
    __table_args__ = (desa_index("ix_fire_incident_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    place: str = Field(max_length=300)
    latitude: float
    longitude: float
    status: str = Field(max_length=16, index=True)
    report_received_at: datetime = Field(index=True)
    dispatched_at: datetime | None = None
    turnout_at: datetime | None = None
    arrived_at: datetime | None = None
    action_started_at: datetime | None = None
    controlled_at: datetime | None = None
    extinguished_at: datetime | None = None
    closed_at: datetime | None = None
    fire_post_id: str | None = Field(default=None, foreign_key="fire_post.id", max_length=36)
    distance_km: float | None = None
    inside_wmk: bool
    response_seconds: int | None = None
    response_met: bool | None = None
    object_kind: str = Field(max_length=24)
    cause: str | None = Field(default=None, max_length=24)
    # Permendagri 114/2018's victims: langsung (direct) and terdampak (affected), each
    # injured, dead, traumatised.
    direct_injured: int = 0
    direct_dead: int = 0
    direct_trauma: int = 0
    affected_injured: int = 0
    affected_dead: int = 0
    affected_trauma: int = 0
    # Rupiah past int4's 2.1 billion: a market's or a factory's fire costs more.
    loss_rupiah: int | None = Field(default=None, sa_type=BigInteger)
    units: int | None = None
    crew: int | None = None
    investigation: str | None = Field(default=None, max_length=2000)


class FireDamagedHouse(TrantibModel, table=True):
    """A house a fire damaged or destroyed, with the household living there (by No. KK at a
    posyandu; its pseudonym is what leaves) and the damage class."""

    __tablename__ = "fire_damaged_house"
    __table_args__ = (UniqueConstraint("incident_id", "household_ref", name="uq_fire_household"),)

    id: str = Field(primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="fire_incident.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    damage: str = Field(max_length=8)  # rr, rs, rb, hilang
    members: int | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime


# --- disasters (BPBD; Permendagri 101/2018) -------------------------------------------------


class Disaster(Recorded, TrantibModel, table=True):
    """A disaster from its declaration to its close (``domain.disaster``): what struck (BNPB's
    vocabulary), when, the desa it struck, the status SK, and the rapid assessment's counts
    (people, houses RR/RS/RB, facilities). Its households are in ``disaster_household``."""

    __tablename__ = "disaster"

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=24)
    name: str = Field(max_length=160)
    occurred_on: date = Field(index=True)
    wilayah_code: str = Field(max_length=13, index=True)  # the smallest area holding its desa
    affected_desa: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=20, index=True)
    status_sk_number: str | None = Field(default=None, max_length=80)
    status_sk_date: date | None = None
    emergency_level: str | None = Field(default=None, max_length=16)  # siaga, tanggap_darurat, ...
    assessed_on: date | None = None
    dead: int = 0
    missing: int = 0
    injured: int = 0
    displaced: int = 0
    affected: int = 0
    houses_rr: int = 0
    houses_rs: int = 0
    houses_rb: int = 0
    facilities: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Victims needing rescue and evacuation, and those rescued and evacuated (SPM bencana).
    needing_evacuation: int = 0
    evacuated: int = 0
    closed_on: date | None = None


class DisasterHistory(StatusHistory, TrantibModel, table=True):
    """Every step of a disaster, attributed, with the codes it was taken with."""

    __tablename__ = "disaster_history"

    disaster_id: str = Field(foreign_key="disaster.id", index=True, max_length=36)
    step_on: date
    codes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DisasterHousehold(TrantibModel, table=True):
    """A household a disaster affected (by No. KK at a posyandu of an affected desa): its
    house's damage class, whether it was displaced, and how many people it counts."""

    __tablename__ = "disaster_household"
    __table_args__ = (
        UniqueConstraint("disaster_id", "household_ref", name="uq_disaster_household"),
        desa_index("ix_disaster_household_desa"),
    )

    id: str = Field(primary_key=True, max_length=36)
    disaster_id: str = Field(foreign_key="disaster.id", index=True, max_length=36)
    kk: str = Field(max_length=16)
    household_ref: str = Field(max_length=64, index=True)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    damage: str = Field(max_length=8)  # rr, rs, rb, hilang, none
    displaced: bool
    members: int
    evacuated: bool = False
    assessed_on: date
    created_by: str = Field(max_length=200)
    created_at: datetime


class DisplacedChild(TrantibModel, table=True):
    """A school-age child of a displaced household (by NIK), referred to education once as at
    risk of leaving school (``referral_id``)."""

    __tablename__ = "displaced_child"
    __table_args__ = (UniqueConstraint("disaster_id", "person_ref", name="uq_displaced_child"),)

    id: str = Field(primary_key=True, max_length=36)
    disaster_id: str = Field(foreign_key="disaster.id", index=True, max_length=36)
    household_id: str = Field(foreign_key="disaster_household.id", index=True, max_length=36)
    nik: str = Field(max_length=16)
    person_ref: str = Field(max_length=64)
    birth_date: date
    referral_id: str | None = Field(default=None, max_length=36)


class HazardZone(Recorded, TrantibModel, table=True):
    """A desa in a hazard zone (BPBD's kajian risiko) and the people living there: the
    denominator of risk information's reach."""

    __tablename__ = "hazard_zone"
    __table_args__ = (desa_index("ix_hazard_zone_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    desa_code: str = Field(max_length=13)
    hazard: str = Field(max_length=24)
    population: int
    year: int = Field(index=True)


class RiskOutreach(TrantibModel, table=True):
    """Risk information (KIE) given to people of a hazard-zone desa: a session, a drill, a
    visit; how many it reached."""

    __tablename__ = "risk_outreach"
    __table_args__ = (desa_index("ix_risk_outreach_desa"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    hazard: str = Field(max_length=24)
    held_on: date
    method: str = Field(max_length=16)  # sosialisasi, simulasi, kunjungan, media
    people_reached: int
    created_by: str = Field(max_length=200)
    created_at: datetime


class TrantibTally(TallyColumns, TrantibModel, table=True):
    """Trantib's indicator counts (``domain.indicators``), dropped by ``ops.tallies``."""

    __tablename__ = "trantib_tally"
    __table_args__ = (
        Index(
            "ix_trantib_tally_month_desa",
            "month",
            "desa_code",
            postgresql_ops={"desa_code": "varchar_pattern_ops"},
        ),
    )


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("linmas_member", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("displaced_child", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("disaster_household", "household_ref", "kk", identifier="kk"),
    PseudonymColumn("fire_damaged_house", "household_ref", "kk", identifier="kk"),
)
