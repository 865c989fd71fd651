"""The field contract's aggregate routes a field service mounts: ``aggregate_router``.

Every field answers DPMD, the Tim Pembina and the gateway with the same three routes:
``GET /v1/indicators`` (``IndicatorValue`` rows), ``GET /v1/summary`` (one posyandu or a
wilayah) and ``GET /v1/summary/by-desa`` (a row per desa). Each takes a ``period`` (``YYYY``,
``YYYY-MM`` or ``YYYY-Qn``) and a ``wilayah`` (the caller's when omitted); the first two also a
``posyandu_id``. Only the field's own roles and the aggregate readers may ask, within their
wilayah. Here the question is parsed, checked and scoped once (``AggregateQuery``); the field
says what it counts for it (``FieldAggregates``), so the operation ids, parameters and rights
the gateway relies on are the same in every field.
"""

# No ``from __future__ import annotations``: the routes are made in a function, and FastAPI
# reads their parameters' types (the roles a field names) from the annotations as evaluated.
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.indicators import (
    IndicatorValue,
    Period,
    PeriodQuery,
    SpmField,
    period_from_query,
)
from simpul_platform.referrals.queries import counts, resolved_in_time
from simpul_platform.referrals.schemas import ReferralCounts
from simpul_platform.replica import aggregate_scope
from simpul_platform.settings import ServiceSettings, settings_dep
from simpul_platform.tallies import end_month
from simpul_platform.uow import SessionDep
from simpul_platform.wilayah import WilayahQuery

ScopeT = TypeVar("ScopeT")
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


@dataclass(frozen=True)
class AggregateQuery(Generic[ScopeT, SettingsT]):
    """One aggregate question, checked: its period, what it covers (``wilayah``, desa code
    prefixes; or one posyandu, whose desa is then the one prefix) as the field's ``scope``,
    and the deployment's date."""

    field: SpmField
    session: AsyncSession
    settings: SettingsT
    period: Period
    wilayah: list[str]
    posyandu_id: str | None
    scope: ScopeT
    today: date

    @property
    def month(self) -> date:
        """The month whose end the period is counted at (``tallies.end_month``)."""
        return end_month(self.period.end, self.today)

    def echo(self, as_of: date) -> dict[str, Any]:
        """What a summary repeats of the question, and the day its figures are of."""
        return {
            "wilayah": list(self.wilayah),
            "posyandu_id": self.posyandu_id,
            "period": self.period.label,
            "as_of": as_of,
        }

    async def referrals_resolved_in_time(self) -> IndicatorValue:
        """Of the referrals the field owns in scope due in the period, the share resolved on
        time (``referrals.queries.resolved_in_time``)."""
        return await resolved_in_time(
            self.session, self.field, self.wilayah, self.posyandu_id, self.period, self.today
        )

    async def referrals_held(self) -> ReferralCounts:
        """The referrals the field holds as target now, in the wilayah or at the posyandu."""
        totals, _, groups = await counts(
            self.session, self.wilayah, self.today, "incoming", "posyandu"
        )
        if self.posyandu_id is None:
            return totals
        mine = next((g for g in groups if g.code == self.posyandu_id), None)
        return (
            ReferralCounts()
            if mine is None
            else ReferralCounts(**mine.model_dump(exclude={"code"}))
        )


# What a route answers a question with; the function's name and docstring are the route's
# summary and description in the OpenAPI document.
Figures = Callable[[AggregateQuery[ScopeT, SettingsT]], Awaitable[object]]


@dataclass(frozen=True)
class FieldAggregates(Generic[ScopeT, SettingsT]):
    """What a field counts for the three routes, and how it scopes and types them."""

    field: SpmField
    user_roles: tuple[str, ...]  # the field's own (its OPD and kader); aggregate readers too
    settings: type[SettingsT]
    scope: Callable[[list[str], str | None], ScopeT]  # (desa code prefixes, posyandu id)
    indicators: Figures[ScopeT, SettingsT]
    summary: Figures[ScopeT, SettingsT]
    summary_model: type[BaseModel]
    by_desa: Figures[ScopeT, SettingsT]
    desa_row: type[BaseModel]
    by_desa_operation_id: str = "summaryByDesa"


async def aggregate_query(
    field: FieldAggregates[ScopeT, SettingsT],
    session: AsyncSession,
    principal: Principal,
    settings: SettingsT,
    period: str,
    wilayah: str | None,
    posyandu_id: str | None,
) -> AggregateQuery[ScopeT, SettingsT]:
    """The question as the routes check it (422 for a period or posyandu unknown, 403 outside
    the caller's wilayah); a benchmark asks it without a request."""
    window = period_from_query(period)
    codes, posyandu = await aggregate_scope(session, principal, wilayah, posyandu_id)
    scope = field.scope(codes, posyandu)
    today = local_today(settings)
    return AggregateQuery(field.field, session, settings, window, codes, posyandu, scope, today)


def aggregate_router(field: FieldAggregates[ScopeT, SettingsT]) -> APIRouter:
    """``/v1/indicators``, ``/v1/summary`` and ``/v1/summary/by-desa`` of ``field``."""
    Reader = Annotated[
        Principal, Depends(require_roles(*field.user_roles, *AGGREGATE_READER_ROLES))
    ]
    current = settings_dep(field.settings)

    # A question of one posyandu or a wilayah; by desa, of a wilayah only.
    async def of_posyandu(
        session: SessionDep,
        principal: Reader,
        settings: Annotated[SettingsT, current],
        period: PeriodQuery,
        wilayah: WilayahQuery = None,
        posyandu_id: str | None = None,
    ) -> AggregateQuery[ScopeT, SettingsT]:
        return await aggregate_query(
            field, session, principal, settings, period, wilayah, posyandu_id
        )

    async def of_wilayah(
        session: SessionDep,
        principal: Reader,
        settings: Annotated[SettingsT, current],
        period: PeriodQuery,
        wilayah: WilayahQuery = None,
    ) -> AggregateQuery[ScopeT, SettingsT]:
        return await aggregate_query(field, session, principal, settings, period, wilayah, None)

    desa_rows = list[field.desa_row]  # type: ignore[name-defined]
    router = APIRouter(tags=["indicators"])
    _add(
        router,
        "/v1/indicators",
        "getIndicators",
        list[IndicatorValue],
        field.indicators,
        of_posyandu,
    )
    _add(router, "/v1/summary", "getSummary", field.summary_model, field.summary, of_posyandu)
    by_desa = field.by_desa_operation_id
    _add(router, "/v1/summary/by-desa", by_desa, desa_rows, field.by_desa, of_wilayah)
    return router


def _add(
    router: APIRouter,
    path: str,
    operation_id: str,
    model: Any,
    figures: Figures[ScopeT, SettingsT],
    asked: Callable[..., Awaitable[AggregateQuery[ScopeT, SettingsT]]],
) -> None:
    """A GET route answering ``asked``'s question with ``figures`` (its name and docstring
    are the route's summary and description)."""

    async def answer(query: Annotated[AggregateQuery[Any, Any], Depends(asked)]) -> Any:
        return await figures(query)

    router.add_api_route(
        path,
        answer,
        methods=["GET"],
        response_model=model,
        operation_id=operation_id,
        name=figures.__name__,
        description=inspect.cleandoc(figures.__doc__ or ""),
    )
