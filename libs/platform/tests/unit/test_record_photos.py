"""Photos of a record over a toy photo table on SQLite: an upload checked by size and content,
stored without its location metadata under the record's folder, the same image once per
record, listed oldest first, hidden outside the caller's wilayah, removed with its file; and
the routes' pure parts (the record's path parameter, the served headers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import photos
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import ContentTooLarge, Forbidden, NotFound, ServiceUnavailable
from simpul_platform.images import clean_image
from simpul_platform.outbox import Outbox
from simpul_platform.photo_routes import PhotoRoutes, served
from simpul_platform.photo_settings import PhotoSettings
from simpul_platform.photos import PhotoBinding, check_size
from simpul_platform.storage import LocalPhotoStore, StoreFailed
from simpul_platform.testing.images import GPS_LATITUDE, jpeg, png
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.unit

KADER = Principal(subject="kader-1", roles=frozenset({"kader:toy"}), wilayah=("64.02.06",))
ELSEWHERE = Principal(subject="kader-2", roles=frozenset({"kader:toy"}), wilayah=("64.03",))


toy_registry = registry()


class ToyModel(SQLModel, registry=toy_registry):
    pass


class ToyPhoto(ToyModel, table=True):
    __tablename__ = "toy_photo"
    __table_args__ = (UniqueConstraint("shed_id", "sha256"),)

    id: str = Field(primary_key=True, max_length=36)
    shed_id: str = Field(index=True, max_length=36)
    angle: str | None = Field(default=None, max_length=8)
    storage_key: str = Field(max_length=200)
    content_type: str = Field(max_length=20)
    bytes: int
    sha256: str = Field(max_length=64)
    width: int
    height: int
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime


@dataclass(frozen=True)
class Shed:
    id: str
    desa_code: str


SHEDS = {"s-1": Shed("s-1", "64.02.06.2001"), "s-2": Shed("s-2", "64.02.06.2002")}
WRITES: list[str] = []


async def find_shed(session: AsyncSession, principal: Principal, shed_id: str) -> Shed:
    shed = SHEDS.get(shed_id)
    if shed is None or not principal.can_see(shed.desa_code):
        raise NotFound(f"No shed {shed_id} in your wilayah.")
    return shed


async def may_write(session: AsyncSession, principal: Principal, shed: Shed) -> None:
    WRITES.append(shed.id)
    if "kader:toy" not in principal.roles:
        raise Forbidden("Only a toy kader writes.")


async def angle_known(session: AsyncSession, shed: Shed, columns: Mapping[str, Any]) -> None:
    if columns.get("angle") not in (None, "front", "back"):
        raise RuleViolation("query.angle", "unknown_angle", "Front or back.")


SHED_PHOTOS: PhotoBinding[ToyPhoto, Shed] = PhotoBinding(
    table=ToyPhoto,
    record_column="shed_id",
    folder="sheds",
    find_record=find_shed,
    check_write=may_write,
    check_columns=angle_known,
)


@dataclass
class Toy:
    db: Database
    store: LocalPhotoStore
    settings: PhotoSettings

    async def upload(self, shed: str, data: bytes, **columns: Any) -> tuple[ToyPhoto, bool]:
        async with self.db.sessions() as session:
            uow = UnitOfWork(session, Outbox(self.settings))
            row, new = await photos.upload(
                uow,
                KADER,
                SHED_PHOTOS,
                SHEDS[shed],
                data,
                settings=self.settings,
                store=self.store,
                columns=columns,
            )
            if new:
                row = await photos.commit_upload(uow, SHED_PHOTOS, row)
            return row, new

    async def listed(self, shed: str) -> list[ToyPhoto]:
        async with self.db.sessions() as session:
            return list(await photos.photos_of(session, SHED_PHOTOS, shed))


@pytest.fixture
async def toy(tmp_path: Path) -> AsyncIterator[Toy]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'toy.db'}")
    await db.create_all(toy_registry.metadata)
    settings = PhotoSettings(service_name="toy", photo_max_bytes=4096, photo_max_side_px=64)
    WRITES.clear()
    try:
        yield Toy(db, LocalPhotoStore(tmp_path / "photos"), settings)
    finally:
        await db.dispose()


async def test_an_upload_is_stored_without_location_under_its_record_once(toy: Toy) -> None:
    image = jpeg(gps=True)

    row, new = await toy.upload("s-1", image, angle="front")
    again, new_again = await toy.upload("s-1", image)
    elsewhere, _ = await toy.upload("s-2", image)

    clean = clean_image(image, max_side=64)
    assert new and not new_again and again.id == row.id
    assert (row.shed_id, row.angle, row.uploaded_by) == ("s-1", "front", "kader-1")
    assert row.storage_key == f"sheds/s-1/{row.sha256}.jpg"
    assert (row.content_type, row.bytes, row.width, row.height) == (
        "image/jpeg",
        len(clean.data),
        16,
        8,
    )
    stored = await toy.store.get(row.storage_key)
    assert stored == clean.data and GPS_LATITUDE not in stored
    assert elsewhere.id != row.id and elsewhere.storage_key.startswith("sheds/s-2/")
    assert WRITES == ["s-1", "s-1", "s-2"]


async def test_a_record_lists_its_own_photos_oldest_first(toy: Toy) -> None:
    first, _ = await toy.upload("s-1", jpeg())
    second, _ = await toy.upload("s-1", png())
    await toy.upload("s-2", png(8, 8))

    assert [p.id for p in await toy.listed("s-1")] == [first.id, second.id]


async def test_an_upload_is_refused_by_size_content_dimensions_and_its_columns(toy: Toy) -> None:
    with pytest.raises(ContentTooLarge) as large:
        await toy.upload("s-1", jpeg() + b"\0" * 5000)
    with pytest.raises(RuleViolation) as text:
        await toy.upload("s-1", b"not a photo")
    with pytest.raises(RuleViolation) as huge:
        await toy.upload("s-1", png(65, 8))
    with pytest.raises(RuleViolation) as angle:
        await toy.upload("s-1", jpeg(), angle="side")

    assert large.value.errors[0].rule == "max_bytes"
    assert [text.value.rule, huge.value.rule, angle.value.rule] == [
        "not_an_image",
        "image_dimensions",
        "unknown_angle",
    ]
    assert await toy.listed("s-1") == [] and not toy.store.root.exists()


async def test_a_photo_outside_the_wilayah_is_not_found_and_names_no_record(toy: Toy) -> None:
    row, _ = await toy.upload("s-1", jpeg())
    async with toy.db.sessions() as session:
        assert (await photos.visible_photo(session, KADER, SHED_PHOTOS, row.id)).id == row.id
        for principal, photo_id in ((ELSEWHERE, row.id), (KADER, "missing")):
            with pytest.raises(NotFound) as hidden:
                await photos.visible_photo(session, principal, SHED_PHOTOS, photo_id)
            assert hidden.value.detail == f"No photo {photo_id} in your wilayah."


async def test_a_deleted_photo_loses_its_row_then_its_file(toy: Toy) -> None:
    row, _ = await toy.upload("s-1", jpeg())
    async with toy.db.sessions() as session:
        uow = UnitOfWork(session, Outbox(toy.settings))
        deleted = await photos.delete(uow, KADER, SHED_PHOTOS, row.id)
        await uow.commit()
    await photos.forget(toy.store, deleted)

    assert await toy.listed("s-1") == []
    with pytest.raises(NotFound):
        await photos.image_of(toy.store, deleted)


class DownStore(LocalPhotoStore):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        raise StoreFailed(key)

    async def get(self, key: str) -> bytes:
        raise StoreFailed(key)

    async def delete(self, key: str) -> None:
        raise StoreFailed(key)


async def test_a_store_out_of_reach_is_a_503_and_a_delete_leaves_the_file(toy: Toy) -> None:
    row, _ = await toy.upload("s-1", jpeg())
    toy.store = DownStore(toy.store.root)

    with pytest.raises(ServiceUnavailable):
        await toy.upload("s-1", png())
    with pytest.raises(ServiceUnavailable):
        await photos.image_of(toy.store, row)
    await photos.forget(toy.store, row)  # an unreferenced file at worst
    assert [p.id for p in await toy.listed("s-1")] == [row.id]


def test_check_size_names_the_field_and_the_limit() -> None:
    check_size(b"x" * 10, 10)
    with pytest.raises(ContentTooLarge) as large:
        check_size(b"x" * 11, 10, "body.file")
    [error] = large.value.errors
    assert (error.field, error.rule) == ("body.file", "max_bytes")
    assert "at most 10 bytes; this one has 11" in error.message


def test_routes_name_the_records_path_parameter_and_serve_without_sniffing() -> None:
    routes = PhotoRoutes(
        record_path="/v1/sheds/{shed_id}/photos",
        photo_path="/v1/shed-photos",
        tag="sheds",
        upload_id="uploadShedPhoto",
        list_id="listShedPhotos",
        get_id="getShedPhoto",
        delete_id="deleteShedPhoto",
        upload_doc="Upload a photo of a shed.",
        list_doc="A shed's photos.",
    )
    row = ToyPhoto(
        id="p-1",
        shed_id="s-1",
        storage_key="sheds/s-1/abc.png",
        content_type="image/png",
        bytes=3,
        sha256="abc",
        width=1,
        height=1,
        uploaded_by="kader-1",
        uploaded_at=datetime(2025, 1, 1),
    )

    response = served(row, b"png")

    assert routes.record_parameter == "shed_id"
    assert response.body == b"png" and response.media_type == "image/png"
    assert response.headers["etag"] == '"abc"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"] == 'inline; filename="photo-p-1.png"'
