"""/docs and /redoc load everything from the service itself: they work without internet."""

from __future__ import annotations

import re

import httpx
import pytest

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit
REFERENCE = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ?'([^']+)'""")


def references(page: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(page)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_documentation_pages_name_no_other_host_and_their_assets_are_served(page):
    app = create_service_app(
        ServiceSpec(settings=ServiceSettings(), title="Toy", description="", uses_database=False)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get(page)
        assert response.status_code == 200
        html = response.text
        assert "//" not in re.sub(r"<!--.*?-->", "", html, flags=re.S).replace("http://service", "")
        assets = references(html)
        assert any(a.endswith(".js") for a in assets) and "/openapi.json" in assets
        for asset in assets:
            assert asset.startswith("/"), asset
            fetched = await client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.content) > 0, asset
