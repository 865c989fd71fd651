"""Reporting a village infrastructure issue (``domain/issues.py``): at a posyandu's desa the
caller may write to, its place checked plausible, linked as a duplicate of the earliest open
issue of the same kind nearby at the same desa (or of the one the reporter names), from a
referral when it names one, and putting the facility it names out of order when damaging.
The steps are ``ops.issues_steps``, the reads ``ops.issues_reads``.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.geo import check_coordinates, distance_m
from simpul_platform.uow import UnitOfWork
from simpul_public_works.domain.issues import OPEN_STATUSES
from simpul_public_works.models import InfrastructureIssue
from simpul_public_works.ops import issue_referrals
from simpul_public_works.ops.access import posyandu_for_write
from simpul_public_works.ops.facilities import damaged_by, facility_for_issue
from simpul_public_works.ops.issues_rows import history, status_changed, transition
from simpul_public_works.schemas.issues import IssueIn
from simpul_public_works.settings import PublicWorksSettings

OPD = "opd:public_works"


async def report(
    uow: UnitOfWork,
    principal: Principal,
    settings: PublicWorksSettings,
    body: IssueIn,
    today: date,
) -> tuple[InfrastructureIssue, float | None]:
    """Stage a reported issue. Returns it and, when it was found to repeat an open issue
    nearby, the distance in metres to that issue (None otherwise)."""
    on = body.reported_on or today
    not_in_future(on, today, "body.reported_on", "The report date")
    check_coordinates(body.latitude, body.longitude)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    desa = str(posyandu["desa_code"])
    referred = None
    if body.referral_id is not None:
        referred = await issue_referrals.incoming(uow, principal, body.referral_id, desa, body.kind)
    if body.facility_id is not None:
        await facility_for_issue(uow.session, body.facility_id, desa)
    await _serialise(uow.session, desa, body.kind)
    primary: InfrastructureIssue | None
    distance: float | None = None
    if body.duplicate_of is not None:
        primary = await _named_primary(uow.session, body, desa)
    else:
        primary, distance = await nearby_primary(uow.session, settings, body, desa)
    source = "referral" if referred else ("opd" if principal.has_any_role(OPD) else "kader")
    actor, moment = principal.subject, now()
    issue = InfrastructureIssue(
        id=new_id(),
        desa_code=desa,
        **body.model_dump(exclude={"duplicate_of", "reported_on"}),
        duplicate_of=primary.id if primary else None,
        status="reported",
        source=source,
        reported_on=on,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(issue)
    await uow.session.flush()  # the issue before its history (their foreign key)
    codes = {"source": source, "duplicate_of": issue.duplicate_of}
    await transition(uow, issue, "report", on, actor, codes=codes)
    if referred is not None:
        await issue_referrals.link(uow, principal, referred, issue.id, on)
    await damaged_by(uow, settings, issue, actor)
    return issue, distance


LOCK_CLASS = 0x15D0  # the first key of the issue-report locks (the second: desa and kind)


async def _serialise(session: AsyncSession, desa_code: str, kind: str) -> None:
    """Reports of one kind at one desa are taken one at a time, so two reports of the same
    damage sent at once are linked rather than both counted."""
    await locks.hold(session, LOCK_CLASS, [f"{desa_code}:{kind}"])


async def open_primaries(
    session: AsyncSession, desa_code: str, kind: str
) -> list[InfrastructureIssue]:
    """Open issues of a kind at a desa that are no one's duplicate, earliest reported first."""
    query = (
        select(InfrastructureIssue)
        .where(
            InfrastructureIssue.desa_code == desa_code,
            InfrastructureIssue.kind == kind,
            col(InfrastructureIssue.duplicate_of).is_(None),
            col(InfrastructureIssue.status).in_(OPEN_STATUSES),
        )
        .order_by(
            col(InfrastructureIssue.reported_on),
            col(InfrastructureIssue.created_at),
            col(InfrastructureIssue.id),
        )
    )
    return list((await session.exec(query)).all())


async def nearby_primary(
    session: AsyncSession, settings: PublicWorksSettings, body: IssueIn, desa_code: str
) -> tuple[InfrastructureIssue | None, float | None]:
    """The earliest open issue of the report's kind at its desa within the duplicate radius."""
    for candidate in await open_primaries(session, desa_code, body.kind):
        apart = distance_m(body.latitude, body.longitude, candidate.latitude, candidate.longitude)
        if apart <= settings.issue_duplicate_radius_m:
            return candidate, round(apart, 1)
    return None, None


async def _named_primary(
    session: AsyncSession, body: IssueIn, desa_code: str
) -> InfrastructureIssue:
    """The issue the reporter says this one repeats: of the same kind at the same desa (422),
    open (409); a duplicate itself stands for its own primary."""
    field = "body.duplicate_of"
    named = await session.get(InfrastructureIssue, body.duplicate_of)
    if named is not None and named.duplicate_of is not None:
        named = await session.get(InfrastructureIssue, named.duplicate_of)
    if named is None or named.desa_code != desa_code:
        raise RuleViolation(field, "unknown_issue", "No issue with this id at the posyandu's desa.")
    if named.kind != body.kind:
        raise RuleViolation(
            field, "duplicate_kind_mismatch", f"Issue {named.id} is {named.kind}, not {body.kind}."
        )
    if named.status not in OPEN_STATUSES:
        raise Conflict(
            f"Issue {named.id} is {named.status}: report the damage as a new issue.",
            current_status=named.status,
            duplicate_of=named.id,
        )
    return named


async def unlink(
    uow: UnitOfWork, principal: Principal, issue: InfrastructureIssue, today: date
) -> None:
    """A report wrongly taken for a duplicate is worked on its own from now, in the status it
    has (an open one only: a closed duplicate stays with the issue it was closed with)."""
    if issue.duplicate_of is None or issue.status not in OPEN_STATUSES:
        raise Conflict(
            f"Issue {issue.id} is not an open duplicate.",
            current_status=issue.status,
            duplicate_of=issue.duplicate_of,
        )
    primary, actor = issue.duplicate_of, principal.subject
    issue.duplicate_of = None
    issue.updated_by, issue.updated_at = actor, now()
    on = max(today, issue.reported_on)
    codes = {"was_duplicate_of": primary}
    await history(uow, issue, "unlink", issue.status, on, actor, codes=codes)
    uow.publish(status_changed(issue, "unlink", issue.status, on), subject=issue.id)
