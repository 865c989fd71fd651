"""SPM trantibumlinmas (Permendagri 121/2018, 114/2018, 101/2018; FIELDS.md §4(a)) as this
service counts it: what each indicator counts, how a period is made of kept monthly counts,
and the reference functions the database's statements are tested against.

**Periods.** A period is ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (``simpul_platform.indicators``).
Every indicator counts the events *of the period* (a month's answer is that month's, not its
year to date): fires reported, reports closed and opened, disasters that occurred, outreach
held. A period not ended yet is counted to today.

**Kept per posyandu and month** (``ops.tallies``), each count twice: the month's own (``code``)
and its year to date (``code:ytd``, from 1 January to the month's end). A month reads the
month's row; a year reads the year-to-date row of its last month (or of the current month),
one read however many months it spans; a quarter reads the year to date at its end less the
year to date before it (two reads, one for Q1). Twelve monthly rows summed would make a
kabupaten-year answer twelve times the rows and, after a write, up to twelve months to count
again; the year-to-date rows make it one month's rows. Every count kept is a number of events,
so it adds and subtracts.

- ``trantib.fire_response`` (Permendagri 114/2018, response time ≤ 15 minutes): fires whose
  response met the SPM ÷ fires. A fire belongs to the period of its report's *local* date (the
  deployment's time zone). A fire without an arrival has no response time: it counts in the
  denominator and not in the numerator (``response_met`` is not true).
- ``trantib.fire_response_wmk``: the same over fires inside a WMK (the nearest post's radius).
- ``order_citizens``: of public-order reports closed in the period, affected citizens served
  (each report's ``citizens_served``, at most its ``affected_citizens``) ÷ affected citizens.
- ``order_reports``: reports closed in the period ÷ reports opened (reported) in the period.
  The trantibum formula was not found (FIELDS.md §4(a) [BG]): the setting
  ``order_served_formula`` says which of the two ``trantib.order_served`` is; both are kept,
  so changing the setting needs no recount.

**Read from their own tables** (small, indexed; not per posyandu):

- ``trantib.desa_in_wmk``: desa of the replica's posyandu in scope whose ``desa_point`` is
  inside a WMK ÷ those desa (a desa without a point is not within). The state now.
- ``trantib.disaster_evacuation`` (Permendagri 101/2018, rescue and evacuation): victims
  rescued and evacuated ÷ victims needing it, of the disasters that occurred in the period and
  whose area overlaps the scope. A disaster's victims are assessed for the disaster as a
  whole, so it is counted **whole in every scope it overlaps**: a kecamatan-wide disaster
  counts its full figures for each of its desa (rows by desa do not add up to the kecamatan
  when a disaster spans several; a kabupaten counts it once). Its area is its ``affected_desa``
  when listed, else its ``wilayah_code``.
- ``trantib.risk_information`` (Permendagri 101/2018, risk information): people of hazard-zone
  desa reached ÷ people there: per zone (a desa and a hazard of the period's year), the
  people reached by outreach on that hazard in that desa in the period, at most the zone's
  population. A zone's people cannot be split among its posyandu (the cap is the zone's), so
  this is counted per zone, not kept per posyandu.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from simpul_platform.auth import covers
from simpul_platform.indicators import Period
from simpul_platform.tallies import Tallies, end_month, month_end

MARKER = "posyandu"  # every counted posyandu-month has it (1, 1)
FIRES = "trantib.fire_response"
FIRES_WMK = "trantib.fire_response_wmk"
ORDER_CITIZENS = "order_citizens"
ORDER_REPORTS = "order_reports"
EVENTS = (FIRES, FIRES_WMK, ORDER_CITIZENS, ORDER_REPORTS)
YTD = ":ytd"
CODES = (MARKER, *EVENTS, *(code + YTD for code in EVENTS))

# What /v1/indicators answers with (besides the referrals).
DESA_IN_WMK = "trantib.desa_in_wmk"
ORDER_SERVED = "trantib.order_served"
DISASTER_EVACUATION = "trantib.disaster_evacuation"
RISK_INFORMATION = "trantib.risk_information"


def basis(time_zone: str) -> str:
    """The tag of the definitions above and of the time zone a fire's month is judged in:
    rows kept under others are counted again rather than read."""
    text = f"v1:{','.join(CODES)}:{time_zone}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Reads:
    """What a period is made of: kept counts of ``month`` (its own when ``suffix`` is "",
    its year to date when ``YTD``), less those of ``before`` (the year to date before a
    quarter) when set. ``None`` months: nothing to read (a period not begun)."""

    month: date | None
    suffix: str
    before: date | None = None


def reads(period: Period, today: date) -> Reads:
    if period.start > today:
        return Reads(None, "")
    end = end_month(period.end, today)
    if period.months == 1:
        return Reads(end, "")
    first = period.start
    before = date(first.year, first.month - 1, 1) if first.month > 1 else None
    return Reads(end, YTD, before)


def combined(at_end: Tallies, before: Tallies, suffix: str) -> Tallies:
    """The period's counts by event code, from the kept rows read (``reads``)."""
    out: Tallies = {}
    for code in EVENTS:
        n, d = at_end.get(code + suffix, (0, 0))
        n0, d0 = before.get(code + suffix, (0, 0))
        out[code] = (n - n0, d - d0)
    return out


def windows(month: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """(the month's first and last day, 1 January and the month's last day)."""
    end = month_end(month)
    return (month, end), (date(month.year, 1, 1), end)


# --------------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class FireFact:
    report_received_at: datetime
    inside_wmk: bool
    response_met: bool | None  # None: no arrival yet


@dataclass(frozen=True)
class OrderFact:
    reported_on: date
    closed_on: date | None = None
    affected_citizens: int | None = None
    citizens_served: int | None = None


def _in(day: date | None, window: tuple[date, date]) -> bool:
    return day is not None and window[0] <= day <= window[1]


def fire_counts(fires: Iterable[FireFact], month: date, zone: ZoneInfo) -> Tallies:
    out: Tallies = {}
    for suffix, window in zip(("", YTD), windows(month), strict=True):
        local = [f for f in fires if _in(f.report_received_at.astimezone(zone).date(), window)]
        wmk = [f for f in local if f.inside_wmk]
        out[FIRES + suffix] = (sum(f.response_met is True for f in local), len(local))
        out[FIRES_WMK + suffix] = (sum(f.response_met is True for f in wmk), len(wmk))
    return out


def served(report: OrderFact) -> int:
    return min(report.citizens_served or 0, report.affected_citizens or 0)


def order_counts(reports: Iterable[OrderFact], month: date) -> Tallies:
    out: Tallies = {}
    reports = list(reports)
    for suffix, window in zip(("", YTD), windows(month), strict=True):
        closed = [r for r in reports if _in(r.closed_on, window)]
        opened = sum(_in(r.reported_on, window) for r in reports)
        affected = sum(r.affected_citizens or 0 for r in closed)
        out[ORDER_CITIZENS + suffix] = (sum(served(r) for r in closed), affected)
        out[ORDER_REPORTS + suffix] = (len(closed), opened)
    return out


def overlaps(scopes: Sequence[str], wilayah_code: str, affected_desa: Sequence[str]) -> bool:
    """A disaster's area (its listed desa, else its wilayah) overlaps the scope: an area
    within a scope, or a scope within the area."""
    area = list(affected_desa) or [wilayah_code]
    return any(covers(s, a) or covers(a, s) for s in scopes for a in area)


@dataclass(frozen=True)
class Zone:
    desa_code: str
    hazard: str
    population: int


def risk_reach(zones: Iterable[Zone], reached: dict[tuple[str, str], int]) -> tuple[int, int]:
    """(people reached, people) over zones, each zone's reach at most its population;
    ``reached`` by (desa, hazard). Rows of one desa and hazard are one zone."""
    population: dict[tuple[str, str], int] = {}
    for z in zones:
        population[(z.desa_code, z.hazard)] = population.get((z.desa_code, z.hazard), 0) + (
            z.population
        )
    reach = sum(min(reached.get(key, 0), people) for key, people in population.items())
    return reach, sum(population.values())
