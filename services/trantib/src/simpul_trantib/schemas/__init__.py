"""API bodies and responses, one module per router in ``api/``."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict
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
