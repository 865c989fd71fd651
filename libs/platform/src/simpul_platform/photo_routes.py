"""The routes of one kind of photo (``simpul_platform.photos``), mounted from
``photo_router``: upload (the image itself or a multipart form) and list under the record's
path, serve and delete under the photo's own. Photos are served as bytes to the roles the
service names, never to aggregate readers.
"""

# No ``from __future__ import annotations``: the routes are made in a function, and FastAPI
# reads their parameters' types (the service's roles, its record's path name) from the
# annotations as evaluated.
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from simpul_platform import photos as ops
from simpul_platform.domain import RuleViolation
from simpul_platform.openapi import problems
from simpul_platform.photo_settings import PhotoSettings
from simpul_platform.photos import PhotoBinding, PhotoRow
from simpul_platform.storage import PhotoStore
from simpul_platform.uow import SessionDep, UnitOfWorkDep

BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The photo (JPEG or PNG, recognised by content): the image itself "
        "(sent as image/jpeg, image/png or another image/* type), or a multipart form with "
        "the image in its part named file.",
        "content": {
            "image/jpeg": BINARY,
            "image/png": BINARY,
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
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class PhotoRoutes:
    """Where a kind of photo is served and what its operations are called.

    ``record_path`` (e.g. ``/v1/houses/{house_id}/photos``) takes uploads and lists; a photo is
    served and deleted at ``<photo_path>/{photo_id}``, which is also the ``url`` it is shown
    with. ``upload_doc`` and ``list_doc`` describe those two operations for the record."""

    record_path: str
    photo_path: str
    tag: str
    upload_id: str
    list_id: str
    get_id: str
    delete_id: str
    upload_doc: str
    list_doc: str

    @property
    def record_parameter(self) -> str:
        names: list[str] = _PATH_PARAMETER.findall(self.record_path)
        [name] = names
        return name


def no_columns() -> dict[str, Any]:
    """The default upload ``columns`` dependency: the photo has none of its own."""
    return {}


def _settings(request: Request) -> PhotoSettings:
    settings = request.app.state.settings
    if not isinstance(settings, PhotoSettings):
        raise TypeError(f"app settings are {type(settings).__name__}, not PhotoSettings")
    return settings


SettingsDep = Annotated[PhotoSettings, Depends(_settings)]


def photo_store(request: Request, settings: PhotoSettings) -> PhotoStore:
    """The running app's photo store, made from its settings on first use."""
    store: PhotoStore | None = getattr(request.app.state, "photo_store", None)
    if store is None:
        store = settings.photos()
        request.app.state.photo_store = store
    return store


async def uploaded(request: Request, settings: PhotoSettings) -> tuple[bytes, str]:
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


def served(row: PhotoRow, data: bytes) -> Response:
    """A photo's image, never cached by a shared cache nor sniffed as another type."""
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


def photo_router(
    binding: PhotoBinding[Any, Any],
    routes: PhotoRoutes,
    *,
    out: type[BaseModel],
    writer: Any,
    reader: Any,
    columns: Callable[..., Mapping[str, Any]] = no_columns,
) -> APIRouter:
    """The four routes of ``binding``'s photos, shown as ``out`` (its fields and ``url``):
    ``writer`` and ``reader`` are the service's principal aliases; ``columns`` a dependency
    giving an upload's own columns from its query (its parameters are the route's)."""
    router = APIRouter(tags=[routes.tag])
    _record_routes(router, binding, routes, out, writer, reader, columns)
    _photo_routes(router, binding, routes, writer, reader)
    return router


def _record_routes(
    router: APIRouter,
    binding: PhotoBinding[Any, Any],
    routes: PhotoRoutes,
    out: type[BaseModel],
    writer: Any,
    reader: Any,
    columns: Callable[..., Mapping[str, Any]],
) -> None:
    """Upload and list, under the record's path."""
    RecordId = Annotated[str, Path(alias=routes.record_parameter)]
    Columns = Annotated[Mapping[str, Any], Depends(columns)]

    def shown(row: Any) -> BaseModel:
        return out.model_validate({**row.model_dump(), "url": f"{routes.photo_path}/{row.id}"})

    @router.post(
        routes.record_path,
        status_code=201,
        response_model=out,
        operation_id=routes.upload_id,
        description=routes.upload_doc,
        openapi_extra=UPLOAD_BODY,
        responses={
            200: {"model": out, "description": "The same image, uploaded before"},
            **problems(404, 413, 422),  # a record out of reach; too large; not a sane image
        },
    )
    async def upload_photo(
        record_id: RecordId,
        request: Request,
        response: Response,
        uow: UnitOfWorkDep,
        principal: writer,
        settings: SettingsDep,
        own_columns: Columns,
    ) -> Any:
        record = await binding.find_record(uow.session, principal, record_id)
        data, field = await uploaded(request, settings)
        store = photo_store(request, settings)
        row, new = await ops.upload(
            uow,
            principal,
            binding,
            record,
            data,
            settings=settings,
            store=store,
            field=field,
            columns=own_columns,
        )
        if not new:
            response.status_code = 200
            return shown(row)
        return shown(await ops.commit_upload(uow, binding, row))

    @router.get(
        routes.record_path,
        response_model=list[out],  # type: ignore[valid-type]
        operation_id=routes.list_id,
        description=routes.list_doc,
        responses=problems(404),
    )
    async def list_photos(record_id: RecordId, session: SessionDep, principal: reader) -> Any:
        record = await binding.find_record(session, principal, record_id)
        return [shown(r) for r in await ops.photos_of(session, binding, record.id)]


def _photo_routes(
    router: APIRouter,
    binding: PhotoBinding[Any, Any],
    routes: PhotoRoutes,
    writer: Any,
    reader: Any,
) -> None:
    """Serve and delete, under the photo's own path."""

    @router.get(
        f"{routes.photo_path}/{{photo_id}}",
        response_class=Response,
        operation_id=routes.get_id,
        responses={200: {"content": {"image/jpeg": BINARY, "image/png": BINARY}}, **problems(404)},
    )
    async def get_photo(
        photo_id: str,
        request: Request,
        session: SessionDep,
        principal: reader,
        settings: SettingsDep,
    ) -> Response:
        """The image of a photo, as stored (without location metadata)."""
        row = await ops.visible_photo(session, principal, binding, photo_id)
        return served(row, await ops.image_of(photo_store(request, settings), row))

    @router.delete(
        f"{routes.photo_path}/{{photo_id}}",
        status_code=204,
        response_class=Response,
        operation_id=routes.delete_id,
        responses=problems(404),
    )
    async def delete_photo(
        photo_id: str,
        request: Request,
        uow: UnitOfWorkDep,
        principal: writer,
        settings: SettingsDep,
    ) -> Response:
        """Remove a photo and its file."""
        row = await ops.delete(uow, principal, binding, photo_id)
        await uow.commit()
        await ops.forget(photo_store(request, settings), row)
        return Response(status_code=204)
