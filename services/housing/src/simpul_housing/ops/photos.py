"""Photos of a house or of one of its surveys: checked by content, stripped of location
metadata (``simpul_platform.images``), kept behind the photo store and named by a row. They
never leave the service on Kafka; only housing roles are served them.

The stored image's SHA-256 names it: the same image uploaded again for the house (say, by a
kader retrying on a poor connection) is the photo already there. The file is written before
its row; a row whose commit fails leaves at most an unreferenced file under a key no other
content can take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import Assessment, House, HousePhoto
from simpul_housing.ops.access import posyandu_for_write, visible_house
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
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


def check_size(data: bytes, settings: HousingSettings, field: str = "body") -> None:
    if len(data) > settings.photo_max_bytes:
        limit = settings.photo_max_bytes
        message = f"A photo may have at most {limit} bytes; this one has {len(data)}."
        raise ContentTooLarge(
            message, errors=[FieldError(field=field, rule="max_bytes", message=message)]
        )


async def _check_assessment(session: AsyncSession, house: House, assessment_id: str) -> None:
    row = await session.get(Assessment, assessment_id)
    if row is None or row.house_id != house.id:
        raise RuleViolation(
            "query.assessment_id", "not_of_house", "No survey of this house has that id."
        )


async def _same_image(session: AsyncSession, house_id: str, digest: str) -> HousePhoto | None:
    query = select(HousePhoto).where(HousePhoto.house_id == house_id, HousePhoto.sha256 == digest)
    return (await session.exec(query)).first()


async def upload(
    uow: UnitOfWork,
    principal: Principal,
    house: House,
    data: bytes,
    *,
    assessment_id: str | None,
    settings: HousingSettings,
    store: PhotoStore,
    field: str = "body",
) -> tuple[HousePhoto, bool]:
    """Stage a photo of a house (of its survey ``assessment_id``) the caller may write to;
    the file is stored already. Returns the photo and whether it is new (False: the same
    image was uploaded for the house before, and that photo is returned)."""
    check_size(data, settings, field)
    image = clean_image(data, max_side=settings.photo_max_side_px, field=field)
    await posyandu_for_write(uow.session, house.posyandu_id, principal, field="house.posyandu_id")
    if assessment_id is not None:
        await _check_assessment(uow.session, house, assessment_id)
    digest = hashlib.sha256(image.data).hexdigest()
    existing = await _same_image(uow.session, house.id, digest)
    if existing is not None:
        return existing, False
    key = f"houses/{house.id}/{digest}.{image.extension}"
    try:
        await store.put(key, image.data, image.content_type)
    except StoreFailed as exc:
        raise ServiceUnavailable("The photo store cannot be reached; try again.") from exc
    row = HousePhoto(
        id=new_id(),
        house_id=house.id,
        assessment_id=assessment_id,
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


async def commit_upload(uow: UnitOfWork, row: HousePhoto) -> HousePhoto:
    """Commit a new photo; when the same image for the house was committed concurrently,
    that photo is the answer."""
    try:
        await uow.commit()
        return row
    except IntegrityError as exc:
        await uow.rollback()
        existing = await _same_image(uow.session, row.house_id, row.sha256)
        if existing is None:
            raise Conflict("The photo could not be stored; try again.") from exc
        return existing


async def photos_of(session: AsyncSession, house_id: str) -> Sequence[HousePhoto]:
    """A house's photos, oldest first."""
    query = (
        select(HousePhoto)
        .where(HousePhoto.house_id == house_id)
        .order_by(col(HousePhoto.uploaded_at), col(HousePhoto.id))
    )
    return list((await session.exec(query)).all())


async def visible_photo(session: AsyncSession, principal: Principal, photo_id: str) -> HousePhoto:
    """A photo of a house the caller may see; 404 otherwise."""
    row = await session.get(HousePhoto, photo_id)
    if row is None:
        raise NotFound(f"No photo {photo_id} in your wilayah.")
    await visible_house(session, principal, row.house_id)
    return row


async def image_of(store: PhotoStore, row: HousePhoto) -> bytes:
    try:
        return await store.get(row.storage_key)
    except BlobMissing as exc:
        raise NotFound(f"The file of photo {row.id} is missing from the photo store.") from exc
    except StoreFailed as exc:
        raise ServiceUnavailable("The photo store cannot be reached; try again.") from exc


async def delete(uow: UnitOfWork, principal: Principal, photo_id: str) -> HousePhoto:
    """Stage the removal of a photo of a house the caller may write to; the caller commits,
    then removes the file (``forget``), so a row never names a missing file."""
    row = await visible_photo(uow.session, principal, photo_id)
    house = await visible_house(uow.session, principal, row.house_id)
    await posyandu_for_write(uow.session, house.posyandu_id, principal, field="house.posyandu_id")
    await uow.session.delete(row)
    return row


async def forget(store: PhotoStore, row: HousePhoto) -> None:
    """Remove a deleted photo's file; a store out of reach leaves an unreferenced file."""
    try:
        await store.delete(row.storage_key)
    except StoreFailed:
        return
