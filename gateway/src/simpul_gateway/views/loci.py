"""Priority loci for the stunting-and-poverty pilot: desa ranked by a weighted score.

score = Σ weight × component ÷ Σ weight, each component a percentage (0–100):

- ``stunting_prevalence`` (health): stunted among measured balita;
- ``poverty_deciles_1_4`` (social): households assessed in DTSEN deciles 1–4;
- ``paud_gap_5_6`` (education): children 5–6 not in PAUD (100 − the PAUD share);
- ``out_of_school_7_18`` (education): children 7–18 out of school;
- ``rtlh_pupr`` (housing): houses surveyed that are RTLH under Permen PUPR 29/2018;
- ``no_basic_water`` (public works): households surveyed without basic daily drinking water
  (Permen PUPR 29/2018's protected source, quantity and quality);
- ``no_layak_sanitation`` (public works): households surveyed without layak sanitation (belum
  layak or BABS on the sanitation ladder).

The two public works components share one weight (``weight_wash``), each carrying it.

Weights come from the query or the gateway's settings (``loci_weight_*``). A field with no
service deployed (``not_available``) contributes no components and leaves the others' ranking
as it was. A desa where a deployed field's service did not answer, or reported nothing for it,
is ranked after the complete ones, with that field's components marked missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from simpul_gateway.access import CrossFieldReader
from simpul_gateway.schemas import Locus, LocusComponent, PriorityLoci
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, Status, Upstream
from simpul_gateway.upstreams import upstreams
from simpul_gateway.views.common import (
    caller_token,
    resolve_period,
    section,
)
from simpul_platform.coalesce import Coalescer
from simpul_platform.indicators import SPM_FIELDS, OptionalPeriodQuery, SpmField
from simpul_platform.wilayah import RequiredWilayahQuery

router = APIRouter(prefix="/v1", tags=["views"])
WeightQuery = Annotated[float | None, Query(ge=0, le=100)]
# (percent, numerator, denominator) of one component, read from a field's by-desa row.
Reading = tuple[float | None, int | None, int | None]


@dataclass(frozen=True)
class Component:
    name: str
    field: SpmField
    read: Callable[[dict[str, Any]], Reading]


def _paud_gap(row: dict[str, Any]) -> Reading:
    children, in_paud, share = row["children_5_6"], row["paud_5_6"], row["paud_5_6_percent"]
    return (None if share is None else round(100.0 - share, 2)), children - in_paud, children


def _share_of_surveyed(key: str) -> Callable[[dict[str, Any]], Reading]:
    """Public works' households with ``key`` among those surveyed (its rows give counts)."""

    def read(row: dict[str, Any]) -> Reading:
        part, whole = row[key], row["households_surveyed"]
        return (round(100.0 * part / whole, 2) if whole else None), part, whole

    return read


COMPONENTS = (
    Component(
        "stunting_prevalence",
        "health",
        lambda row: (row.get("prevalence_percent"), row.get("stunted"), row.get("measured")),
    ),
    Component(
        "poverty_deciles_1_4",
        "social",
        lambda row: (
            row.get("share_deciles_1_4"),
            row.get("deciles_1_4"),
            row.get("households_assessed"),
        ),
    ),
    Component("paud_gap_5_6", "education", _paud_gap),
    Component(
        "out_of_school_7_18",
        "education",
        lambda row: (
            row["out_of_school_percent"],
            row["out_of_school_7_18"],
            row["children_7_18"],
        ),
    ),
    Component(
        "rtlh_pupr",
        "housing",
        lambda row: (row["rtlh_pupr_percent"], row["rtlh_pupr"], row["surveyed"]),
    ),
    Component(
        "no_basic_water", "public_works", _share_of_surveyed("households_without_basic_water")
    ),
    Component(
        "no_layak_sanitation",
        "public_works",
        _share_of_surveyed("households_without_layak_sanitation"),
    ),
)
FIELD_OF = {component.name: component.field for component in COMPONENTS}
_gathering: Coalescer[tuple[Any, ...]] = Coalescer()


@router.get("/priority-loci", response_model=PriorityLoci, operation_id="getPriorityLoci")
async def priority_loci(
    request: Request,
    principal: CrossFieldReader,
    wilayah: RequiredWilayahQuery,
    period: OptionalPeriodQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    weight_stunting: WeightQuery = None,
    weight_poverty: WeightQuery = None,
    weight_paud_gap: WeightQuery = None,
    weight_out_of_school: WeightQuery = None,
    weight_rtlh: WeightQuery = None,
    weight_wash: WeightQuery = None,
) -> PriorityLoci:
    """Desa ranked by combined stunting prevalence, poverty (deciles 1–4), children 5–6 not in
    PAUD, children 7–18 out of school, RTLH houses and households without basic drinking water
    or layak sanitation (each of the two at ``weight_wash``), each component shown with its
    weight; weights default to the gateway's settings, and a field with no service counts for
    nothing."""
    principal.require_wilayah(wilayah)
    chosen = resolve_period(period)
    settings: GatewaySettings = request.app.state.settings
    given = {
        "stunting_prevalence": (weight_stunting, settings.loci_weight_stunting),
        "poverty_deciles_1_4": (weight_poverty, settings.loci_weight_poverty),
        "paud_gap_5_6": (weight_paud_gap, settings.loci_weight_paud_gap),
        "out_of_school_7_18": (weight_out_of_school, settings.loci_weight_out_of_school),
        "rtlh_pupr": (weight_rtlh, settings.loci_weight_rtlh),
        "no_basic_water": (weight_wash, settings.loci_weight_wash),
        "no_layak_sanitation": (weight_wash, settings.loci_weight_wash),
    }
    token, ups = caller_token(request), upstreams(request)

    async def gather() -> tuple[Any, ...]:
        return tuple(
            await asyncio.gather(
                ups.health.stunting_by_desa(token, wilayah, chosen.label),
                ups.education.by_desa(token, wilayah, chosen.label),
                ups.social.poverty_by_desa(token, wilayah, chosen.label),
                ups.housing.by_desa(token, wilayah, chosen.label),
                ups.public_works.by_desa(token, wilayah, chosen.label),
                _desa_names(ups.registry, wilayah, token),
            )
        )

    # As the scorecard: callers that got here read all of ``wilayah`` alike, so callers asking
    # at once share the fields' rows (each ranks them with its own weights).
    stunting, education, poverty, housing, wash, names = await _gathering.run(
        (id(ups), wilayah, chosen.label), gather
    )
    answers: dict[SpmField, Answer] = {
        "health": stunting,
        "education": education,
        "social": poverty,
        "housing": housing,
        "public_works": wash,
    }
    weights = {
        name: default if query is None else query
        for name, (query, default) in given.items()
        if answers[FIELD_OF[name]].status is not Status.NOT_AVAILABLE
    }
    loci = _rank(_components(answers, weights), names)
    return PriorityLoci(
        wilayah=wilayah,
        period=chosen.label,
        weights=weights,
        fields=[section(field, answers[field]) for field in SPM_FIELDS if field in answers],
        loci=loci[:limit],
    )


def _components(
    answers: dict[SpmField, Answer], weights: dict[str, float]
) -> dict[str, list[LocusComponent]]:
    """Each desa's components from the fields' rows; ``weights`` names the components in play
    (those of deployed fields), and one a desa lacks is shown as missing."""
    by_desa: dict[str, list[LocusComponent]] = {}
    for component in COMPONENTS:
        answer = answers.get(component.field)
        if component.name not in weights or answer is None or not answer.ok:
            continue
        for row in answer.data:
            percent, numerator, denominator = component.read(row)
            by_desa.setdefault(row["desa_code"], []).append(
                LocusComponent(
                    name=component.name,
                    field=component.field,
                    percent=percent,
                    weight=weights[component.name],
                    numerator=numerator,
                    denominator=denominator,
                )
            )
    for components in by_desa.values():  # a component nobody reported is shown as missing
        present = {c.name for c in components}
        components.extend(
            LocusComponent(name=name, field=FIELD_OF[name], percent=None, weight=weight)
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
