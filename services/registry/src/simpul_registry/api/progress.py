"""Registration progress per kabupaten/kecamatan/desa, against the DPMD's registration targets
(how many posyandu it wants registered where: not health's sasaran, which are people)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func
from sqlmodel import col, select

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.errors import NotFound
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WILAYAH_PATTERN, under
from simpul_registry import wilayah
from simpul_registry.api.deps import Writer
from simpul_registry.domain.progress import progress
from simpul_registry.models import Posyandu, Target
from simpul_registry.schemas import ProgressOut, ProgressRow, TargetIn, TargetOut

router = APIRouter(tags=["progress"])
CodePath = Path(pattern=WILAYAH_PATTERN, examples=["64.02"])
_GROUP = {1: Posyandu.kabupaten_code, 2: Posyandu.kecamatan_code, 3: Posyandu.desa_code}


def _region_or_404(code: str) -> wilayah.Region:
    region = wilayah.get_region(code)
    if region is None:
        raise NotFound(f"{code} is not a code in Kepmendagri 300.2.2-2138/2025.")
    return region


@router.put("/v1/registration-targets/{code}", response_model=TargetOut,
            operation_id="setRegistrationTarget")
async def set_registration_target(body: TargetIn, uow: UnitOfWorkDep, principal: Writer,
                                  code: str = CodePath) -> Any:
    """Set how many posyandu the DPMD wants registered in a wilayah (and by when)."""
    _region_or_404(code)
    principal.require_wilayah(code)
    target = await uow.session.get(Target, code)
    if target is None:
        target = Target(wilayah_code=code, target=body.target, set_by=principal.subject,
                        set_at=clock.now())
    target.target, target.due_date = body.target, body.due_date
    target.set_by, target.set_at = principal.subject, clock.now()
    uow.session.add(target)
    await uow.commit()
    return target


@router.put(
    "/v1/targets/{code}", status_code=308, deprecated=True, operation_id="setTarget",
    response_class=RedirectResponse,
    responses={308: {"description": "Moved to PUT /v1/registration-targets/{code}",
                     "headers": {"Location": {"schema": {"type": "string"}}}}},
)
async def set_target_moved(code: str, request: Request,
                           principal: CurrentPrincipal) -> RedirectResponse:
    """Moved to /v1/registration-targets/{code}; a 308 keeps the method, body and query."""
    moved = request.url_for("set_registration_target", code=code).path
    query = request.url.query
    return RedirectResponse(f"{moved}?{query}" if query else moved, status_code=308)


@router.get("/v1/progress/{code}", response_model=ProgressOut, operation_id="getProgress")
async def get_progress(session: SessionDep, principal: CurrentPrincipal,
                       code: str = CodePath) -> Any:
    """Counts per status and the share registered, for a wilayah and each of its children."""
    region = _region_or_404(code)
    principal.require_wilayah(code)
    group = _GROUP.get(region.level, Posyandu.desa_code)
    rows = await session.exec(
        select(col(group), col(Posyandu.status), func.count())
        .where(under(col(Posyandu.desa_code), [code])).group_by(col(group), col(Posyandu.status))
    )
    per_child: dict[str, dict[str, int]] = {}
    for child, status, count in rows.all():
        per_child.setdefault(child, {})
        per_child[child][status] = per_child[child].get(status, 0) + int(count)
    children = [r for r in wilayah.children(code)] if region.level < 4 else []
    codes = [code, *(c.code for c in children)]
    found = await session.exec(select(Target).where(col(Target.wilayah_code).in_(codes)))
    targets = {t.wilayah_code: t for t in found.all()}

    def row(code_: str, name: str, counts: dict[str, int]) -> ProgressRow:
        target = targets.get(code_)
        figures = progress(code_, counts, target.target if target else None)
        return ProgressRow(name=name, **figures.__dict__)

    total: dict[str, int] = {}
    for counts in per_child.values():
        for status, count in counts.items():
            total[status] = total.get(status, 0) + count
    own = targets.get(code)
    return ProgressOut(
        wilayah=row(code, region.name, total),
        due_date=own.due_date if own else None,
        children=[row(c.code, c.name, per_child.get(c.code, {})) for c in children],
    )
