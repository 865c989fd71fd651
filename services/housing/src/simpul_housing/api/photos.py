"""Photos of a house or a survey: uploaded as the image itself or as a multipart form, listed
as metadata, served as bytes to housing roles only (``opd:housing``, ``kader:housing`` within
their wilayah; DPMD and the gateway never see them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from simpul_housing.api.deps import Reader, SettingsDep, Writer
from simpul_housing.models import HousePhoto
from simpul_housing.ops import photos as ops
from simpul_housing.ops.access import visible_house
from simpul_housing.schemas.photos import PhotoOut
from simpul_housing.settings import HousingSettings
from simpul_platform.domain import RuleViolation
from simpul_platform.storage import PhotoStore
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["photos"])

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The photo (JPEG or PNG, recognised by content): the image itself "
        "(sent as image/jpeg, image/png or another image/* type), or a multipart form with "
        "the image in its part named file.",
        "content": {
            "image/jpeg": _BINARY,
            "image/png": _BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                    "additionalProperties": False,  # one part: the form parser refuses more
                }
            },
        },
    }
}


def photo_store(request: Request, settings: HousingSettings) -> PhotoStore:
    """The running app's photo store, made from its settings on first use."""
    store: PhotoStore | None = getattr(request.app.state, "photo_store", None)
    if store is None:
        store = settings.photos()
        request.app.state.photo_store = store
    return store


def photo_out(row: HousePhoto) -> PhotoOut:
    return PhotoOut.model_validate({**row.model_dump(), "url": f"/v1/photos/{row.id}"})


async def _uploaded(request: Request, settings: HousingSettings) -> tuple[bytes, str]:
    """The uploaded bytes and the field they are named by in a problem."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body(), "body"
    async with request.form(max_files=1, max_fields=4) as form:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise RuleViolation(
                "body.file", "missing", "A multipart upload carries the photo in a part named file."
            )
        return await part.read(settings.photo_max_bytes + 1), "body.file"


@router.post(
    "/v1/houses/{house_id}/photos",
    status_code=201,
    response_model=PhotoOut,
    operation_id="uploadHousePhoto",
    openapi_extra=_UPLOAD_BODY,
    responses={200: {"model": PhotoOut, "description": "The same image, uploaded before"}},
)
async def upload_photo(
    house_id: str,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    assessment_id: Annotated[str | None, Query(max_length=36)] = None,
) -> Any:
    """Upload a photo of a house (of one of its surveys with ``assessment_id``); its location
    and other metadata are removed before it is stored."""
    house = await visible_house(uow.session, principal, house_id)
    data, field = await _uploaded(request, settings)
    row, new = await ops.upload(
        uow,
        principal,
        house,
        data,
        assessment_id=assessment_id,
        settings=settings,
        store=photo_store(request, settings),
        field=field,
    )
    if not new:
        response.status_code = 200
        return photo_out(row)
    return photo_out(await ops.commit_upload(uow, row))


@router.get(
    "/v1/houses/{house_id}/photos", response_model=list[PhotoOut], operation_id="listHousePhotos"
)
async def list_photos(house_id: str, session: SessionDep, principal: Reader) -> Any:
    """A house's photos (metadata; ``url`` serves each image), oldest first."""
    house = await visible_house(session, principal, house_id)
    return [photo_out(r) for r in await ops.photos_of(session, house.id)]


@router.get(
    "/v1/photos/{photo_id}",
    response_class=Response,
    operation_id="getHousePhoto",
    responses={200: {"content": {"image/jpeg": _BINARY, "image/png": _BINARY}}},
)
async def get_photo(
    photo_id: str, request: Request, session: SessionDep, principal: Reader, settings: SettingsDep
) -> Response:
    """The image of a photo, as stored (without location metadata)."""
    row = await ops.visible_photo(session, principal, photo_id)
    data = await ops.image_of(photo_store(request, settings), row)
    return Response(
        content=data,
        media_type=row.content_type,
        headers={
            "Cache-Control": "private, no-store",
            "ETag": f'"{row.sha256}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="photo-{row.id}.{row.storage_key[-3:]}"',
        },
    )


@router.delete(
    "/v1/photos/{photo_id}", status_code=204, response_class=Response, operation_id="deletePhoto"
)
async def delete_photo(
    photo_id: str, request: Request, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Response:
    """Remove a photo and its file."""
    row = await ops.delete(uow, principal, photo_id)
    await uow.commit()
    await ops.forget(photo_store(request, settings), row)
    return Response(status_code=204)
