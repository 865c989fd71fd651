"""Fire posts and desa points: the WMK as data. Damkar (and the trantib OPD) write within
their wilayah; every change of a post recomputes each desa point's nearest active post and
whether the desa lies inside its WMK (``wmk_radius_km``). Readers read within theirs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import DESA_PATTERN, WilayahQuery
from simpul_trantib.api.deps import Fire, Reader, SettingsDep
from simpul_trantib.ops import commit
from simpul_trantib.ops import fire_posts as ops
from simpul_trantib.schemas.fire import (
    DesaPointIn,
    DesaPointOut,
    FirePostIn,
    FirePostOut,
    FirePostPatch,
    FirePostWritten,
)

router = APIRouter(tags=["fire posts and WMK"])
POSTS = "/v1/fire-posts"
POINTS = "/v1/desa-points"
DesaCode = Annotated[str, Path(pattern=DESA_PATTERN, examples=["64.02.06.2012"])]


@router.post(
    POSTS,
    status_code=201,
    response_model=FirePostWritten,
    operation_id="createFirePost",
    responses=problems(403, 422),
)
async def create_post(
    body: FirePostIn, uow: UnitOfWorkDep, principal: Fire, settings: SettingsDep
) -> Any:
    """Add a fire post; every desa point's nearest post and WMK are recomputed."""
    post, changed = await ops.create_post(uow, principal, settings, body)
    await commit(uow, "A fire post was written concurrently; try again.")
    return FirePostWritten.model_validate({**post.model_dump(), "desa_points_changed": changed})


@router.patch(
    POSTS + "/{post_id}",
    response_model=FirePostWritten,
    operation_id="updateFirePost",
    responses=problems(404, 422),
)
async def update_post(
    post_id: str, body: FirePostPatch, uow: UnitOfWorkDep, principal: Fire, settings: SettingsDep
) -> Any:
    """Rename, move or (de)activate a post; a move or (de)activation recomputes desa points."""
    post, changed = await ops.update_post(uow, principal, settings, post_id, body)
    await commit(uow, "A fire post was written concurrently; try again.")
    return FirePostWritten.model_validate({**post.model_dump(), "desa_points_changed": changed})


@router.get(POSTS, response_model=list[FirePostOut], operation_id="listFirePosts")
async def list_posts(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    active: Annotated[bool | None, Query(description="only active (or inactive) posts")] = None,
) -> Any:
    """Fire posts in, or serving, the caller's wilayah, by name."""
    return await ops.list_posts(session, principal, wilayah, active)


@router.put(
    POINTS + "/{desa_code}",
    response_model=DesaPointOut,
    operation_id="putDesaPoint",
    responses=problems(403, 422),
)
async def put_point(
    desa_code: DesaCode,
    body: DesaPointIn,
    uow: UnitOfWorkDep,
    principal: Fire,
    settings: SettingsDep,
) -> Any:
    """Set a desa's reference point (its kantor desa); its nearest post and WMK follow."""
    point = await ops.put_point(uow, principal, settings, desa_code, body)
    await commit(uow, "The desa point was written concurrently; try again.")
    return point


@router.get(POINTS, response_model=list[DesaPointOut], operation_id="listDesaPoints")
async def list_points(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    inside_wmk: Annotated[bool | None, Query(description="only desa inside (or outside)")] = None,
) -> Any:
    """Desa points in the caller's wilayah with their nearest active post and WMK verdict."""
    return await ops.list_points(session, principal, wilayah, inside_wmk)
