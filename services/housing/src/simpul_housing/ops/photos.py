"""Photos of a house or of one of its surveys (``simpul_platform.photos``): stored without
location metadata behind the photo store, under ``houses/<house id>/``. They never leave the
service on Kafka; only housing roles are served them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import Assessment, House, HousePhoto
from simpul_housing.ops.access import posyandu_for_write, visible_house
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation
from simpul_platform.photos import PhotoBinding


async def _may_write(session: AsyncSession, principal: Principal, house: House) -> None:
    await posyandu_for_write(session, house.posyandu_id, principal, field="house.posyandu_id")


async def _survey_of_house(session: AsyncSession, house: House, columns: Mapping[str, Any]) -> None:
    """A photo of a survey (``assessment_id``) is of one of the house's own."""
    assessment_id = columns.get("assessment_id")
    if assessment_id is None:
        return
    row = await session.get(Assessment, assessment_id)
    if row is None or row.house_id != house.id:
        raise RuleViolation(
            "query.assessment_id", "not_of_house", "No survey of this house has that id."
        )


HOUSE_PHOTOS: PhotoBinding[HousePhoto, House] = PhotoBinding(
    table=HousePhoto,
    record_column="house_id",
    folder="houses",
    find_record=visible_house,
    check_write=_may_write,
    check_columns=_survey_of_house,
)
