"""Reading a field's referrals: its users' lists, one with its steps, the counts DPMD reads,
a posyandu's open ones, and the indicator "referrals resolved within the due date"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, bindparam, case, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.indicators import IndicatorValue, Period, SpmField
from simpul_platform.pseudonym import mask_nik
from simpul_platform.referrals.domain import OPEN, is_overdue, resolved_on_time
from simpul_platform.referrals.schemas import (
    Direction,
    Group,
    ReferralBrief,
    ReferralCounts,
    ReferralDetail,
    ReferralGroup,
    ReferralOut,
    StatusFilter,
    StepOut,
)
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.wilayah import under

_OPEN = tuple(OPEN)


def brief(row: RowMapping, today: date) -> ReferralBrief:
    return ReferralBrief.model_validate(_common(row, today))


def full(row: RowMapping, today: date) -> ReferralOut:
    mine = row["direction"] == "outgoing"
    return ReferralOut.model_validate(
        {
            **_common(row, today),
            "details": row["details"] or {},
            "person_ref": row["person_ref"],
            "household_ref": row["household_ref"],
            "nik_masked": mask_nik(row["nik"]) if mine and row["nik"] else None,
            "no_kk_masked": mask_nik(row["no_kk"]) if mine and row["no_kk"] else None,
            "note": row["note"] if mine else None,
            "case_ref": row["case_ref"],
        }
    )


def _common(row: RowMapping, today: date) -> dict[str, Any]:
    status, due_on = row["status"], row["due_on"]
    return {
        **{name: row[name] for name in ReferralBrief.model_fields if name in row},
        "overdue": is_overdue(status, due_on, today),
        "resolved_on_time": (
            resolved_on_time(status, due_on, row["resolved_on"]) if status == "resolved" else None
        ),
    }


def _status_is(wanted: StatusFilter, today: date) -> ColumnElement[bool]:
    if wanted == "open":
        return referral.c.status.in_(_OPEN)
    if wanted == "overdue":
        return and_(referral.c.status.in_(_OPEN), referral.c.due_on < today)
    return referral.c.status == wanted


async def list_referrals(
    session: AsyncSession,
    scopes: Sequence[str],
    today: date,
    *,
    direction: Direction | None,
    status: StatusFilter | None,
    other_field: str | None,
    posyandu_id: str | None,
    limit: int,
) -> list[ReferralOut]:
    query = select(referral).where(under(referral.c.desa_code, scopes))
    if direction is not None:
        query = query.where(referral.c.direction == direction)
    if status is not None:
        query = query.where(_status_is(status, today))
    if other_field is not None:
        query = query.where(
            or_(
                and_(referral.c.direction == "incoming", referral.c.source_field == other_field),
                and_(referral.c.direction == "outgoing", referral.c.target_field == other_field),
            )
        )
    if posyandu_id is not None:
        query = query.where(referral.c.posyandu_id == posyandu_id)
    query = query.order_by(referral.c.due_on, referral.c.id).limit(limit)
    rows = (await session.execute(query)).mappings().all()
    return [full(row, today) for row in rows]


async def get_referral(
    session: AsyncSession, referral_id: str, principal: Principal, today: date
) -> ReferralDetail:
    """A referral with its steps, when in the caller's wilayah (404 otherwise)."""
    query = select(referral).where(referral.c.id == referral_id)
    row = (await session.execute(query)).mappings().first()
    if row is None or not principal.can_see(row["desa_code"]):
        raise NotFound(f"No referral {referral_id} in your wilayah.")
    steps = (
        (
            await session.execute(
                select(referral_history)
                .where(referral_history.c.referral_id == referral_id)
                .order_by(referral_history.c.id)
            )
        )
        .mappings()
        .all()
    )
    return ReferralDetail(
        **full(row, today).model_dump(),
        history=[StepOut.model_validate(dict(step)) for step in steps],
    )


# Overdue is relative to the service's local day, bound per query.
_TODAY = bindparam("today", type_=Date)


def _counts() -> list[Any]:
    """The ``ReferralCounts`` columns, in its field order, as SQL aggregates."""
    status, due_on, resolved_on = referral.c.status, referral.c.due_on, referral.c.resolved_on
    is_open = status.in_(_OPEN)
    return [
        func.count().label("total"),
        func.sum(case((is_open, 1), else_=0)).label("open"),
        func.sum(case((and_(is_open, due_on < _TODAY), 1), else_=0)).label("overdue"),
        func.sum(case((status == "rejected", 1), else_=0)).label("rejected"),
        func.sum(case((status == "resolved", 1), else_=0)).label("resolved"),
        func.sum(case((and_(status == "resolved", resolved_on <= due_on), 1), else_=0)).label(
            "resolved_on_time"
        ),
    ]


def _counted(row: RowMapping) -> dict[str, int]:
    return {name: int(row[name] or 0) for name in ReferralCounts.model_fields}


async def counts(
    session: AsyncSession,
    scopes: Sequence[str],
    today: date,
    direction: Direction,
    group: Group,
) -> tuple[ReferralCounts, dict[str, ReferralCounts], list[ReferralGroup]]:
    """Totals, per other field and per group, in one pass over the rows."""
    other = referral.c.source_field if direction == "incoming" else referral.c.target_field
    key = {
        "kecamatan": referral.c.kecamatan_code,
        "desa": referral.c.desa_code,
        "posyandu": referral.c.posyandu_id,
    }[group]
    query = (
        select(other.label("other"), key.label("code"), *_counts())
        .where(under(referral.c.desa_code, scopes), referral.c.direction == direction)
        .group_by(other, key)
    )
    rows = (await session.execute(query, {"today": today})).mappings().all()
    totals: dict[str, int] = dict.fromkeys(ReferralCounts.model_fields, 0)
    by_other: dict[str, dict[str, int]] = {}
    by_group: dict[str, dict[str, int]] = {}
    for row in rows:
        counted = _counted(row)
        for into in (
            totals,
            by_other.setdefault(row["other"], {}),
            by_group.setdefault(row["code"], {}),
        ):
            for name, value in counted.items():
                into[name] = into.get(name, 0) + value
    return (
        ReferralCounts(**totals),
        {name: ReferralCounts(**values) for name, values in sorted(by_other.items())},
        [ReferralGroup(code=code, **values) for code, values in sorted(by_group.items())],
    )


async def longest_overdue(
    session: AsyncSession, scopes: Sequence[str], today: date, direction: Direction, limit: int
) -> list[ReferralBrief]:
    """Open referrals past their due date, the longest overdue first."""
    query = (
        select(referral)
        .where(
            under(referral.c.desa_code, scopes),
            referral.c.direction == direction,
            _status_is("overdue", today),
        )
        .order_by(referral.c.due_on, referral.c.id)
        .limit(limit)
    )
    return [brief(row, today) for row in (await session.execute(query)).mappings().all()]


async def oldest_open(
    session: AsyncSession, scopes: Sequence[str], today: date, direction: Direction, limit: int
) -> list[ReferralBrief]:
    """Open referrals (requested or accepted), the earliest requested first, overdue or not.
    Ties go by id, so a merge of several fields' lists in the same order is exact."""
    query = (
        select(referral)
        .where(
            under(referral.c.desa_code, scopes),
            referral.c.direction == direction,
            _status_is("open", today),
        )
        .order_by(referral.c.requested_on, referral.c.id)
        .limit(limit)
    )
    return [brief(row, today) for row in (await session.execute(query)).mappings().all()]


async def open_at_posyandu(
    session: AsyncSession, posyandu_id: str, today: date
) -> list[ReferralBrief]:
    """A posyandu's open referrals this field holds, sent and owned, the soonest due first."""
    query = (
        select(referral)
        .where(referral.c.posyandu_id == posyandu_id, referral.c.status.in_(_OPEN))
        .order_by(referral.c.due_on, referral.c.id)
        .limit(1000)
    )
    return [brief(row, today) for row in (await session.execute(query)).mappings().all()]


async def resolved_in_time(
    session: AsyncSession,
    field: SpmField,
    scopes: Sequence[str],
    posyandu_id: str | None,
    period: Period,
    today: date,
) -> IndicatorValue:
    """Of the referrals this field owns that fell due in the period (up to today) or were
    resolved before falling due, the share resolved on or before the due date. A rejected
    referral asked the wrong field: it is not counted."""
    due_in_period = and_(referral.c.due_on >= period.start, referral.c.due_on <= period.end)
    decided = or_(referral.c.due_on < today, referral.c.status == "resolved")
    query = select(
        func.count().label("denominator"),
        func.sum(
            case(
                (
                    and_(
                        referral.c.status == "resolved",
                        referral.c.resolved_on <= referral.c.due_on,
                    ),
                    1,
                ),
                else_=0,
            )
        ).label("numerator"),
    ).where(
        under(referral.c.desa_code, scopes),
        referral.c.direction == "incoming",
        referral.c.status != "rejected",
        due_in_period,
        decided,
    )
    if posyandu_id is not None:
        query = query.where(referral.c.posyandu_id == posyandu_id)
    row = (await session.execute(query)).mappings().one()
    return IndicatorValue.of(
        code=f"{field}.referrals_resolved_in_time",
        field=field,
        name="Referrals resolved within the due date",
        numerator=int(row["numerator"] or 0),
        denominator=int(row["denominator"]),
        definition=(
            "Referrals to this field due in the period (not rejected) resolved on or before "
            "their due date ÷ those due in the period that are resolved or past their due date"
        ),
        source="Permendagri 13/2024 (Posyandu as the village's coordination point, six SPM "
        "fields); due N working days after the request (deployment policy, default 5)",
    )
