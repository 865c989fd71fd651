"""API bodies and responses, one module per router in ``api/``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


class Out(BaseModel):
    """A response read from a row's attributes."""

    model_config = ConfigDict(from_attributes=True)


def _iso_day(value: object) -> object:
    """A query's date as YYYY-MM-DD only: pydantic would read ``0`` as 1970-01-01."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")
    return value


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date in a query string, as its ``format: date`` says and nothing else.
DayQuery = Annotated[date, BeforeValidator(_iso_day)]


LATEST_YEAR = 2100
EARLIEST = date(2000, 1, 1)  # no record of this field is older; nor can the clock's edges be


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("A time is written as ISO 8601 with its offset, not as a number.")
    return value


def _in_range(value: datetime) -> datetime:
    # Far years would overflow when moved to UTC or the local zone (a 500, not a 422). Named
    # rules, as no JSON Schema can bound a date-time string.
    if value.year < EARLIEST.year:
        raise PydanticCustomError("too_early", "A time is not before {year}.", {"year": 2000})
    if value.year > LATEST_YEAR:
        raise PydanticCustomError("too_late", "A time is not after {year}.", {"year": 2100})
    return value.astimezone(UTC)  # stored and answered in UTC, whatever offset it came with


# An instant in a body: ISO 8601 with its offset (a time without a zone is ambiguous between
# WIB, WITA and WIT), never a number of seconds; kept in UTC.
Instant = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_in_range)]
