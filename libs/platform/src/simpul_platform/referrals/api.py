"""The referral routes a field service mounts: ``app`` routers from ``referral_router``.

``/v1/referrals`` for the field's own users (send, list, read with steps, and accept, reject or
resolve the ones it owns), ``/v1/referrals/summary`` and ``/v1/referrals/posyandu/{id}`` for
DPMD and the gateway (no subject in them), ``/v1/referral-catalogues`` for everyone.
"""

# No ``from __future__ import annotations``: the routes are made in functions, and FastAPI
# reads their parameters' types (the roles a field names) from the annotations as evaluated.
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.indicators import SpmField
from simpul_platform.openapi import links, problems
from simpul_platform.referrals import ops, queries, rows
from simpul_platform.referrals.catalogue import CATALOGUES, Catalogue
from simpul_platform.referrals.schemas import (
    AcceptIn,
    CatalogueOut,
    CodeSpec,
    DetailSpec,
    Direction,
    Group,
    ReasonSpec,
    ReferralBrief,
    ReferralDetail,
    ReferralIn,
    ReferralOut,
    ReferralSummary,
    RejectIn,
    ResolveIn,
    StatusFilter,
)
from simpul_platform.replica import require_known_posyandu
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

ReferralId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z-]+$")]
PosyanduId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9A-Za-z-]+$")]


@dataclass(frozen=True)
class ReferralAccess:
    """A field's referral roles: who sends and answers (its OPD and kader), who reads counts."""

    field: SpmField
    user_roles: tuple[str, ...]


def _settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[ServiceSettings, Depends(_settings)]


def referral_router(access: ReferralAccess) -> APIRouter:
    """The routes of ``access.field``'s referrals."""
    field = access.field
    User = Annotated[Principal, Depends(require_roles(*access.user_roles))]
    Counter = Annotated[
        Principal, Depends(require_roles(*access.user_roles, *AGGREGATE_READER_ROLES))
    ]
    router = APIRouter(tags=["referrals"])

    @router.get(
        "/v1/referral-catalogues",
        response_model=list[CatalogueOut],
        operation_id="listReferralCatalogues",
    )
    async def catalogues(settings: SettingsDep) -> Any:
        """What each field with a service can be asked for (reason codes and their details),
        how a referral to it can end (outcome codes) and why it may refuse one (rejection
        codes), with its due time in working days. A field not listed takes no referrals yet."""
        return [_catalogue_out(c, settings) for c in CATALOGUES.values()]

    @router.post(
        "/v1/referrals",
        status_code=201,
        response_model=ReferralOut,
        operation_id="createReferral",
        responses=links("getReferral", referral_id="$response.body#/id"),
    )
    async def create(
        body: ReferralIn, uow: UnitOfWorkDep, principal: User, settings: SettingsDep
    ) -> Any:
        """Refer a person (NIK) and/or household (No. KK) of a posyandu to another field, with
        a reason from its catalogue. NIK, KK and the note stay here; the target receives
        pseudonyms. The same need while one is open is a 409 naming it."""
        referral_id = await ops.request(uow, settings, field, body, principal)
        await uow.commit()
        return await _one(uow.session, referral_id, principal, settings)

    @router.get("/v1/referrals", response_model=list[ReferralOut], operation_id="listReferrals")
    async def list_referrals(
        session: SessionDep,
        principal: User,
        settings: SettingsDep,
        direction: Direction | None = None,
        status: StatusFilter | None = None,
        other_field: Annotated[
            SpmField | None,
            Query(description="the target (outgoing) or source (incoming) field"),
        ] = None,
        posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
        wilayah: WilayahQuery = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Any:
        """This field's referrals in the caller's wilayah, the soonest due first: ``outgoing``
        (sent, with the target's steps as they come) and ``incoming`` (owned here)."""
        return await queries.list_referrals(
            session,
            principal.visible_scopes(wilayah),
            local_today(settings),
            direction=direction,
            status=status,
            other_field=other_field,
            posyandu_id=posyandu_id,
            limit=limit,
        )

    @router.get(
        "/v1/referrals/summary", response_model=ReferralSummary, operation_id="referralSummary"
    )
    async def summary(
        session: SessionDep,
        principal: Counter,
        settings: SettingsDep,
        direction: Direction = "incoming",
        wilayah: WilayahQuery = None,
        group: Group = "kecamatan",
        limit: Annotated[int, Query(ge=0, le=500)] = 50,
    ) -> Any:
        """Open, overdue, rejected, resolved and resolved-on-time counts, in total, per other
        field and per kecamatan, desa or posyandu, with the longest overdue referrals and the
        open ones, the earliest requested first."""
        scopes, today = principal.visible_scopes(wilayah), local_today(settings)
        totals, by_other, groups = await queries.counts(session, scopes, today, direction, group)
        overdue = await queries.longest_overdue(session, scopes, today, direction, limit)
        oldest = await queries.oldest_open(session, scopes, today, direction, limit)
        return ReferralSummary(
            field=field,
            direction=direction,
            as_of=today,
            wilayah=wilayah,
            group=group,
            totals=totals,
            by_other_field=by_other,
            groups=groups,
            overdue=overdue,
            oldest_open=oldest,
        )

    @router.get(
        "/v1/referrals/posyandu/{posyandu_id}",
        response_model=list[ReferralBrief],
        operation_id="openReferralsOfPosyandu",
        responses=problems(422),
    )
    async def of_posyandu(
        posyandu_id: PosyanduId, session: SessionDep, principal: Counter, settings: SettingsDep
    ) -> Any:
        """A posyandu's open referrals this field sent or owns, with due dates (its profile)."""
        posyandu = await require_known_posyandu(session, posyandu_id, field="path.posyandu_id")
        principal.require_wilayah(posyandu["desa_code"], hide=True)
        return await queries.open_at_posyandu(session, posyandu_id, local_today(settings))

    @router.get(
        "/v1/referrals/{referral_id}", response_model=ReferralDetail, operation_id="getReferral"
    )
    async def get(
        referral_id: ReferralId, session: SessionDep, principal: User, settings: SettingsDep
    ) -> Any:
        """One referral with every step: who took it, when, with which code."""
        return await _one(session, referral_id, principal, settings)

    for action, model in (("accept", AcceptIn), ("reject", RejectIn), ("resolve", ResolveIn)):
        _answer_route(router, field, action, model, User)
    return router


def _answer_route(
    router: APIRouter,
    field: SpmField,
    action: str,
    model: type[AcceptIn | RejectIn | ResolveIn],
    user: Any,
) -> None:
    async def step(
        referral_id: ReferralId,
        body: model,  # type: ignore[valid-type]
        uow: UnitOfWorkDep,
        principal: user,
        settings: SettingsDep,
    ) -> Any:
        await ops.answer(uow, settings, field, referral_id, body, principal)
        await uow.commit()
        return await _one(uow.session, referral_id, principal, settings)

    step.__doc__ = _ANSWER_DOCS[action]
    router.add_api_route(
        f"/v1/referrals/{{referral_id}}/{action}",
        step,
        methods=["POST"],
        response_model=ReferralDetail,
        operation_id=f"{action}Referral",
        responses=problems(404),
    )


_ANSWER_DOCS = {
    "accept": "Accept a referral this field owns, linking the case it opens for it.",
    "reject": "Reject a referral this field owns, with a rejection code from its catalogue.",
    "resolve": "Resolve a referral this field owns (requested or accepted), with an outcome "
    "code from its catalogue. On or before its due date counts as resolved in time.",
}


async def _one(
    session: Any, referral_id: str, principal: Principal, settings: ServiceSettings
) -> ReferralDetail:
    return await queries.get_referral(session, referral_id, principal, local_today(settings))


def _catalogue_out(catalogue: Catalogue, settings: ServiceSettings) -> CatalogueOut:
    return CatalogueOut(
        field=catalogue.field,
        due_working_days=rows.due_working_days(settings, catalogue.field),
        reasons=[
            ReasonSpec(
                code=r.code,
                label=r.label,
                subject=r.subject,
                automatic=r.automatic,
                details=[
                    DetailSpec(
                        name=d.name,
                        kind=d.kind,
                        required=d.required,
                        minimum=d.minimum,
                        maximum=d.maximum,
                        choices=list(d.choices),
                    )
                    for d in r.details
                ],
            )
            for r in catalogue.reasons
        ],
        outcomes=[CodeSpec(code=c.code, label=c.label) for c in catalogue.outcomes],
        rejections=[CodeSpec(code=c.code, label=c.label) for c in catalogue.rejections],
    )
