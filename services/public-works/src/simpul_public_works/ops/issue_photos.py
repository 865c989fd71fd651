"""Photos of an infrastructure issue (``simpul_platform.photos``): stored without location and
other metadata behind the photo store, under ``issues/<issue id>/`` (the place of public
infrastructure is the issue's own coordinates, not the photo's). They never travel on Kafka."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.photos import PhotoBinding
from simpul_public_works.models import InfrastructureIssue, IssuePhoto
from simpul_public_works.ops.access import posyandu_for_write
from simpul_public_works.ops.issues_reads import visible_issue


async def _may_write(
    session: AsyncSession, principal: Principal, issue: InfrastructureIssue
) -> None:
    await posyandu_for_write(session, issue.posyandu_id, principal, field="issue.posyandu_id")


ISSUE_PHOTOS: PhotoBinding[IssuePhoto, InfrastructureIssue] = PhotoBinding(
    table=IssuePhoto,
    record_column="issue_id",
    folder="issues",
    find_record=visible_issue,
    check_write=_may_write,
)
