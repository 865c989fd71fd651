"""Fire posts and desa points over the real PostgreSQL: a desa exactly at the WMK radius is
inside and a little past it outside; adding, moving and deactivating a post recomputes every
desa point; no active post leaves a desa outside; writes outside the wilayah are refused and
reads stay within it."""

from __future__ import annotations

from typing import Any

import pytest
from trantib_fire_kit import POST_AT, add_post, north_of, south_of, spot
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.geo import distance_m
from simpul_platform.migrations import schema_drift
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_trantib.models import metadata

pytestmark = pytest.mark.integration


async def points(tr: Trantib) -> dict[str, dict[str, Any]]:
    got = await tr.client.get("/v1/desa-points", headers=tr.damkar)
    assert got.status_code == 200, got.text
    return {p["desa_code"]: p for p in got.json()}


def verdict(point: dict[str, Any]) -> tuple[str | None, bool]:
    return point["nearest_post_id"], point["inside_wmk"]


async def test_the_wmk_radius_and_recomputing_desa_points(trantib: Trantib) -> None:
    tr = trantib
    edge = south_of(POST_AT, 7500.0)
    assert distance_m(*POST_AT, *edge) <= 7500.0 < distance_m(*POST_AT, edge[0] - 1e-9, edge[1])
    put = await tr.client.put(f"/v1/desa-points/{RAPAK_LAMBUR}", json=spot(edge), headers=tr.opd)
    assert put.status_code == 200, put.text
    assert verdict(put.json()) == (None, False)  # no active post: outside

    post_a = await add_post(tr, "Pos Damkar Tenggarong", POST_AT)
    assert post_a["desa_points_changed"] == 1
    past = north_of(POST_AT, 7510.0)
    put = await tr.client.put(f"/v1/desa-points/{MANGKURAWANG}", json=spot(past), headers=tr.damkar)
    assert verdict(put.json()) == (post_a["id"], False)  # a little past the radius
    now = await points(tr)
    assert verdict(now[RAPAK_LAMBUR]) == (post_a["id"], True)  # at the radius: inside
    assert now[RAPAK_LAMBUR]["distance_km"] == 7.5

    # A second post near Mangkurawang covers it; Rapak Lambur keeps the first.
    post_b = await add_post(tr, "Pos Damkar Mangkurawang", north_of(POST_AT, 9000.0))
    assert post_b["desa_points_changed"] == 1
    now = await points(tr)
    assert verdict(now[MANGKURAWANG]) == (post_b["id"], True)
    assert now[MANGKURAWANG]["distance_km"] == pytest.approx(1.49, abs=0.01)
    assert verdict(now[RAPAK_LAMBUR]) == (post_a["id"], True)

    # Moving the first post 100 m north puts Rapak Lambur past its radius.
    moved_to = north_of(POST_AT, 100.0)
    moved = await tr.client.patch(
        f"/v1/fire-posts/{post_a['id']}", json=spot(moved_to), headers=tr.damkar
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["desa_points_changed"] == 1
    now = await points(tr)
    assert verdict(now[RAPAK_LAMBUR]) == (post_a["id"], False)
    assert now[RAPAK_LAMBUR]["distance_km"] == pytest.approx(7.6, abs=0.001)

    # Deactivating the second post leaves Mangkurawang to the moved first (now 7.41 km away,
    # inside); a rename alone
    # recomputes nothing; with no active post, every desa is outside.
    off = await tr.client.patch(
        f"/v1/fire-posts/{post_b['id']}", json={"active": False}, headers=tr.damkar
    )
    assert (off.json()["active"], off.json()["desa_points_changed"]) == (False, 1)
    now = await points(tr)
    assert verdict(now[MANGKURAWANG]) == (post_a["id"], True)
    assert now[MANGKURAWANG]["distance_km"] == pytest.approx(7.41, abs=0.001)
    renamed = await tr.client.patch(
        f"/v1/fire-posts/{post_a['id']}", json={"name": "Pos Damkar Kota"}, headers=tr.damkar
    )
    assert (renamed.json()["name"], renamed.json()["desa_points_changed"]) == (
        "Pos Damkar Kota",
        0,
    )
    await tr.client.patch(
        f"/v1/fire-posts/{post_a['id']}", json={"active": False}, headers=tr.damkar
    )
    assert {verdict(p) for p in (await points(tr)).values()} == {(None, False)}
    back = await tr.client.patch(
        f"/v1/fire-posts/{post_b['id']}", json={"active": True}, headers=tr.damkar
    )
    assert back.json()["desa_points_changed"] == 2
    assert verdict((await points(tr))[MANGKURAWANG]) == (post_b["id"], True)


async def test_fire_posts_and_points_stay_in_the_wilayah(trantib: Trantib) -> None:
    tr = trantib
    post = await add_post(tr, "Pos Damkar Tenggarong", POST_AT)
    await tr.client.put(f"/v1/desa-points/{RAPAK_LAMBUR}", json=spot(POST_AT), headers=tr.opd)
    await tr.client.put(f"/v1/desa-points/{MANGKURAWANG}", json=spot(POST_AT), headers=tr.opd)
    elsewhere = tr.auth(["opd:trantib:damkar"], ["64.02.07"], sub="damkar-loa-janan")
    body = {"name": "Pos Damkar Baru", "wilayah_code": "64.02.06", **spot(POST_AT)}
    refused = await tr.client.post("/v1/fire-posts", json=body, headers=elsewhere)
    assert refused.status_code == 403, refused.text
    refused = await tr.client.put(
        f"/v1/desa-points/{RAPAK_LAMBUR}", json=spot(POST_AT), headers=elsewhere
    )
    assert refused.status_code == 403, refused.text
    hidden = await tr.client.patch(
        f"/v1/fire-posts/{post['id']}", json={"active": False}, headers=elsewhere
    )
    assert hidden.status_code == 404, hidden.text
    refused = await tr.client.post("/v1/fire-posts", json=body, headers=tr.satpolpp)
    assert refused.status_code == 403, refused.text  # not Damkar's

    # A desa's kader sees its own point and the kecamatan's post serving it; no other's.
    seen = await tr.client.get("/v1/desa-points", headers=tr.kader)
    assert [p["desa_code"] for p in seen.json()] == [RAPAK_LAMBUR]
    posts = await tr.client.get("/v1/fire-posts", headers=tr.kader)
    assert [p["id"] for p in posts.json()] == [post["id"]]
    outside = await tr.client.get("/v1/desa-points?wilayah=64.02.07", headers=tr.kader)
    assert outside.status_code == 403, outside.text
    other = tr.auth(["kader:trantib"], ["64.02.07.2001"], sub="kader-loa-janan")
    assert (await tr.client.get("/v1/fire-posts", headers=other)).json() == []
    assert (await tr.client.get("/v1/desa-points", headers=other)).json() == []


async def test_coordinates_are_checked_and_the_tables_match_the_migrations(
    trantib: Trantib,
) -> None:
    tr = trantib
    tables = (metadata, replica_metadata, referral_metadata)
    assert await schema_drift(tr.settings.database_url, *tables) == []
    body = {"name": "Pos Damkar Tenggarong", "wilayah_code": "64.02.06"}
    swapped = await tr.client.post(
        "/v1/fire-posts", json={**body, "latitude": 116.98, "longitude": -0.42}, headers=tr.damkar
    )
    assert swapped.status_code == 422, swapped.text
    [error] = swapped.json()["errors"]
    assert (error["field"], error["rule"]) == ("body.latitude", "coordinates_swapped")
    post = await add_post(tr, "Pos Damkar Tenggarong", POST_AT)
    half = await tr.client.patch(
        f"/v1/fire-posts/{post['id']}", json={"latitude": -0.5}, headers=tr.damkar
    )
    assert half.status_code == 422, half.text
    assert half.json()["errors"][0]["rule"] == "coordinates_pair"
