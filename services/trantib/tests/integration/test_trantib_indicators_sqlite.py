"""Smoke test on SQLite, the quick-start database: the indicators, the summary and the rows by
desa over a few rows inserted directly (a fire met and one missed, a closed report, a
kecamatan-wide disaster, a zone reached past its population)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from trantib_indicator_rows import disaster, fire, outreach, point, report, wita, zone
from trantib_testkit import RAPAK_LAMBUR, TENGGARONG, TEST_REPORTER_KEY

from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.replica import posyandu_replica
from simpul_platform.testing.asgi import running_app
from simpul_trantib.app import create_app
from simpul_trantib.ops import tallies
from simpul_trantib.settings import TrantibSettings

pytestmark = pytest.mark.integration
POSYANDU = "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44"


async def test_trantib_indicators_run_on_sqlite(make_settings: Any, sqlite_url: str) -> None:
    settings = make_settings(
        TrantibSettings,
        database_url=sqlite_url,
        consumers_enabled=False,
        relay_enabled=False,
        reporter_key=TEST_REPORTER_KEY,
    )
    headers = {"Authorization": f"Bearer {mint_token(settings, 'dpmd', ['dpmd'], ['64.02'])}"}
    y = local_today(settings).year - 1
    app = create_app(settings)
    async with running_app(app) as client:
        now = datetime.now(UTC)
        async with app.state.db.sessions() as session:
            await session.execute(
                insert(posyandu_replica).values(
                    posyandu_id=POSYANDU, name="Posyandu", desa_code=RAPAK_LAMBUR,
                    kecamatan_code=TENGGARONG, kabupaten_code="64.02", status="registered",
                    fields="trantib", last_event_at=now, last_event_id="e", updated_at=now,
                )
            )  # fmt: skip
            session.add_all(
                [
                    fire(POSYANDU, RAPAK_LAMBUR, wita(y, 3, 10, 10), True, 900),
                    fire(POSYANDU, RAPAK_LAMBUR, wita(y, 3, 10, 11), True, 901),
                    report(POSYANDU, RAPAK_LAMBUR, date(y, 3, 1), date(y, 3, 20), 10, 8),
                    disaster(date(y, 3, 12), TENGGARONG, [], 10, 7),
                    zone(RAPAK_LAMBUR, "banjir", 300, y),
                    outreach(POSYANDU, RAPAK_LAMBUR, "banjir", date(y, 3, 5), 350),
                    point(RAPAK_LAMBUR, True),
                ]
            )
            await tallies.invalidate(session, POSYANDU, date(y, 1, 1))
            await session.commit()
        for period in (str(y), f"{y}-03"):
            params = {"period": period, "wilayah": TENGGARONG}
            response = await client.get("/v1/indicators", headers=headers, params=params)
            assert response.status_code == 200, response.text
            values = {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}
            assert values["trantib.fire_response_wmk"] == (1, 2)
            assert values["trantib.order_served"] == (8, 10)
            assert values["trantib.desa_in_wmk"] == (1, 1)
            assert values["trantib.disaster_evacuation"] == (7, 10)
            assert values["trantib.risk_information"] == (300, 300)
            for path in ("/v1/summary", "/v1/summary/by-desa"):
                answer = await client.get(path, headers=headers, params=params)
                assert answer.status_code == 200, answer.text
