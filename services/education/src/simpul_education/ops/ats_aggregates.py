"""ATS indicators, open cases by desa and the open cases of a summary, over a scope (wilayah
prefixes, or one posyandu).

The counts read ``ats_case`` through ``ix_ats_case_desa_detected`` (a wilayah is a range of
desa codes; the index carries every column the counts need), so a kabupaten's ten thousand
cases are one index-only scan and a sum.

- **Returned ÷ identified** (cumulative, as of the period's end or today if sooner): the
  cases detected by then, except those closed as not eligible by then (over 18, a pesantren
  pupil, moved, deceased: no ATS of this wilayah to bring back), ÷ into those enrolled by
  then. Residu stays in the denominator: an ATS the field could not bring back.
- **Verified in time ÷ due**: the cases whose verification fell due in the period and is
  decided (verified, or past due by today), except those that ended unverified by their due
  date (closed or residu: nothing left to verify), ÷ into those verified on or before it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.ats import UNVERIFIED, is_overdue, verify_due
from simpul_education.models import ATS_OPEN, AtsCase
from simpul_education.ops.aggregates import Scope
from simpul_education.schemas.indicators import AtsCasesSummary, AtsOpenCase
from simpul_platform.indicators import IndicatorValue, Period
from simpul_platform.wilayah import under

SOURCE = (
    "Permendikbudristek 32/2022 (SPM pendidikan; ATS brought back to education); ATS "
    "categories and verification as on Disdik ATS pages and the national ATS dashboard "
    "(FIELDS.md §1(b)); cases from this service"
)
RETURNED = "education.ats_returned"
VERIFIED_IN_TIME = "education.ats_verified_in_time"


def _scoped(query: Any, scope: Scope) -> Any:
    query = query.where(under(col(AtsCase.desa_code), scope.wilayah))
    if scope.posyandu_id is not None:
        query = query.where(AtsCase.posyandu_id == scope.posyandu_id)
    return query


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def ats_indicators(
    session: AsyncSession, scope: Scope, window: Period, today: date
) -> list[IndicatorValue]:
    """ATS returned to education ÷ identified, and verified within the due date ÷ due."""
    end = min(window.end, today)
    detected, due, verified, closed = (
        col(AtsCase.detected_on),
        col(AtsCase.verify_due_on),
        col(AtsCase.verified_on),
        col(AtsCase.closed_on),
    )
    false_positive = and_(
        col(AtsCase.status) == "closed_not_eligible", closed.is_not(None), closed <= end
    )
    identified = ~false_positive
    returned = and_(identified, col(AtsCase.enrolled_on) <= end)
    ended_unverified = and_(verified.is_(None), closed.is_not(None), closed <= due)
    due_decided = and_(
        due >= window.start,
        due <= window.end,
        or_(verified.is_not(None), due < today),
        ~ended_unverified,
    )
    query = _scoped(
        select(
            _count(identified),
            _count(returned),
            _count(due_decided),
            _count(and_(due_decided, verified <= due)),
        ).where(detected <= end),
        scope,
    )
    row = (await session.execute(query)).one()
    identified_n, returned_n, due_n, in_time_n = (int(v) for v in row)
    return [
        IndicatorValue.of(
            RETURNED,
            "education",
            "ATS kembali bersekolah",
            returned_n,
            identified_n,
            "ATS cases detected by the period's end (not closed as not eligible by then) "
            "enrolled in school or kesetaraan by then ÷ those cases",
            SOURCE,
        ),
        IndicatorValue.of(
            VERIFIED_IN_TIME,
            "education",
            "ATS diverifikasi desa tepat waktu",
            in_time_n,
            due_n,
            "ATS cases whose verification fell due in the period (verified, or past due by "
            "today; not ended unverified by then) verified on or before the due date ÷ those "
            "cases",
            SOURCE,
        ),
    ]


async def open_ats_by_desa(session: AsyncSession, scope: Scope, as_of: date) -> dict[str, int]:
    """Cases open on ``as_of`` (detected by then, not enrolled, closed or residu by then), by
    desa code; desa with none are absent."""
    enrolled, closed = col(AtsCase.enrolled_on), col(AtsCase.closed_on)
    query = _scoped(
        select(col(AtsCase.desa_code), func.count())
        .where(
            col(AtsCase.detected_on) <= as_of,
            or_(enrolled.is_(None), enrolled > as_of),
            or_(closed.is_(None), closed > as_of),
        )
        .group_by(col(AtsCase.desa_code)),
        scope,
    )
    return {desa: int(n) for desa, n in (await session.execute(query)).all()}


OPEN_CASES_LISTED = 50  # a posyandu's profile lists its longest waiting cases, not all


async def open_ats_summary(session: AsyncSession, scope: Scope, today: date) -> AtsCasesSummary:
    """The cases open today over the scope, by status and overdue; for one posyandu also the
    ``OPEN_CASES_LISTED`` longest waiting (earliest detected, the id breaking ties, so the same
    cases are listed each time)."""
    status = col(AtsCase.status)
    late = and_(status.in_(UNVERIFIED), col(AtsCase.verify_due_on) < today)
    counted = await session.execute(
        _scoped(
            select(status, func.count(), _count(late)).where(status.in_(ATS_OPEN)), scope
        ).group_by(status)
    )
    by_status = dict.fromkeys(ATS_OPEN, 0)
    overdue = 0
    for name, n, n_late in counted.all():
        by_status[name], overdue = int(n), overdue + int(n_late)
    listed = await _longest_waiting(session, scope, today) if scope.posyandu_id else []
    return AtsCasesSummary(
        open=sum(by_status.values()), by_status=by_status, overdue=overdue, open_cases=listed
    )


async def _longest_waiting(session: AsyncSession, scope: Scope, today: date) -> list[AtsOpenCase]:
    query = _scoped(
        select(
            col(AtsCase.id),
            col(AtsCase.status),
            col(AtsCase.detected_on),
            col(AtsCase.verify_due_on),
        ).where(col(AtsCase.status).in_(ATS_OPEN)),
        scope,
    )
    query = query.order_by(col(AtsCase.detected_on), col(AtsCase.id)).limit(OPEN_CASES_LISTED)
    return [
        AtsOpenCase(
            case_id=case_id,
            status=status,
            detected_on=detected_on,
            due_on=verify_due(status, due),
            overdue=is_overdue(status, due, today),
        )
        for case_id, status, detected_on, due in (await session.execute(query)).all()
    ]
