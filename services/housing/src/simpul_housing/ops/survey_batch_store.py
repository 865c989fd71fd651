"""The survey batch's reads and writes: one statement per kind of row for the whole batch, on
the platform's batch rows (``simpul_platform.batches.rows``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import Assessment, House, HouseHousehold
from simpul_housing.schemas.assessments import SurveyIn
from simpul_platform.batches import rows as batch_rows
from simpul_platform.errors import FieldError

SURVEY_COLUMNS = tuple(SurveyIn.model_fields)

H: Table = House.__table__  # type: ignore[attr-defined]
HH: Table = HouseHousehold.__table__  # type: ignore[attr-defined]
A: Table = Assessment.__table__  # type: ignore[attr-defined]
# The known houses' new latest surveys.
LATEST = batch_rows.ArrayUpdate(
    H,
    key="house_id",
    columns=("latest_assessment_id", "assessed_on", "rtlh_pupr", "rtlh_rutilahu", "occupants"),
)


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
    """The houses the households (``refs``) live in, those and ``house_ids`` locked (two
    batches of one house then decide one after the other), the posyandu of ``posyandu_ids``
    and of those houses, the houses' surveys of ``days`` and their households."""
    house_of_ref: dict[str, str] = {}
    if refs:
        query = select(HH.c.household_ref, HH.c.house_id).where(
            HH.c.household_ref.in_(refs), HH.c.moved_out_on.is_(None)
        )
        house_of_ref = {ref: house for ref, house in (await session.execute(query)).all()}
    houses = await batch_rows.locked_rows(session, H, "id", house_ids | set(house_of_ref.values()))
    wanted = posyandu_ids | {h["posyandu_id"] for h in houses.values()}
    return Known(
        house_of_ref,
        houses,
        await batch_rows.posyandu_rows(session, wanted),
        await batch_rows.rows_of_days(session, A, "house_id", houses, days),
        await living_households(session, houses),
    )


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
    await batch_rows.insert_rows(session, H, houses)
    await batch_rows.insert_rows(session, HH, households)
    await batch_rows.insert_rows(session, A, assessments)
    await LATEST.run(session, latest)


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
    return batch_rows.same_fields(recorded, survey, SURVEY_COLUMNS, unordered=("kawasan",))
