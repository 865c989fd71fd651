"""Time as the deployment sees it: instants in UTC, dates in the deployment's time zone.

A kader in Kutai Kartanegara (WITA, UTC+8) recording at 07:00 is on a date UTC has not reached
yet; "today" for every rule is ``local_today(settings)``, never the server's ``date.today()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from simpul_platform.settings import ServiceSettings


def _not_a_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("A date is written YYYY-MM-DD, not as a number.")
    return value


# A date in a request body. Pydantic's lax mode would also read a number as seconds since 1970
# (``0`` → 1970-01-01), which no user means: numbers are refused, ISO strings and dates pass.
IsoDate = Annotated[date, BeforeValidator(_not_a_number)]


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_today(settings: ServiceSettings) -> date:
    """Today's date in the deployment's time zone (``local_timezone``)."""
    return datetime.now(settings.zone).date()


def local_day(settings: ServiceSettings, moment: datetime) -> date:
    """The local date of an instant (a naive one is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(settings.zone).date()
