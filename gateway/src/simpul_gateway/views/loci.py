"""Priority loci for the stunting-and-poverty pilot: desa ranked by a weighted score.

score = Σ weight × component ÷ Σ weight, each component a percentage (0–100):
stunting prevalence among measured balita (health) and the share of households in DTSEN
deciles 1–4 (social). A desa where a component's service did not answer is ranked after the
complete ones, with the component marked missing. More components join as fields arrive.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import Locus, LocusComponent, PriorityLoci
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, Upstream
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import (
    caller_token,
    resolve_period,
    section,
)
from simpul_platform.indicators import OptionalPeriodQuery
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])


@router.get("/priority-loci", response_model=PriorityLoci, operation_id="getPriorityLoci")
async def priority_loci(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    period: OptionalPeriodQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    weight_stunting: Annotated[float | None, Query(ge=0, le=100)] = None,
    weight_poverty: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> PriorityLoci:
    """Desa ranked by combined stunting prevalence and poverty (deciles 1–4), each component
    shown with its weight; weights default to the gateway's settings."""
    principal.require_wilayah(wilayah)
    chosen = resolve_period(period)
    settings: GatewaySettings = request.app.state.settings
    weights = {
        "stunting_prevalence": settings.loci_weight_stunting
        if weight_stunting is None
        else weight_stunting,
        "poverty_deciles_1_4": settings.loci_weight_poverty
        if weight_poverty is None
        else weight_poverty,
    }
    token, ups = caller_token(request), upstreams(request)
    stunting, poverty, names = await asyncio.gather(
        ups.health.stunting_by_desa(token, wilayah, chosen.label),
        ups.social.poverty_by_desa(token, wilayah, chosen.label),
        _desa_names(ups.registry, wilayah, token),
    )
    loci = _rank(_components(stunting, poverty, weights), names)
    return PriorityLoci(
        wilayah=wilayah,
        period=chosen.label,
        weights=weights,
        fields=[section("health", stunting), section("social", poverty)],
        loci=loci[:limit],
    )


def _components(
    stunting: Answer, poverty: Answer, weights: dict[str, float]
) -> dict[str, list[LocusComponent]]:
    by_desa: dict[str, list[LocusComponent]] = {}
    rows: list[tuple[Answer, str, Any, str, str, str]] = [
        (stunting, "stunting_prevalence", "health", "prevalence_percent", "stunted", "measured"),
        (
            poverty,
            "poverty_deciles_1_4",
            "social",
            "share_deciles_1_4",
            "deciles_1_4",
            "households_assessed",
        ),
    ]
    for answer, name, field, percent_key, numerator_key, denominator_key in rows:
        for row in answer.data if answer.ok else []:
            by_desa.setdefault(row["desa_code"], []).append(
                LocusComponent(
                    name=name,
                    field=field,
                    percent=row.get(percent_key),
                    weight=weights[name],
                    numerator=row.get(numerator_key),
                    denominator=row.get(denominator_key),
                )
            )
    for components in by_desa.values():  # a component nobody reported is shown as missing
        present = {c.name for c in components}
        components.extend(
            LocusComponent(
                name=name,
                field="health" if name.startswith("stunting") else "social",
                percent=None,
                weight=weight,
            )
            for name, weight in weights.items()
            if name not in present
        )
    return by_desa


def _score(components: list[LocusComponent]) -> tuple[float | None, bool]:
    known = [c for c in components if c.percent is not None]
    total_weight = sum(c.weight for c in known)
    if not known or total_weight == 0:
        return None, False
    score = sum(c.weight * (c.percent or 0.0) for c in known) / total_weight
    return round(score, 2), len(known) == len(components)


def _rank(by_desa: dict[str, list[LocusComponent]], names: dict[str, str]) -> list[Locus]:
    scored = [(code, components, *_score(components)) for code, components in by_desa.items()]
    scored.sort(key=lambda item: (not item[3], -(item[2] or -1.0), item[0]))
    return [
        Locus(
            rank=rank,
            code=code,
            name=names.get(code),
            score=score,
            complete=complete,
            components=sorted(components, key=lambda c: c.name),
        )
        for rank, (code, components, score, complete) in enumerate(scored, start=1)
    ]


async def _desa_names(registry: Upstream, code: str, token: str) -> dict[str, str]:
    """Names of the desa at or beneath ``code`` (a kabupaten takes one call per kecamatan)."""
    place = await registry.get(f"/v1/wilayah/{code}", token)
    if not place.ok:
        return {}
    children = place.data.get("children", [])
    if code.count(".") >= 2:  # a kecamatan's children are desa; a desa has none
        return {code: place.data["name"], **{c["code"]: c["name"] for c in children}}
    kecamatan = await asyncio.gather(
        *(registry.get(f"/v1/wilayah/{c['code']}", token) for c in children)
    )
    return {
        desa["code"]: desa["name"]
        for answer in kecamatan
        if answer.ok
        for desa in answer.data.get("children", [])
    }
