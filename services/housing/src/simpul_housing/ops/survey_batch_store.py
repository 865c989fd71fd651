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

from simpul_housing.models import Assessment, House, HouseHousehold
from simpul_housing.schemas.assessments import SurveyIn
from simpul_platform.db import bulk_insert
from simpul_platform.errors import FieldError, ProblemError
from simpul_platform.replica import posyandu_replica, require_active_posyandu

SURVEY_COLUMNS = tuple(SurveyIn.model_fields)

H: Table = House.__table__  # type: ignore[attr-defined]
HH: Table = HouseHousehold.__table__  # type: ignore[attr-defined]
A: Table = Assessment.__table__  # type: ignore[attr-defined]
JSON_COLUMNS = ("kawasan", "failed_pupr", "failed_rutilahu")
# The known houses' new latest surveys from arrays unnested side by side: one statement,
# compiled once whatever the batch's size (a VALUES list of 1,000 rows is 6,000 bound
# parameters SQLAlchemy compiles anew each time: half a second).
LATEST_FROM_ARRAYS = text(
    """
    UPDATE house SET
        latest_assessment_id = latest.latest_assessment_id,
        assessed_on = latest.assessed_on,
        rtlh_pupr = latest.rtlh_pupr,
        rtlh_rutilahu = latest.rtlh_rutilahu,
        occupants = latest.occupants,
        updated_by = :updated_by,
        updated_at = :updated_at
    FROM unnest(
        CAST(:houses AS VARCHAR[]),
        CAST(:latest_assessment_id AS VARCHAR[]),
        CAST(:assessed_on AS DATE[]),
        CAST(:rtlh_pupr AS BOOLEAN[]),
        CAST(:rtlh_rutilahu AS BOOLEAN[]),
        CAST(:occupants AS INTEGER[])
    ) AS latest(house_id, latest_assessment_id, assessed_on, rtlh_pupr, rtlh_rutilahu, occupants)
    WHERE house.id = latest.house_id
    """
).bindparams(bindparam("updated_at", type_=H.c.updated_at.type))


@dataclass
class Known:
    """What the database holds for the whole batch, read once."""

    house_of_ref: dict[str, str]
    houses: dict[str, RowMapping]
    posyandu: dict[str, RowMapping | FieldError]
    same_day: dict[tuple[str, date], list[RowMapping]]
    living: dict[str, list[str]]


# --- one read per kind for the whole batch --------------------------------------------------


async def read_known(
    session: AsyncSession,
    *,
    refs: Sequence[str],
    house_ids: set[str],
    posyandu_ids: set[str],
    days: set[date],
) -> Known:
    """The houses the households (``refs``) live in, those and ``house_ids`` locked, the
    posyandu of ``posyandu_ids`` and of those houses, the houses' surveys of ``days`` and
    their households."""
    house_of_ref: dict[str, str] = {}
    if refs:
        query = select(HH.c.household_ref, HH.c.house_id).where(
            HH.c.household_ref.in_(refs), HH.c.moved_out_on.is_(None)
        )
        house_of_ref = {ref: house for ref, house in (await session.execute(query)).all()}
    houses = await locked_houses(session, house_ids | set(house_of_ref.values()))
    wanted = posyandu_ids | {h["posyandu_id"] for h in houses.values()}
    return Known(
        house_of_ref,
        houses,
        await posyandu_rows(session, wanted),
        await same_day_surveys(session, houses, days),
        await living_households(session, houses),
    )


async def locked_houses(session: AsyncSession, ids: set[str]) -> dict[str, RowMapping]:
    """The houses, locked until commit in id order (two batches of one house then decide one
    after the other; NO KEY: households' foreign-key checks go on)."""
    if not ids:
        return {}
    query = select(H).where(H.c.id.in_(ids)).order_by(H.c.id).with_for_update(key_share=True)
    return {row["id"]: row for row in (await session.execute(query)).mappings()}


async def posyandu_rows(session: AsyncSession, ids: set[str]) -> dict[str, RowMapping | FieldError]:
    """The replica's rows; one the replica has not heard of is confirmed with the registry as
    the single routes do (its refusal is the items' error)."""
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
    session: AsyncSession, houses: dict[str, RowMapping], days: set[date]
) -> dict[tuple[str, date], list[RowMapping]]:
    """The houses' surveys of the items' dates, as recorded (what ``unchanged`` compares)."""
    if not houses:
        return {}
    query = (
        select(A)
        .where(A.c.house_id.in_(list(houses)), A.c.surveyed_on.in_(days))
        .order_by(A.c.recorded_at, A.c.id)
    )
    found: dict[tuple[str, date], list[RowMapping]] = {}
    for row in (await session.execute(query)).mappings():
        found.setdefault((row["house_id"], row["surveyed_on"]), []).append(row)
    return found


async def living_households(
    session: AsyncSession, houses: dict[str, RowMapping]
) -> dict[str, list[str]]:
    """The pseudonyms of the households living in each house now, in the order recorded."""
    if not houses:
        return {}
    query = (
        select(HH.c.house_id, HH.c.household_ref)
        .where(HH.c.house_id.in_(list(houses)), HH.c.moved_out_on.is_(None))
        .order_by(HH.c.recorded_at, HH.c.kk)
    )
    living: dict[str, list[str]] = {}
    for house_id, ref in (await session.execute(query)).all():
        living.setdefault(house_id, []).append(ref)
    return living


# --- writing --------------------------------------------------------------------------------


async def write(
    session: AsyncSession,
    houses: list[dict[str, Any]],
    households: list[dict[str, Any]],
    assessments: list[dict[str, Any]],
    latest: list[dict[str, Any]],
) -> None:
    """One COPY (INSERT off PostgreSQL) per table, then the known houses' latest surveys."""
    await bulk_insert(session, H, houses)
    await bulk_insert(session, HH, households)
    await bulk_insert(session, A, await copy_ready(session, assessments))
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
    names = ("latest_assessment_id", "assessed_on", "rtlh_pupr", "rtlh_rutilahu", "occupants")
    common = {"updated_by": latest[0]["updated_by"], "updated_at": latest[0]["updated_at"]}
    if (await session.connection()).dialect.name != "postgresql":
        # Bound names other than the columns' own (those are reserved for the SET clause).
        changes: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
        statement = update(H).where(H.c.id == bindparam("house")).values({**changes, **common})
        rows = [{"house": r["house_id"], **{f"new_{n}": r[n] for n in names}} for r in latest]
        await session.execute(statement, rows)
        return
    arrays = {
        "houses": [r["house_id"] for r in latest],
        **{name: [r[name] for r in latest] for name in names},
    }
    await session.execute(LATEST_FROM_ARRAYS, {**arrays, **common})


def latest_of(row: dict[str, Any]) -> dict[str, Any]:
    """A house's columns its latest survey sets."""
    return {
        "house_id": row["house_id"],
        "latest_assessment_id": row["id"],
        "assessed_on": row["surveyed_on"],
        "rtlh_pupr": row["rtlh_pupr"],
        "rtlh_rutilahu": row["rtlh_rutilahu"],
        "occupants": row["occupants"],
        "updated_by": row["recorded_by"],
        "updated_at": row["recorded_at"],
    }


def same_survey(recorded: RowMapping, survey: dict[str, Any]) -> bool:
    """Every field as recorded (the areas in any order)."""
    for name in SURVEY_COLUMNS:
        mine, theirs = survey[name], recorded[name]
        if name == "kawasan":
            mine, theirs = sorted(mine), sorted(theirs)
        if mine != theirs:
            return False
    return True
