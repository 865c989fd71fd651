"""The survey batch's reads and writes: one statement per kind of row for the whole batch, on
the platform's batch rows (``simpul_platform.batches.rows``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.batches import rows as batch_rows
from simpul_platform.errors import FieldError
from simpul_public_works.models import Household, WashSurvey
from simpul_public_works.schemas.surveys import SurveyIn

SURVEY_COLUMNS = tuple(name for name in SurveyIn.model_fields if name not in ("kk", "posyandu_id"))
H: Table = Household.__table__  # type: ignore[attr-defined]
W: Table = WashSurvey.__table__  # type: ignore[attr-defined]
LATEST = (
    "latest_survey_id",
    "surveyed_on",
    "occupants",
    "water_level",
    "sanitation_level",
    "basic_water",
    "wastewater_service",
)
# The known households' new latest surveys; a household known by pseudonym alone (from
# housing) gets its No. KK here.
LATEST_UPDATE = batch_rows.ArrayUpdate(H, key="household_id", columns=LATEST, keep=("kk",))


@dataclass
class Known:
    """What the database holds for the whole batch, read once."""

    households: dict[str, RowMapping]  # by household_ref
    posyandu: dict[str, RowMapping | FieldError]
    same_day: dict[tuple[str, date], list[RowMapping]]


async def read_known(
    session: AsyncSession, *, refs: Sequence[str], posyandu_ids: set[str], days: set[date]
) -> Known:
    """The households of ``refs`` by pseudonym (a No. KK's, so one known by pseudonym alone
    is found too), locked (two batches of one household then decide one after the other), the
    posyandu of ``posyandu_ids`` and the households' surveys of ``days``."""
    households = await batch_rows.locked_rows(session, H, "household_ref", refs)
    ids = [h["id"] for h in households.values()]
    return Known(
        households,
        await batch_rows.posyandu_rows(session, posyandu_ids),
        await batch_rows.rows_of_days(session, W, "household_id", ids, days),
    )


def same_survey(recorded: RowMapping, survey: dict[str, Any]) -> bool:
    """Every field as recorded (the quality marks in any order), typed here by a kader."""
    if recorded["source"] != "kader":
        return False
    return batch_rows.same_fields(recorded, survey, SURVEY_COLUMNS, unordered=("quality",))


# --- writing --------------------------------------------------------------------------------


async def write(
    session: AsyncSession,
    households: list[dict[str, Any]],
    surveys: list[dict[str, Any]],
    latest: list[dict[str, Any]],
) -> None:
    """One COPY (INSERT off PostgreSQL) per table, then the known households' latest surveys."""
    await batch_rows.insert_rows(session, H, households)
    await batch_rows.insert_rows(session, W, surveys)
    await LATEST_UPDATE.run(session, latest)


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
