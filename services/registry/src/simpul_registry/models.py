"""The registry's tables, on its own metadata (platform tables live beside them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from simpul_platform.domain import StatusHistory
from simpul_platform.pseudonym import PseudonymColumn

registry_registry = registry()
metadata = registry_registry.metadata


class RegistryModel(SQLModel, registry=registry_registry):
    pass


class Posyandu(RegistryModel, table=True):
    __tablename__ = "posyandu"
    __table_args__ = (UniqueConstraint("desa_code", "name_key", name="uq_posyandu_desa_name"),)

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)  # lower-cased, single-spaced: one name per desa
    desa_code: str = Field(max_length=13, index=True)
    kecamatan_code: str = Field(max_length=8, index=True)
    kabupaten_code: str = Field(max_length=5, index=True)
    provinsi_code: str = Field(max_length=2)
    dusun: str | None = Field(default=None, max_length=80)
    rt: str | None = Field(default=None, max_length=3)
    rw: str | None = Field(default=None, max_length=3)
    address: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    fields: str = Field(default="", max_length=80)  # ",health,social,"
    status: str = Field(default="draft", max_length=12, index=True)
    registration_number: str | None = Field(default=None, max_length=17, unique=True)
    sk_tp_number: str | None = Field(default=None, max_length=80)
    sk_tp_date: date | None = None
    sk_kepengurusan_number: str | None = Field(default=None, max_length=80)
    sk_kepengurusan_date: date | None = None
    rekap_number: str | None = Field(default=None, max_length=80)
    rekap_date: date | None = None
    version: int = 1
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class StatusChange(StatusHistory, RegistryModel, table=True):
    """The full lifecycle history: who, when, from, to, why (the step's note is the reason)."""

    __tablename__ = "posyandu_status_history"

    posyandu_id: str = Field(foreign_key="posyandu.id", index=True, max_length=36)
    # The table predates the platform's columns: its statuses and actions are shorter and the
    # note is stored as "reason". Declared as migrated, so no migration is needed.
    action: str = Field(max_length=12)
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str = Field(max_length=12)
    note: str | None = Field(default=None, max_length=500, sa_column_kwargs={"name": "reason"})


class Person(RegistryModel, table=True):
    """A pengurus or kader of one posyandu. The NIK never leaves this table's service."""

    __tablename__ = "person"

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(foreign_key="posyandu.id", index=True, max_length=36)
    nik: str = Field(max_length=16)
    person_ref: str = Field(max_length=64, index=True)
    name: str = Field(max_length=120)
    gender: str = Field(max_length=1)
    birth_date: date
    role: str = Field(max_length=16)
    field: str | None = Field(default=None, max_length=16)
    start_date: date
    end_date: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime


class Target(RegistryModel, table=True):
    """A DPMD's registration target for a wilayah (e.g. 827 in 64.02 by 31 October)."""

    __tablename__ = "registration_target"

    wilayah_code: str = Field(primary_key=True, max_length=13)
    target: int
    due_date: date | None = None
    set_by: str = Field(max_length=200)
    set_at: datetime


# --- Posyandu days and kader attendance -----------------------------------------------------


class ScheduleRule(RegistryModel, table=True):
    """A posyandu's recurring monthly day ("second Tuesday") for a span of dates."""

    __tablename__ = "posyandu_schedule_rule"

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(foreign_key="posyandu.id", index=True, max_length=36)
    week: int  # 1–4, -1 = the last
    weekday: int  # Monday 0
    valid_from: date
    valid_until: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime


class ScheduleDay(RegistryModel, table=True):
    """A posyandu's one-off day, or a cancelled one (``kind``)."""

    __tablename__ = "posyandu_schedule_day"

    posyandu_id: str = Field(foreign_key="posyandu.id", primary_key=True, max_length=36)
    day: date = Field(primary_key=True)
    kind: str = Field(max_length=10)  # one_off | cancelled
    note: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=200)
    created_at: datetime


class SerentakDay(RegistryModel, table=True):
    """A day DPMD sets for every posyandu of a wilayah at once (posyandu serentak)."""

    __tablename__ = "serentak_day"
    __table_args__ = (UniqueConstraint("wilayah_code", "day", name="uq_serentak_wilayah_day"),)

    id: str = Field(primary_key=True, max_length=36)
    wilayah_code: str = Field(max_length=13, index=True)
    day: date = Field(index=True)
    note: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=200)
    created_at: datetime


class PosyanduDay(RegistryModel, table=True):
    """What happened on one of a posyandu's days: held or not (and why), the fields served."""

    __tablename__ = "posyandu_day"
    __table_args__ = (UniqueConstraint("posyandu_id", "day", name="uq_posyandu_day"),)

    id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(foreign_key="posyandu.id", index=True, max_length=36)
    day: date = Field(index=True)
    held: bool
    reason: str | None = Field(default=None, max_length=24)
    fields: str = Field(default="", max_length=80)  # ",health,social," as Posyandu.fields
    note: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime
    updated_by: str = Field(max_length=200)
    updated_at: datetime
    # Kept on write (ops/day_counts.py) so participation sums days instead of joining every
    # kader to every day: the kader appointed on the day, and those of them present.
    kader_expected: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    kader_present: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class KaderAttendance(RegistryModel, table=True):
    """A kader's presence on one of their posyandu's days."""

    __tablename__ = "kader_attendance"

    posyandu_id: str = Field(foreign_key="posyandu.id", primary_key=True, max_length=36)
    day: date = Field(primary_key=True)
    person_id: str = Field(foreign_key="person.id", primary_key=True, max_length=36, index=True)
    status: str = Field(max_length=8)  # present | absent | excused
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime


class KaderActivityFlag(RegistryModel, table=True):
    """The inactivity state last published for a kader, so each transition goes out once."""

    __tablename__ = "kader_activity_flag"

    person_id: str = Field(foreign_key="person.id", primary_key=True, max_length=36)
    inactive: bool
    since: date  # the day the current state began
    checked_on: date


# --- Kader incentive rosters ----------------------------------------------------------------


class IncentiveRoster(RegistryModel, table=True):
    """A kabupaten's kader incentive roster for one month: a draft until DPMD approves it, then
    frozen. The rules in force when it was computed are kept beside it."""

    __tablename__ = "incentive_roster"
    __table_args__ = (
        UniqueConstraint("kabupaten_code", "month", name="uq_incentive_roster_kabupaten_month"),
    )

    id: str = Field(primary_key=True, max_length=36)
    kabupaten_code: str = Field(max_length=5, index=True)
    month: str = Field(max_length=7)  # YYYY-MM
    status: str = Field(max_length=10)  # draft | approved
    min_days: int
    amount_per_month: int  # rupiah
    registered_only: bool
    computed_by: str = Field(max_length=200)
    computed_at: datetime
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = None


class IncentiveRosterRow(RegistryModel, table=True):
    """One kader on a roster, as computed: included with an amount, or excluded with a reason.
    Name and masked NIK are copied so an approved roster reads the same later."""

    __tablename__ = "incentive_roster_row"

    roster_id: str = Field(foreign_key="incentive_roster.id", primary_key=True, max_length=36)
    person_id: str = Field(primary_key=True, max_length=36)
    posyandu_id: str = Field(max_length=36)
    posyandu_name: str = Field(max_length=120)
    desa_code: str = Field(max_length=13)
    person_ref: str = Field(max_length=64)
    name: str = Field(max_length=120)
    nik_masked: str = Field(max_length=16)
    field: str | None = Field(default=None, max_length=16)
    days_present: int
    included: bool
    reason: str | None = Field(default=None, max_length=32)
    amount: int


# Every person_ref / household_ref column, and the NIK / No. KK beside it where the table keeps
# it: what a pseudonym secret rotation re-keys (simpul_platform.rekey; ServiceSpec.pseudonyms).
PSEUDONYMS: tuple[PseudonymColumn, ...] = (
    PseudonymColumn("person", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("incentive_roster_row", "person_ref", "nik"),
)
