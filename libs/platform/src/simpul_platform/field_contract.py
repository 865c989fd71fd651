"""The field contract's aggregate routes a field service mounts: ``aggregate_router``.

Every field answers DPMD, the Tim Pembina and the gateway with the same three routes:
``GET /v1/indicators`` (``IndicatorValue`` rows), ``GET /v1/summary`` (one posyandu or a
wilayah) and ``GET /v1/summary/by-desa`` (a row per desa). Each takes a ``period`` (``YYYY``,
``YYYY-MM`` or ``YYYY-Qn``) and a ``wilayah`` (the caller's when omitted); the first two also a
``posyandu_id``. Only the field's own roles and the aggregate readers may ask, within their
wilayah (``AggregateAccess``). Here the question is parsed, checked and scoped once
(``AggregateQuery``) and the field answers it with its own figures (``Figures``), so the
operation ids, parameters and rights the gateway relies on are the same in every field.
"""

# No ``from __future__ import annotations``: the routes are made in a function, and FastAPI
# reads their parameters' types (the roles a field names) from the annotations as evaluated.
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, Generic, TypeVar, get_type_hints

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.coalesce import Coalescer
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

    @property
    def key(self) -> tuple[object, ...]:
        """What the answer depends on besides the data (and which database: tests run several
        apps in one process): equal keys, equal answers."""
        database = id(self.session.bind)
        return (database, self.period.label, tuple(self.wilayah), self.posyandu_id, self.today)

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
        if mine is None:
            return ReferralCounts()
        return ReferralCounts(**mine.model_dump(exclude={"code"}))


@dataclass(frozen=True)
class AggregateAccess(Generic[ScopeT, SettingsT]):
    """A field's aggregate questions: who may ask besides the aggregate readers (its OPD and
    kader), its settings' class and how it scopes its counts."""

    field: SpmField
    user_roles: tuple[str, ...]
    settings: type[SettingsT]
    scope: Callable[[list[str], str | None], ScopeT]  # (desa code prefixes, posyandu id)


# A question asked, to be scoped: to one posyandu (its id) or to the wilayah (None).
Ask = Callable[[str | None], Awaitable[AggregateQuery[ScopeT, SettingsT]]]

# What a route answers a question with. As for FastAPI's own routes, the function's name,
# docstring and return type are the route's summary, description and response model.
Figures = Callable[[AggregateQuery[ScopeT, SettingsT]], Awaitable[object]]


async def aggregate_query(
    access: AggregateAccess[ScopeT, SettingsT],
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
    scope = access.scope(codes, posyandu)
    today = local_today(settings)
    return AggregateQuery(access.field, session, settings, window, codes, posyandu, scope, today)


def aggregate_router(
    access: AggregateAccess[ScopeT, SettingsT],
    indicators: Figures[ScopeT, SettingsT],
    summary: Figures[ScopeT, SettingsT],
    by_desa: Figures[ScopeT, SettingsT],
    *,
    by_desa_operation_id: str = "summaryByDesa",
) -> APIRouter:
    """``/v1/indicators``, ``/v1/summary`` and ``/v1/summary/by-desa`` of ``access.field``,
    answered by ``indicators``, ``summary`` and ``by_desa``."""
    Reader = Annotated[
        Principal, Depends(require_roles(*access.user_roles, *AGGREGATE_READER_ROLES))
    ]
    current = settings_dep(access.settings)

    async def asked(
        session: SessionDep,
        principal: Reader,
        settings: Annotated[SettingsT, current],
        period: PeriodQuery,
        wilayah: WilayahQuery = None,
    ) -> Ask[ScopeT, SettingsT]:
        return partial(aggregate_query, access, session, principal, settings, period, wilayah)

    # Of one posyandu or a wilayah; by desa, of a wilayah only. ``posyandu_id`` is a
    # dependency of its own so that it follows ``period`` and ``wilayah`` in the document.
    async def of_posyandu(
        ask: Annotated[Ask[ScopeT, SettingsT], Depends(asked)],
        posyandu_id: Annotated[str | None, Depends(_posyandu_id)],
    ) -> AggregateQuery[ScopeT, SettingsT]:
        return await ask(posyandu_id)

    async def of_wilayah(
        ask: Annotated[Ask[ScopeT, SettingsT], Depends(asked)],
    ) -> AggregateQuery[ScopeT, SettingsT]:
        return await ask(None)

    router = APIRouter(tags=["indicators"])
    _add(router, "/v1/indicators", "getIndicators", indicators, of_posyandu)
    _add(router, "/v1/summary", "getSummary", summary, of_posyandu)
    _add(router, "/v1/summary/by-desa", by_desa_operation_id, by_desa, of_wilayah)
    return router


def _posyandu_id(posyandu_id: str | None = None) -> str | None:
    return posyandu_id


def _add(
    router: APIRouter,
    path: str,
    operation_id: str,
    figures: Figures[ScopeT, SettingsT],
    asked: Callable[..., Awaitable[AggregateQuery[ScopeT, SettingsT]]],
) -> None:
    """A GET route answering ``asked``'s question with ``figures``; identical questions asked
    at the same time are counted once (``coalesce``), each still authorised on its own."""
    running: Coalescer[Any] = Coalescer()

    async def answer(query: Annotated[AggregateQuery[Any, Any], Depends(asked)]) -> Any:
        return await running.run(query.key, partial(figures, query))

    router.add_api_route(
        path,
        answer,
        methods=["GET"],
        response_model=get_type_hints(figures)["return"],
        operation_id=operation_id,
        name=figures.__name__,
        description=inspect.cleandoc(figures.__doc__ or ""),
    )
