"""Fire posts and desa points: the WMK as data (``domain.wmk``).

A desa point keeps its nearest active post and whether the desa lies inside that post's WMK;
every change of a post (added, moved, activated or deactivated) recomputes every desa point
in the same transaction, and a point put is computed against the posts as they stand. Both
take one advisory lock, so a point is never computed against posts another transaction is
changing. The posts are few (a kabupaten has tens) and public: where a post stands may
travel; a household's place may not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import locks
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.errors import NotFound
from simpul_platform.events import new_id
from simpul_platform.geo import check_coordinates
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import parent, under
from simpul_trantib.domain.wmk import Coverage, Post, coverage, coverages
from simpul_trantib.models import DesaPoint, FirePost
from simpul_trantib.schemas.fire import DesaPointIn, FirePostIn, FirePostPatch
from simpul_trantib.settings import TrantibSettings

LOCK_CLASS = 0x7A7C  # the first key of the WMK lock (the second: the one name below)
WMK_LOCK = "wmk"


async def _serialise(session: AsyncSession) -> None:
    await locks.hold(session, LOCK_CLASS, [WMK_LOCK])


async def active_posts(session: AsyncSession) -> list[Post]:
    """Every active post of the deployment (a post across a border may still be the
    nearest), in id order so equally near posts resolve the same way every time."""
    query = select(FirePost).where(col(FirePost.active).is_(True)).order_by(col(FirePost.id))
    return [Post(p.id, p.latitude, p.longitude) for p in (await session.exec(query)).all()]


async def coverage_at(
    session: AsyncSession, settings: TrantibSettings, latitude: float, longitude: float
) -> Coverage:
    """The nearest active post to a place and whether the place is inside its WMK."""
    return coverage(latitude, longitude, await active_posts(session), settings.wmk_radius_km)


async def recompute(session: AsyncSession, settings: TrantibSettings, actor: str) -> int:
    """Every desa point against the active posts; returns how many changed."""
    points = list((await session.exec(select(DesaPoint))).all())
    found = coverages(
        {p.desa_code: (p.latitude, p.longitude) for p in points},
        await active_posts(session),
        settings.wmk_radius_km,
    )
    changed, moment = 0, now()
    for point in points:
        if _apply(point, found[point.desa_code]):
            point.updated_by, point.updated_at = actor, moment
            session.add(point)
            changed += 1
    return changed


def _apply(point: DesaPoint, cover: Coverage) -> bool:
    """Set the point's coverage; True when it changed."""
    before = (point.nearest_post_id, point.distance_km, point.inside_wmk)
    after = (cover.post_id, cover.distance_km, cover.inside_wmk)
    point.nearest_post_id, point.distance_km, point.inside_wmk = after
    return before != after


async def create_post(
    uow: UnitOfWork, principal: Principal, settings: TrantibSettings, body: FirePostIn
) -> tuple[FirePost, int]:
    """Stage a new post in the caller's wilayah; returns it and the desa points it changed."""
    principal.require_wilayah(body.wilayah_code)
    check_coordinates(body.latitude, body.longitude)
    await _serialise(uow.session)
    actor, moment = principal.subject, now()
    post = FirePost(
        id=new_id(),
        **body.model_dump(),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(post)
    await uow.session.flush()
    return post, await recompute(uow.session, settings, actor)


async def visible_post(
    session: AsyncSession, principal: Principal, post_id: str, *, lock: bool = False
) -> FirePost:
    post = await session.get(FirePost, post_id, with_for_update=lock or None)
    if post is None or not principal.can_see(post.wilayah_code):
        raise NotFound(f"No fire post {post_id} in your wilayah.")
    return post


async def update_post(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    post_id: str,
    body: FirePostPatch,
) -> tuple[FirePost, int]:
    """Rename, move or (de)activate a post; a move or an activation change recomputes the
    desa points. Returns the post and the desa points it changed."""
    await _serialise(uow.session)
    post = await visible_post(uow.session, principal, post_id, lock=True)
    given = body.model_dump(exclude_unset=True)
    if "latitude" in given or "longitude" in given:
        check_coordinates(body.latitude, body.longitude)
    for name, value in given.items():
        if value is not None:
            setattr(post, name, value)
    post.updated_by, post.updated_at = principal.subject, now()
    uow.session.add(post)
    await uow.session.flush()
    if given.keys() - {"name"}:
        return post, await recompute(uow.session, settings, principal.subject)
    return post, 0


def _related(column: Any, scopes: Sequence[str]) -> ColumnElement[bool]:
    """A post in the scopes, or at one of their parents (a kecamatan's post serves its desa,
    so a desa's reader sees it)."""
    ancestors: set[str] = set()
    for scope in scopes:
        up = parent(scope)
        while up is not None:
            ancestors.add(up)
            up = parent(up)
    return or_(under(column, scopes), column.in_(sorted(ancestors)))


async def list_posts(
    session: AsyncSession, principal: Principal, wilayah: str | None, active: bool | None
) -> list[FirePost]:
    """Posts in (or serving) the caller's wilayah, by name."""
    scopes = principal.visible_scopes(wilayah)
    query = select(FirePost).where(_related(col(FirePost.wilayah_code), scopes))
    if active is not None:
        query = query.where(col(FirePost.active).is_(active))
    query = query.order_by(col(FirePost.name), col(FirePost.id))
    return list((await session.exec(query)).all())


async def put_point(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    desa_code: str,
    body: DesaPointIn,
) -> DesaPoint:
    """Set a desa's reference point (in the caller's wilayah) and compute its coverage."""
    principal.require_wilayah(desa_code)
    check_coordinates(body.latitude, body.longitude)
    await _serialise(uow.session)
    actor, moment = principal.subject, now()
    point = await uow.session.get(DesaPoint, desa_code, with_for_update=True)
    if point is None:
        point = DesaPoint(
            desa_code=desa_code,
            latitude=body.latitude,
            longitude=body.longitude,
            updated_by=actor,
            updated_at=moment,
        )
    point.latitude, point.longitude = body.latitude, body.longitude
    point.updated_by, point.updated_at = actor, moment
    _apply(point, await coverage_at(uow.session, settings, body.latitude, body.longitude))
    uow.session.add(point)
    return point


async def list_points(
    session: AsyncSession, principal: Principal, wilayah: str | None, inside_wmk: bool | None
) -> list[DesaPoint]:
    """Desa points in the caller's wilayah, by desa code."""
    scopes = principal.visible_scopes(wilayah)
    query = select(DesaPoint).where(under(col(DesaPoint.desa_code), scopes))
    if inside_wmk is not None:
        query = query.where(col(DesaPoint.inside_wmk).is_(inside_wmk))
    return list((await session.exec(query.order_by(col(DesaPoint.desa_code)))).all())
