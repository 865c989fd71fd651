"""The Capaian pages over the in-process API with no service behind it: every field's column
says its service did not answer while the page still shows, the trend answers as a fragment
and as a page, the export carries its header lines, and a role the API refuses gets the 403."""

from __future__ import annotations

import csv
import io

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

NOWHERE = "http://127.0.0.1:9"  # nothing listens: every service is down
SETTINGS = GatewaySettings(
    environment="test",
    jwt_secret=TEST_JWT_SECRET,
    pseudonym_secret=TEST_PSEUDONYM_SECRET,
    upstream_timeout_s=0.5,
    upstream_retries=0,
    **{f"{name}_url": NOWHERE for name in ("registry", "health", "education", "social")},
    housing_url="",  # not deployed: not_available
    public_works_url=NOWHERE,
    trantib_url=NOWHERE,
)
DPMD = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])


async def test_with_every_service_down_each_field_says_so_and_the_page_still_shows():
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, DPMD, path="/dashboard")
        page = await client.get(
            "/dashboard/capaian", params={"wilayah": "64.02", "period": "2026-11"}
        )
        fragment = await client.get(
            "/dashboard/capaian/tren",
            params={"wilayah": "64.02", "period": "2026-Q2", "fragment": "1"},
        )
        trend = await client.get(
            "/dashboard/capaian/tren", params={"wilayah": "64.02", "period": "2026-Q2"}
        )
        export = await client.get(
            "/dashboard/capaian.csv", params={"wilayah": "64.02", "period": "2026-11"}
        )
    assert page.status_code == 200
    assert page.text.count('class="status">layanan tidak menjawab<') == 5
    assert 'class="status">layanan belum ada<' in page.text  # housing has no URL
    # The registry is down too, so no child is named: nothing to fetch after but the trend.
    trend_src = "/dashboard/capaian/tren?wilayah=64.02&amp;period=2026-11&amp;fragment=1"
    assert f'data-src="{trend_src}"' in page.text
    assert 'id="matrix-box" aria-busy="false">' in page.text
    assert (
        '<option value="2026-Q3">' in page.text and '<option value="2026-11" selected>' in page.text
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Perumahan rakyat (layanan belum ada)" in fragment.text
    assert trend.status_code == 200 and "<html" in trend.text and "Kembali ke capaian" in trend.text
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0] == ["Wilayah", "64.02"] and lines[1] == ["Periode", "2026-11"]
    assert lines[4][:2] == ["Kode", "Nama"] and lines[5][0] == "64.02"


async def test_a_role_the_api_refuses_gets_the_403_page_and_no_file():
    token = mint_token(SETTINGS, "dinkes", ["opd:health"], ["64.02"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        page = await client.get("/dashboard/capaian", params={"wilayah": "64.02"})
        trend = await client.get("/dashboard/capaian/tren", params={"wilayah": "64.02"})
        export = await client.get("/dashboard/capaian.xlsx", params={"wilayah": "64.02"})
    assert page.status_code == 403 and "Anda tidak berhak melihat wilayah ini" in page.text
    assert (trend.status_code, export.status_code) == (403, 403)


async def test_a_malformed_period_or_wilayah_is_not_found():
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, DPMD, path="/dashboard")
        period = await client.get(
            "/dashboard/capaian", params={"wilayah": "64.02", "period": "2026-13"}
        )
        wilayah = await client.get("/dashboard/capaian", params={"wilayah": "64.02/../x"})
    assert (period.status_code, wilayah.status_code) == (404, 404)
