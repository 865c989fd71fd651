"""Public facilities at a desa: recorded by the OPD or a kader at a posyandu, listed, read
with their status history; their status is changed only by the issues about them
(``domain.facilities``): a damaging report makes a facility rusak, the repair of the last open
damaging issue about it berfungsi again. Each change is kept with the issue and announced."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import NotFound
from simpul_platform.events import new_id
from simpul_platform.geo import check_coordinates
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_public_works.domain.facilities import (
    FACILITIES,
    FacilityAction,
    check_built_year,
    damages,
)
from simpul_public_works.events import FacilityRecorded, FacilityStatusChanged
from simpul_public_works.models import (
    InfrastructureIssue,
    PublicFacility,
    PublicFacilityHistory,
)
from simpul_public_works.ops.access import posyandu_for_write
from simpul_public_works.schemas.facilities import FacilityDetail, FacilityIn, FacilityStepOut
from simpul_public_works.settings import PublicWorksSettings


async def record_facility(
    uow: UnitOfWork, principal: Principal, body: FacilityIn, today: date
) -> PublicFacility:
    """Stage a facility at a posyandu's desa the caller may write to, and announce it."""
    on = body.recorded_on or today
    not_in_future(on, today, "body.recorded_on", "The record date")
    check_coordinates(body.latitude, body.longitude)
    check_built_year(body.built_year, today)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    actor, moment = principal.subject, now()
    row = PublicFacility(
        id=new_id(),
        desa_code=posyandu["desa_code"],
        **body.model_dump(exclude={"recorded_on"}),
        status_changed_on=on,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(row)
    await uow.session.flush()  # the facility before its history (their foreign key)
    uow.session.add(
        PublicFacilityHistory(
            facility_id=row.id,
            action="record",
            from_status=None,
            to_status=row.status,
            step_on=on,
            actor=actor,
            at=moment,
        )
    )
    uow.publish(
        FacilityRecorded(
            facility_id=row.id,
            posyandu_id=row.posyandu_id,
            desa_code=row.desa_code,
            kind=row.kind,
            name=row.name,
            latitude=row.latitude,
            longitude=row.longitude,
            households_served=row.households_served,
            built_year=row.built_year,
            status=row.status,
            recorded_on=on,
        ),
        subject=row.id,
    )
    return row


async def visible_facility(
    session: AsyncSession, principal: Principal, facility_id: str, *, lock: bool = False
) -> PublicFacility:
    row = await session.get(PublicFacility, facility_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No facility {facility_id} in your wilayah.")
    return row


async def facility_for_issue(
    session: AsyncSession, facility_id: str, desa_code: str, field: str = "body.facility_id"
) -> PublicFacility:
    """The facility an issue names, locked (its status may change with the issue): at the
    issue's desa (422 otherwise)."""
    row = await session.get(PublicFacility, facility_id, with_for_update=True)
    if row is None or row.desa_code != desa_code:
        raise RuleViolation(field, "unknown_facility", "No public facility with this id here.")
    return row


def change_status(
    uow: UnitOfWork,
    facility: PublicFacility,
    action: FacilityAction,
    on: date,
    actor: str,
    issue_id: str,
) -> None:
    """Damage or repair the facility by an issue: kept in its history and announced."""
    previous = facility.status
    facility.status = FACILITIES.next(previous, action)  # type: ignore[arg-type]
    moment = now()
    facility.status_changed_on = max(on, facility.status_changed_on)
    facility.updated_by, facility.updated_at = actor, moment
    uow.session.add(facility)
    uow.session.add(
        PublicFacilityHistory(
            facility_id=facility.id,
            action=action,
            from_status=previous,
            to_status=facility.status,
            issue_id=issue_id,
            step_on=on,
            actor=actor,
            at=moment,
        )
    )
    uow.publish(
        FacilityStatusChanged(
            facility_id=facility.id,
            posyandu_id=facility.posyandu_id,
            desa_code=facility.desa_code,
            kind=facility.kind,
            from_status=previous,
            to_status=facility.status,
            on=on,
            issue_id=issue_id,
            households_served=facility.households_served,
        ),
        subject=facility.id,
    )


async def damaged_by(
    uow: UnitOfWork, settings: PublicWorksSettings, issue: InfrastructureIssue, actor: str
) -> None:
    """A reported issue naming a working facility with damaging severity puts it out of order."""
    if issue.facility_id is None or not damages(
        issue.severity, settings.facility_damaging_severities
    ):
        return
    facility = await facility_for_issue(uow.session, issue.facility_id, issue.desa_code)
    if facility.status == "berfungsi":
        change_status(uow, facility, "damage", issue.reported_on, actor, issue.id)


async def repaired_by(
    uow: UnitOfWork,
    settings: PublicWorksSettings,
    issue: InfrastructureIssue,
    on: date,
    actor: str,
) -> None:
    """A done issue naming a damaged facility repairs it, unless another open damaging issue
    still names it."""
    if issue.facility_id is None:
        return
    facility = await facility_for_issue(uow.session, issue.facility_id, issue.desa_code)
    if facility.status != "rusak":
        return
    await uow.session.flush()  # the issues closed in this step, before they are read
    still = select(InfrastructureIssue.id).where(
        InfrastructureIssue.facility_id == facility.id,
        InfrastructureIssue.id != issue.id,
        col(InfrastructureIssue.severity).in_(settings.facility_damaging_severities),
        col(InfrastructureIssue.status).not_in(("done", "declined")),
    )
    if (await uow.session.exec(still)).first() is None:
        change_status(uow, facility, "repair", on, actor, issue.id)


async def detail(session: AsyncSession, row: PublicFacility) -> FacilityDetail:
    query = (
        select(PublicFacilityHistory)
        .where(PublicFacilityHistory.facility_id == row.id)
        .order_by(col(PublicFacilityHistory.step_on), col(PublicFacilityHistory.id))
    )
    steps = [FacilityStepOut.model_validate(h) for h in (await session.exec(query)).all()]
    return FacilityDetail.model_validate({**row.model_dump(), "history": steps})


async def list_facilities(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[PublicFacility]:
    """Facilities in the caller's scope, optionally one posyandu's, of one kind or status."""
    query = select(PublicFacility).where(
        under(col(PublicFacility.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(PublicFacility.posyandu_id == posyandu_id)
    if kind is not None:
        query = query.where(PublicFacility.kind == kind)
    if status is not None:
        query = query.where(PublicFacility.status == status)
    query = query.order_by(col(PublicFacility.desa_code), col(PublicFacility.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
