"""Kader incentive rosters: computed per kabupaten and month from the kader, their posyandu's
registration and their attendance; replaced while a draft, frozen once DPMD approves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, distinct, func, insert, or_, select
from sqlmodel import col

from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain.fields import Role
from simpul_registry.domain.roster import KaderMonth, RosterRules, exclusion
from simpul_registry.events import IncentiveRosterApproved
from simpul_registry.models import (
    IncentiveRoster,
    IncentiveRosterRow,
    KaderAttendance,
    Person,
    Posyandu,
)
from simpul_registry.schemas_roster import RosterTotals
from simpul_registry.settings import RegistrySettings

# The desa prefixes a reader may see of a roster; None is the whole kabupaten.
Scopes = list[str] | None


def month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


async def find(session: Any, kabupaten: str, month: str) -> IncentiveRoster | None:
    """The roster, locked: an approval and a recompute of it never interleave."""
    found = await session.execute(
        select(IncentiveRoster)
        .where(
            col(IncentiveRoster.kabupaten_code) == kabupaten, col(IncentiveRoster.month) == month
        )
        .with_for_update()
    )
    roster: IncentiveRoster | None = found.scalars().first()
    return roster


async def _kader(session: Any, kabupaten: str, first: date, last: date) -> list[Any]:
    """Every kader of the kabupaten's posyandu with their posyandu, last present day on or
    before the month's end, and distinct present days within the month."""
    present = col(KaderAttendance.status) == "present"
    last_seen = (
        select(
            col(KaderAttendance.person_id),
            func.max(col(KaderAttendance.day)).label("last_present"),
        )
        .where(present, col(KaderAttendance.day) <= last)
        .group_by(col(KaderAttendance.person_id))
        .subquery()
    )
    days = (
        select(
            col(KaderAttendance.person_id),
            func.count(distinct(col(KaderAttendance.day))).label("days"),
        )
        .where(present, col(KaderAttendance.day) >= first, col(KaderAttendance.day) <= last)
        .group_by(col(KaderAttendance.person_id))
        .subquery()
    )
    query = (
        select(Person, Posyandu, last_seen.c.last_present, days.c.days)
        .join(Posyandu, col(Posyandu.id) == col(Person.posyandu_id))
        .outerjoin(last_seen, last_seen.c.person_id == col(Person.id))
        .outerjoin(days, days.c.person_id == col(Person.id))
        .where(col(Posyandu.kabupaten_code) == kabupaten, col(Person.role) == Role.kader.value)
        .order_by(col(Posyandu.desa_code), col(Posyandu.name_key), col(Person.name))
    )
    return list((await session.execute(query)).all())


async def compute(
    uow: UnitOfWork,
    kabupaten: str,
    month: str,
    settings: RegistrySettings,
    today: date,
    subject: str,
) -> IncentiveRoster:
    """The month's roster for the kabupaten, replacing its draft; 409 once approved."""
    first, last = month_bounds(month)
    if first > today:
        raise RuleViolation("body.month", "month_in_future", f"{month} has not begun yet.")
    roster = await find(uow.session, kabupaten, month)
    if roster is not None and roster.status == "approved":
        raise Conflict(
            f"The {month} roster of {kabupaten} was approved by {roster.approved_by} "
            f"at {roster.approved_at}: it is frozen."
        )
    rules = RosterRules(
        settings.incentive_min_days_attended,
        settings.incentive_registered_only,
        settings.kader_inactive_months,
    )
    values: dict[str, Any] = {
        "status": "draft",
        "min_days": rules.min_days,
        "amount_per_month": settings.incentive_amount_per_month,
        "registered_only": rules.registered_only,
        "computed_by": subject,
        "computed_at": now(),
    }
    if roster is None:
        roster = IncentiveRoster(id=new_id(), kabupaten_code=kabupaten, month=month, **values)
    else:
        for key, value in values.items():
            setattr(roster, key, value)
        await uow.session.execute(
            delete(IncentiveRosterRow).where(col(IncentiveRosterRow.roster_id) == roster.id)
        )
    uow.session.add(roster)
    await uow.session.flush()
    rows = []
    for person, p, last_present, days in await _kader(uow.session, kabupaten, first, last):
        state = KaderMonth(
            registered=p.registration_number is not None,
            start=person.start_date,
            end=person.end_date,
            last_present=last_present,
            days_present=int(days or 0),
        )
        reason = exclusion(state, first, last, rules)
        rows.append(
            {
                "roster_id": roster.id,
                "person_id": person.id,
                "posyandu_id": p.id,
                "posyandu_name": p.name,
                "desa_code": p.desa_code,
                "person_ref": person.person_ref,
                "name": person.name,
                "nik_masked": mask_nik(person.nik),
                "field": person.field,
                "days_present": state.days_present,
                "included": reason is None,
                "reason": None if reason is None else reason.value,
                "amount": settings.incentive_amount_per_month if reason is None else 0,
            }
        )
    if rows:
        await uow.session.execute(insert(IncentiveRosterRow), rows)
    return roster


def _rows(roster_id: str, scopes: Scopes) -> Any:
    """The roster's rows, or only those of desa within ``scopes`` (a kecamatan's Tim Pembina)."""
    desa = col(IncentiveRosterRow.desa_code)
    where = [col(IncentiveRosterRow.roster_id) == roster_id]
    if scopes is not None:
        where.append(or_(*(or_(desa == s, desa.startswith(s + ".")) for s in scopes)))
    return and_(*where)


async def totals(session: Any, roster_id: str, scopes: Scopes = None) -> RosterTotals:
    found = await session.execute(
        select(
            col(IncentiveRosterRow.reason),
            func.count(),
            func.coalesce(func.sum(col(IncentiveRosterRow.amount)), 0),
        )
        .where(_rows(roster_id, scopes))
        .group_by(col(IncentiveRosterRow.reason))
    )
    out = RosterTotals(kader=0, included=0, excluded={}, total_amount=0)
    for reason, count, amount in found.all():
        out.kader += int(count)
        out.total_amount += int(amount)
        if reason is None:
            out.included += int(count)
        else:
            out.excluded[reason] = int(count)
    out.excluded = dict(sorted(out.excluded.items()))
    return out


async def rows_of(
    session: Any,
    roster_id: str,
    page: int = 1,
    page_size: int | None = None,
    scopes: Scopes = None,
) -> list[IncentiveRosterRow]:
    """The roster's rows by desa, posyandu and name (the order they were computed in)."""
    query = (
        select(IncentiveRosterRow)
        .where(_rows(roster_id, scopes))
        .order_by(
            col(IncentiveRosterRow.desa_code),
            col(IncentiveRosterRow.posyandu_name),
            col(IncentiveRosterRow.name),
            col(IncentiveRosterRow.person_id),
        )
    )
    if page_size is not None:
        query = query.offset((page - 1) * page_size).limit(page_size)
    return list((await session.execute(query)).scalars().all())


async def list_rosters(session: Any, kabupaten: str, year: int | None) -> list[IncentiveRoster]:
    """A kabupaten's rosters, the latest month first."""
    query = select(IncentiveRoster).where(col(IncentiveRoster.kabupaten_code) == kabupaten)
    if year is not None:
        query = query.where(col(IncentiveRoster.month).startswith(f"{year}-"))
    found = await session.execute(query.order_by(col(IncentiveRoster.month).desc()).limit(120))
    return list(found.scalars().all())


async def get_roster(session: Any, roster_id: str, *, lock: bool = False) -> IncentiveRoster:
    roster: IncentiveRoster | None = await session.get(
        IncentiveRoster, roster_id, with_for_update=lock
    )
    if roster is None:
        raise NotFound(f"No incentive roster {roster_id}.")
    return roster


async def approve(uow: UnitOfWork, roster: IncentiveRoster, subject: str) -> RosterTotals:
    """Freeze the draft, keeping who approved it and when; publish counts only."""
    if roster.status == "approved":
        raise Conflict(f"This roster was approved by {roster.approved_by} already.")
    roster.status, roster.approved_by, roster.approved_at = "approved", subject, now()
    uow.session.add(roster)
    counted = await totals(uow.session, roster.id)
    uow.publish(
        IncentiveRosterApproved(
            roster_id=roster.id,
            kabupaten_code=roster.kabupaten_code,
            month=roster.month,
            included=counted.included,
            excluded=counted.excluded,
            total_amount=counted.total_amount,
        ),
        subject=roster.id,
    )
    return counted
