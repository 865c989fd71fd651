"""Photos of an infrastructure issue: uploaded as the image itself or as a multipart form,
listed as metadata, served as bytes to public-works roles and the desa within their wilayah
(never on Kafka, never to aggregate readers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from simpul_platform.domain import RuleViolation
from simpul_platform.openapi import problems
from simpul_platform.storage import PhotoStore
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_public_works.api.deps import SettingsDep, VillageReader, Writer
from simpul_public_works.models import IssuePhoto
from simpul_public_works.ops import issue_photos as ops
from simpul_public_works.ops.issues_reads import visible_issue
from simpul_public_works.schemas.issues import IssuePhotoOut
from simpul_public_works.settings import PublicWorksSettings

router = APIRouter(tags=["infrastructure issues"])

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


def photo_store(request: Request, settings: PublicWorksSettings) -> PhotoStore:
    """The running app's photo store, made from its settings on first use."""
    store: PhotoStore | None = getattr(request.app.state, "photo_store", None)
    if store is None:
        store = settings.photos()
        request.app.state.photo_store = store
    return store


def photo_out(row: IssuePhoto) -> IssuePhotoOut:
    return IssuePhotoOut.model_validate({**row.model_dump(), "url": f"/v1/issue-photos/{row.id}"})


async def _uploaded(request: Request, settings: PublicWorksSettings) -> tuple[bytes, str]:
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
    "/v1/infrastructure-issues/{issue_id}/photos",
    status_code=201,
    response_model=IssuePhotoOut,
    operation_id="uploadIssuePhoto",
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"model": IssuePhotoOut, "description": "The same image, uploaded before"},
        **problems(404, 413, 422),
    },
)
async def upload_photo(
    issue_id: str,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
) -> Any:
    """Upload a photo of an issue; its location and other metadata are removed before it is
    stored."""
    issue = await visible_issue(uow.session, principal, issue_id)
    data, field = await _uploaded(request, settings)
    row, new = await ops.upload(
        uow,
        principal,
        issue,
        data,
        settings=settings,
        store=photo_store(request, settings),
        field=field,
    )
    if not new:
        response.status_code = 200
        return photo_out(row)
    return photo_out(await ops.commit_upload(uow, row))


@router.get(
    "/v1/infrastructure-issues/{issue_id}/photos",
    response_model=list[IssuePhotoOut],
    operation_id="listIssuePhotos",
    responses=problems(404),
)
async def list_photos(issue_id: str, session: SessionDep, principal: VillageReader) -> Any:
    """An issue's photos (metadata; ``url`` serves each image), oldest first."""
    issue = await visible_issue(session, principal, issue_id)
    return [photo_out(r) for r in await ops.photos_of(session, issue.id)]


@router.get(
    "/v1/issue-photos/{photo_id}",
    response_class=Response,
    operation_id="getIssuePhoto",
    responses={200: {"content": {"image/jpeg": _BINARY, "image/png": _BINARY}}, **problems(404)},
)
async def get_photo(
    photo_id: str,
    request: Request,
    session: SessionDep,
    principal: VillageReader,
    settings: SettingsDep,
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
    "/v1/issue-photos/{photo_id}",
    status_code=204,
    response_class=Response,
    operation_id="deleteIssuePhoto",
    responses=problems(404),
)
async def delete_photo(
    photo_id: str, request: Request, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Response:
    """Remove a photo and its file."""
    row = await ops.delete(uow, principal, photo_id)
    await uow.commit()
    await ops.forget(photo_store(request, settings), row)
    return Response(status_code=204)
