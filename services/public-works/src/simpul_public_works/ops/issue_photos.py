"""Photos of an infrastructure issue: checked by content, stripped of location and other
metadata (``simpul_platform.images``), kept behind the photo store and named by a row (the
place of public infrastructure is the issue's own coordinates, not the photo's). They never
travel on Kafka.

The stored image's SHA-256 names it: the same image uploaded again for the issue (a kader
retrying on a poor connection) is the photo already there. The file is written before its
row; a row whose commit fails leaves at most an unreferenced file under a key no other
content can take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import (
    Conflict,
    ContentTooLarge,
    FieldError,
    NotFound,
    ServiceUnavailable,
)
from simpul_platform.events import new_id
from simpul_platform.images import clean_image
from simpul_platform.storage import BlobMissing, PhotoStore, StoreFailed
from simpul_platform.uow import UnitOfWork
from simpul_public_works.models import InfrastructureIssue, IssuePhoto
from simpul_public_works.ops.access import posyandu_for_write
from simpul_public_works.ops.issues_reads import visible_issue
from simpul_public_works.settings import PublicWorksSettings


def check_size(data: bytes, settings: PublicWorksSettings, field: str = "body") -> None:
    if len(data) > settings.photo_max_bytes:
        limit = settings.photo_max_bytes
        message = f"A photo may have at most {limit} bytes; this one has {len(data)}."
        raise ContentTooLarge(
            message, errors=[FieldError(field=field, rule="max_bytes", message=message)]
        )


async def _same_image(session: AsyncSession, issue_id: str, digest: str) -> IssuePhoto | None:
    query = select(IssuePhoto).where(IssuePhoto.issue_id == issue_id, IssuePhoto.sha256 == digest)
    return (await session.exec(query)).first()


async def upload(
    uow: UnitOfWork,
    principal: Principal,
    issue: InfrastructureIssue,
    data: bytes,
    *,
    settings: PublicWorksSettings,
    store: PhotoStore,
    field: str = "body",
) -> tuple[IssuePhoto, bool]:
    """Stage a photo of an issue the caller may write to; the file is stored already. Returns
    the photo and whether it is new (False: the same image was uploaded for it before)."""
    check_size(data, settings, field)
    image = clean_image(data, max_side=settings.photo_max_side_px, field=field)
    await posyandu_for_write(uow.session, issue.posyandu_id, principal, field="issue.posyandu_id")
    digest = hashlib.sha256(image.data).hexdigest()
    existing = await _same_image(uow.session, issue.id, digest)
    if existing is not None:
        return existing, False
    key = f"issues/{issue.id}/{digest}.{image.extension}"
    try:
        await store.put(key, image.data, image.content_type)
    except StoreFailed as exc:
        raise ServiceUnavailable("The photo store cannot be reached; try again.") from exc
    row = IssuePhoto(
        id=new_id(),
        issue_id=issue.id,
        storage_key=key,
        content_type=image.content_type,
        bytes=len(image.data),
        sha256=digest,
        width=image.width,
        height=image.height,
        uploaded_by=principal.subject,
        uploaded_at=now(),
    )
    uow.session.add(row)
    return row, True


async def commit_upload(uow: UnitOfWork, row: IssuePhoto) -> IssuePhoto:
    """Commit a new photo; when the same image for the issue was committed concurrently, that
    photo is the answer."""
    try:
        await uow.commit()
        return row
    except IntegrityError as exc:
        await uow.rollback()
        existing = await _same_image(uow.session, row.issue_id, row.sha256)
        if existing is None:
            raise Conflict("The photo could not be stored; try again.") from exc
        return existing


async def photos_of(session: AsyncSession, issue_id: str) -> Sequence[IssuePhoto]:
    """An issue's photos, oldest first."""
    query = (
        select(IssuePhoto)
        .where(IssuePhoto.issue_id == issue_id)
        .order_by(col(IssuePhoto.uploaded_at), col(IssuePhoto.id))
    )
    return list((await session.exec(query)).all())


async def visible_photo(session: AsyncSession, principal: Principal, photo_id: str) -> IssuePhoto:
    """A photo of an issue the caller may see; 404 otherwise."""
    row = await session.get(IssuePhoto, photo_id)
    if row is None:
        raise NotFound(f"No photo {photo_id} in your wilayah.")
    try:
        await visible_issue(session, principal, row.issue_id)
    except NotFound as exc:
        raise NotFound(f"No photo {photo_id} in your wilayah.") from exc
    return row


async def image_of(store: PhotoStore, row: IssuePhoto) -> bytes:
    try:
        return await store.get(row.storage_key)
    except BlobMissing as exc:
        raise NotFound(f"The file of photo {row.id} is missing from the photo store.") from exc
    except StoreFailed as exc:
        raise ServiceUnavailable("The photo store cannot be reached; try again.") from exc


async def delete(uow: UnitOfWork, principal: Principal, photo_id: str) -> IssuePhoto:
    """Stage the removal of a photo of an issue the caller may write to; the caller commits,
    then removes the file (``forget``), so a row never names a missing file."""
    row = await visible_photo(uow.session, principal, photo_id)
    issue = await visible_issue(uow.session, principal, row.issue_id)
    await posyandu_for_write(uow.session, issue.posyandu_id, principal, field="issue.posyandu_id")
    await uow.session.delete(row)
    return row


async def forget(store: PhotoStore, row: IssuePhoto) -> None:
    """Remove a deleted photo's file; a store out of reach leaves an unreferenced file."""
    try:
        await store.delete(row.storage_key)
    except StoreFailed:
        return
