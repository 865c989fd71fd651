"""Time as the deployment sees it: instants in UTC, dates in the deployment's time zone.

A kader in Kutai Kartanegara (WITA, UTC+8) recording at 07:00 is on a date UTC has not reached
yet; "today" for every rule is ``local_today(settings)``, never the server's ``date.today()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from simpul_platform.settings import ServiceSettings


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
