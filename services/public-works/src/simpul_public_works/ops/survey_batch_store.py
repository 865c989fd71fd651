"""The survey batch's reads and writes: one statement per kind of row for the whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.db import bulk_insert
from simpul_platform.errors import FieldError, ProblemError
from simpul_platform.replica import posyandu_replica, require_active_posyandu
from simpul_public_works.models import Household, WashSurvey
from simpul_public_works.schemas.surveys import SurveyIn

SURVEY_COLUMNS = tuple(name for name in SurveyIn.model_fields if name not in ("kk", "posyandu_id"))
H: Table = Household.__table__  # type: ignore[attr-defined]
W: Table = WashSurvey.__table__  # type: ignore[attr-defined]
JSON_COLUMNS = ("quality", "basic_water_failed")
LATEST = (
    "latest_survey_id",
    "surveyed_on",
    "occupants",
    "water_level",
    "sanitation_level",
    "basic_water",
    "wastewater_service",
)
# The known households' new latest surveys from arrays unnested side by side: one statement,
# compiled once whatever the batch's size (a VALUES list is thousands of bound parameters
# compiled anew each time). A household known by pseudonym alone gets its No. KK here.
LATEST_FROM_ARRAYS = text(
    """
    UPDATE household SET
        kk = COALESCE(household.kk, latest.kk),
        latest_survey_id = latest.latest_survey_id,
        surveyed_on = latest.surveyed_on,
        occupants = latest.occupants,
        water_level = latest.water_level,
        sanitation_level = latest.sanitation_level,
        basic_water = latest.basic_water,
        wastewater_service = latest.wastewater_service,
        updated_by = :updated_by,
        updated_at = :updated_at
    FROM unnest(
        CAST(:households AS VARCHAR[]),
        CAST(:kk AS VARCHAR[]),
        CAST(:latest_survey_id AS VARCHAR[]),
        CAST(:surveyed_on AS DATE[]),
        CAST(:occupants AS INTEGER[]),
        CAST(:water_level AS VARCHAR[]),
        CAST(:sanitation_level AS VARCHAR[]),
        CAST(:basic_water AS BOOLEAN[]),
        CAST(:wastewater_service AS VARCHAR[])
    ) AS latest(household_id, kk, latest_survey_id, surveyed_on, occupants, water_level,
                sanitation_level, basic_water, wastewater_service)
    WHERE household.id = latest.household_id
    """
).bindparams(bindparam("updated_at", type_=H.c.updated_at.type))


@dataclass
class Known:
    """What the database holds for the whole batch, read once."""

    households: dict[str, RowMapping]  # by household_ref
    posyandu: dict[str, RowMapping | FieldError]
    same_day: dict[tuple[str, date], list[RowMapping]]


async def read_known(
    session: AsyncSession, *, refs: Sequence[str], posyandu_ids: set[str], days: set[date]
) -> Known:
    """The households of ``refs`` (locked), the posyandu of ``posyandu_ids`` and the
    households' surveys of ``days``."""
    households = await locked_households(session, refs)
    return Known(
        households,
        await posyandu_rows(session, posyandu_ids),
        await same_day_surveys(session, [h["id"] for h in households.values()], days),
    )


async def locked_households(session: AsyncSession, refs: Sequence[str]) -> dict[str, RowMapping]:
    """The households by pseudonym (a No. KK's, so one known by pseudonym alone is found too),
    locked until commit in id order (two batches of one household then decide one after the
    other; NO KEY: surveys' foreign-key checks go on)."""
    if not refs:
        return {}
    query = (
        select(H)
        .where(H.c.household_ref.in_(sorted(set(refs))))
        .order_by(H.c.id)
        .with_for_update(key_share=True)
    )
    return {row["household_ref"]: row for row in (await session.execute(query)).mappings()}


async def posyandu_rows(session: AsyncSession, ids: set[str]) -> dict[str, RowMapping | FieldError]:
    """The replica's rows; one the replica has not heard of is confirmed with the registry as
    the single route does (its refusal is the items' error)."""
    if not ids:
        return {}
    query = select(posyandu_replica).where(posyandu_replica.c.posyandu_id.in_(ids))
    found: dict[str, RowMapping | FieldError] = {
        row["posyandu_id"]: row for row in (await session.execute(query)).mappings()
    }
    for missing in sorted(ids - found.keys()):
        try:
            found[missing] = await require_active_posyandu(session, missing)
        except ProblemError as problem:
            first = problem.errors[0] if problem.errors else None
            rule = first.rule if first else problem.slug
            found[missing] = FieldError(field="", rule=rule, message=str(problem))
    return found


async def same_day_surveys(
    session: AsyncSession, household_ids: list[str], days: set[date]
) -> dict[tuple[str, date], list[RowMapping]]:
    """The households' surveys of the items' dates, as recorded (what ``unchanged`` compares)."""
    if not household_ids:
        return {}
    query = (
        select(W)
        .where(W.c.household_id.in_(household_ids), W.c.surveyed_on.in_(days))
        .order_by(W.c.recorded_at, W.c.id)
    )
    found: dict[tuple[str, date], list[RowMapping]] = {}
    for row in (await session.execute(query)).mappings():
        found.setdefault((row["household_id"], row["surveyed_on"]), []).append(row)
    return found


def same_survey(recorded: RowMapping, survey: dict[str, Any]) -> bool:
    """Every field as recorded (the quality marks in any order), typed here by a kader."""
    if recorded["source"] != "kader":
        return False
    for name in SURVEY_COLUMNS:
        mine, theirs = survey[name], recorded[name]
        if name == "quality":
            mine, theirs = sorted(mine), sorted(theirs)
        if mine != theirs:
            return False
    return True


# --- writing --------------------------------------------------------------------------------


async def write(
    session: AsyncSession,
    households: list[dict[str, Any]],
    surveys: list[dict[str, Any]],
    latest: list[dict[str, Any]],
) -> None:
    """One COPY (INSERT off PostgreSQL) per table, then the known households' latest surveys."""
    await bulk_insert(session, H, households)
    await bulk_insert(session, W, await copy_ready(session, surveys))
    await update_latest(session, latest)


async def copy_ready(session: AsyncSession, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """COPY takes a JSON column's text, which an INSERT's bind processing makes itself."""
    dialect = (await session.connection()).dialect
    if not rows or dialect.name != "postgresql" or dialect.driver != "asyncpg":
        return rows
    return [{**row, **{n: to_json(row[n]).decode() for n in JSON_COLUMNS}} for row in rows]


async def update_latest(session: AsyncSession, latest: list[dict[str, Any]]) -> None:
    """One UPDATE from arrays on PostgreSQL (an executemany elsewhere)."""
    if not latest:
        return
    common = {"updated_by": latest[0]["updated_by"], "updated_at": latest[0]["updated_at"]}
    if (await session.connection()).dialect.name != "postgresql":
        # Bound names other than the columns' own (those are reserved for the SET clause).
        names = ("kk", *LATEST)
        changes: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
        statement = update(H).where(H.c.id == bindparam("household")).values({**changes, **common})
        rows = [
            {"household": r["household_id"], **{f"new_{n}": r[n] for n in names}} for r in latest
        ]
        await session.execute(statement, rows)
        return
    arrays = {
        "households": [r["household_id"] for r in latest],
        "kk": [r["kk"] for r in latest],
        **{name: [r[name] for r in latest] for name in LATEST},
    }
    await session.execute(LATEST_FROM_ARRAYS, {**arrays, **common})


def latest_of(row: dict[str, Any]) -> dict[str, Any]:
    """A household's columns its latest survey sets."""
    return {
        "household_id": row["household_id"],
        "latest_survey_id": row["id"],
        "surveyed_on": row["surveyed_on"],
        "occupants": row["occupants"],
        "water_level": row["water_level"],
        "sanitation_level": row["sanitation_level"],
        "basic_water": row["basic_water"],
        "wastewater_service": row["wastewater_service"],
        "updated_by": row["recorded_by"],
        "updated_at": row["recorded_at"],
    }
