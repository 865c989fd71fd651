"""Capaian's last level, desa → posyandu: the matrix built from a desa's scorecard and its
posyandu's (each row named by its id, of kind posyandu, the code column and labels saying
"posyandu"), and the pages over the in-process API with scripted services: a desa's rows are
its posyandu, each figure the posyandu's own scorecard and each name a link to the posyandu's
page; the first view fetches them; the export carries them; a desa without posyandu says so."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from test_dashboard_capaian_matrix import card, indicator
from test_dashboard_drill_scorecard import OTHER, PERIOD, REGISTRY, asked, world
from test_gateway_education import DESA_A, DESA_B, POSYANDU, SETTINGS, gateway

from simpul_gateway.dashboard.i18n import EN, ID
from simpul_gateway.dashboard.labels import capaian as capaian_labels
from simpul_gateway.dashboard.scorecard_matrix import Place, build_matrix
from simpul_gateway.dashboard.session import COOKIE
from simpul_platform.auth import mint_token

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

DPMD_TOKEN = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])


def test_a_desas_matrix_rows_are_its_posyandu_named_by_their_id():
    places = [
        Place(DESA_A, "Rapak Lambur", card(DESA_A, indicator("health.balita", 50.0))),
        Place(POSYANDU, "Mawar", card(DESA_A, indicator("health.balita", 100.0)), "posyandu"),
        Place(OTHER, "Kenanga", None, "posyandu"),  # its call did not answer
    ]
    matrix = build_matrix(places, ID, has_children=True, child_level="posyandu")
    assert [(r.code, r.name, r.own, r.kind) for r in matrix.rows] == [
        (DESA_A, "Rapak Lambur", True, "wilayah"),
        (POSYANDU, "Mawar", False, "posyandu"),
        (OTHER, "Kenanga", False, "posyandu"),
    ]
    assert matrix.label_suffix == "_posyandu"
    assert matrix.rows[1].cells["health.balita"].value == 100.0
    assert matrix.rows[2].cells["health.balita"].value == ID["status_unavailable"]
    table = matrix.table(ID)
    assert [c.header for c in table.columns[:2]] == ["Kode / ID posyandu", "Nama"]
    assert [row["code"] for row in table.rows] == [DESA_A, POSYANDU, OTHER]
    assert matrix.table(EN).columns[0].header == "Code / posyandu ID"
    # Above a desa nothing changes: children are wilayah, the labels the plain ones.
    kecamatan = build_matrix(places[:1], ID, has_children=True)
    assert kecamatan.child_level == "wilayah" and kecamatan.label_suffix == ""
    assert kecamatan.table(ID).columns[0].header == "Kode"


def test_every_posyandu_label_has_its_plain_counterpart_in_both_languages():
    """The templates pick a label by suffix: each needs its plain (wilayah) label too."""
    for own, t in ((capaian_labels.ID, ID), (capaian_labels.EN, EN)):
        suffixed = [k for k in own if k.endswith("_posyandu")]
        assert len(suffixed) == 7 and all(k.removesuffix("_posyandu") in t for k in suffixed)


async def pages(gateway: Any, registry: dict[str, Any], *paths: str) -> list[Any]:
    app, client = gateway
    app.state.upstreams = ups = world(registry)
    client.cookies.set(COOKIE, DPMD_TOKEN, path="/dashboard")
    params = {"wilayah": DESA_A, "period": PERIOD}
    answers = [await client.get(path, params=params) for path in paths]
    return [ups, *answers]


async def test_a_desas_pages_show_its_posyandu_each_linking_to_its_page(gateway):
    ups, first, whole, export = await pages(
        gateway,
        REGISTRY,
        "/dashboard/capaian",
        "/dashboard/capaian/rincian",
        "/dashboard/capaian.csv",
    )
    assert first.status_code == 200 and "Capaian per posyandu dan indikator" in first.text
    assert "untuk desa ini dan tiap posyandu di dalamnya" in first.text
    assert 'data-loading="Capaian tiap posyandu di desa ini sedang dimuat…"' in first.text
    assert "Tampilkan capaian tiap posyandu di desa ini" in first.text
    assert whole.status_code == 200
    for pid, name in ((POSYANDU, "Mawar"), (OTHER, "Kenanga")):
        assert f'<tr data-code="{pid}">' in whole.text
        assert f'<a href="/dashboard/posyandu/{pid}?period={PERIOD}">{name}</a>' in whole.text
    assert "Persentase capaian per posyandu dan indikator SPM" in whole.text
    # Each posyandu's row is its own scorecard: every field asked for that posyandu alone.
    health = [params for _, params in asked(ups, "health")]
    for pid in (POSYANDU, OTHER):
        assert {"posyandu_id": pid, "period": PERIOD} in health
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[4][:2] == ["Kode / ID posyandu", "Nama"]
    assert [line[:2] for line in lines[5:]] == [
        [DESA_A, "Rapak Lambur"],
        [POSYANDU, "Mawar"],
        [OTHER, "Kenanga"],
    ]


async def test_a_desa_without_posyandu_says_so_and_fetches_nothing_more(gateway):
    empty = {**REGISTRY, "/v1/posyandu": {"items": [], "total": 0, "page": 1, "page_size": 500}}
    _, page = await pages(gateway, empty, "/dashboard/capaian")
    assert page.status_code == 200
    assert "Belum ada posyandu terdaftar di desa ini." in page.text
    assert 'data-src="/dashboard/capaian/rincian' not in page.text
    assert DESA_B not in page.text
