"""Photos of a service's record (a house, an infrastructure issue): checked by size and by
content, stripped of location and other metadata (``simpul_platform.images``), kept behind the
photo store (``simpul_platform.storage``) and named by a row of the service's own photo table.
They never travel on Kafka.

A service describes its kind of photo once with a ``PhotoBinding``: its table, the column
naming the record, the store's folder, how a caller reaches the record and may write to it.
The routes over a binding are ``simpul_platform.photo_routes``.

The stored image's SHA-256 names it: the same image uploaded again for the record (a kader
retrying on a poor connection) is the photo already there. The file is written before its
row; a row whose commit fails leaves at most an unreferenced file under a key no other content
can take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

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
from simpul_platform.photo_settings import PhotoSettings
from simpul_platform.storage import BlobMissing, PhotoStore, StoreFailed
from simpul_platform.uow import UnitOfWork


class PhotoRecord(Protocol):
    """What a photo is of: a row with an id."""

    @property
    def id(self) -> str: ...


class PhotoRow(Protocol):
    """What is read of a photo's row. A photo table also has ``bytes``, ``width``, ``height``,
    ``uploaded_by``, the column naming its record (unique with ``sha256``) and any of its own."""

    @property
    def id(self) -> str: ...
    @property
    def storage_key(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def uploaded_at(self) -> datetime: ...


R = TypeVar("R", bound=PhotoRow)
P = TypeVar("P", bound=PhotoRecord)

# (session, caller, record id) → the record the caller may see; NotFound otherwise.
FindRecord = Callable[[AsyncSession, Principal, str], Awaitable[P]]
# (session, caller, record): refuses (403, 422) a caller who may not write to the record.
CheckWrite = Callable[[AsyncSession, Principal, P], Awaitable[object]]
# (session, record, the upload's own columns): refuses columns that do not fit the record.
CheckColumns = Callable[[AsyncSession, P, Mapping[str, Any]], Awaitable[None]]


async def no_columns_to_check(
    session: AsyncSession, record: Any, columns: Mapping[str, Any]
) -> None:
    """The default ``check_columns``: an upload of this kind has no columns of its own."""


@dataclass(frozen=True)
class PhotoBinding(Generic[R, P]):
    """One kind of photo of a service: rows of ``table`` whose ``record_column`` names the
    record, files under ``<folder>/<record id>/<sha256>.<ext>`` in the store."""

    table: type[R]
    record_column: str
    folder: str
    find_record: FindRecord[P]
    check_write: CheckWrite[P]
    check_columns: CheckColumns[P] = no_columns_to_check

    def record_of(self, row: R) -> str:
        record_id: str = getattr(row, self.record_column)
        return record_id

    def key(self, record_id: str, digest: str, extension: str) -> str:
        return f"{self.folder}/{record_id}/{digest}.{extension}"

    def column(self, name: str) -> Any:
        """The table's column ``name``, for a query."""
        return col(getattr(self.table, name))

    def new_row(self, **values: Any) -> R:
        make: Callable[..., R] = self.table
        return make(**values)


def check_size(data: bytes, max_bytes: int, field: str = "body") -> None:
    """413 naming ``field`` with rule ``max_bytes`` when ``data`` is larger than a photo may be."""
    if len(data) > max_bytes:
        message = f"A photo may have at most {max_bytes} bytes; this one has {len(data)}."
        raise ContentTooLarge(
            message, errors=[FieldError(field=field, rule="max_bytes", message=message)]
        )


_UNREACHABLE = "The photo store cannot be reached; try again."


async def same_image(
    session: AsyncSession, binding: PhotoBinding[R, P], record_id: str, digest: str
) -> R | None:
    """The record's photo of this content, if it has one."""
    query = select(binding.table).where(
        binding.column(binding.record_column) == record_id, binding.column("sha256") == digest
    )
    return (await session.exec(query)).first()


async def upload(
    uow: UnitOfWork,
    principal: Principal,
    binding: PhotoBinding[R, P],
    record: P,
    data: bytes,
    *,
    settings: PhotoSettings,
    store: PhotoStore,
    field: str = "body",
    columns: Mapping[str, Any] | None = None,
) -> tuple[R, bool]:
    """Stage a photo of a record the caller may write to (with the kind's own ``columns``);
    the file is stored already. Returns the photo and whether it is new (False: the same image
    was uploaded for the record before, and that photo is returned)."""
    columns = columns or {}
    check_size(data, settings.photo_max_bytes, field)
    image = clean_image(data, max_side=settings.photo_max_side_px, field=field)
    await binding.check_write(uow.session, principal, record)
    await binding.check_columns(uow.session, record, columns)
    digest = hashlib.sha256(image.data).hexdigest()
    existing = await same_image(uow.session, binding, record.id, digest)
    if existing is not None:
        return existing, False
    key = binding.key(record.id, digest, image.extension)
    try:
        await store.put(key, image.data, image.content_type)
    except StoreFailed as exc:
        raise ServiceUnavailable(_UNREACHABLE) from exc
    row = binding.new_row(
        id=new_id(),
        **{binding.record_column: record.id},
        **columns,
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


async def commit_upload(uow: UnitOfWork, binding: PhotoBinding[R, P], row: R) -> R:
    """Commit a new photo; when the same image for the record was committed concurrently, that
    photo is the answer."""
    try:
        await uow.commit()
        return row
    except IntegrityError as exc:
        await uow.rollback()
        existing = await same_image(uow.session, binding, binding.record_of(row), row.sha256)
        if existing is None:
            raise Conflict("The photo could not be stored; try again.") from exc
        return existing


async def photos_of(
    session: AsyncSession, binding: PhotoBinding[R, P], record_id: str
) -> Sequence[R]:
    """A record's photos, oldest first."""
    query = (
        select(binding.table)
        .where(binding.column(binding.record_column) == record_id)
        .order_by(binding.column("uploaded_at"), binding.column("id"))
    )
    return list((await session.exec(query)).all())


async def visible_photo(
    session: AsyncSession, principal: Principal, binding: PhotoBinding[R, P], photo_id: str
) -> R:
    """A photo of a record the caller may see; 404 otherwise (naming neither the record nor
    whether the photo exists outside the caller's wilayah)."""
    row = await session.get(binding.table, photo_id)
    if row is None:
        raise NotFound(f"No photo {photo_id} in your wilayah.")
    try:
        await binding.find_record(session, principal, binding.record_of(row))
    except NotFound as exc:
        raise NotFound(f"No photo {photo_id} in your wilayah.") from exc
    return row


async def image_of(store: PhotoStore, row: PhotoRow) -> bytes:
    """The stored image of a photo; 404 when its file is gone, 503 when the store is out of
    reach."""
    try:
        return await store.get(row.storage_key)
    except BlobMissing as exc:
        raise NotFound(f"The file of photo {row.id} is missing from the photo store.") from exc
    except StoreFailed as exc:
        raise ServiceUnavailable(_UNREACHABLE) from exc


async def delete(
    uow: UnitOfWork, principal: Principal, binding: PhotoBinding[R, P], photo_id: str
) -> R:
    """Stage the removal of a photo of a record the caller may write to; the caller commits,
    then removes the file (``forget``), so a row never names a missing file."""
    row = await visible_photo(uow.session, principal, binding, photo_id)
    record = await binding.find_record(uow.session, principal, binding.record_of(row))
    await binding.check_write(uow.session, principal, record)
    await uow.session.delete(row)
    return row


async def forget(store: PhotoStore, row: PhotoRow) -> None:
    """Remove a deleted photo's file; a store out of reach leaves an unreferenced file."""
    try:
        await store.delete(row.storage_key)
    except StoreFailed:
        return
