"""Smoke test on SQLite, the quick-start database (what `./simpul up` runs on): migrations
with the partial unique indexes, a house, a survey, an RTLH case, a survey batch, a photo and
the aggregates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, RAPAK_LAMBUR

from simpul_housing.app import create_app
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import mint_token
from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.replica import PosyanduRegistered, apply_posyandu_event
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.images import jpeg

pytestmark = pytest.mark.integration


async def replicated(db: Database, desa: str) -> str:
    """A posyandu put in the replica as the registry's event would."""
    pid = new_id()
    data = {
        "posyandu_id": pid,
        "name": "Posyandu Melati",
        "desa_code": desa,
        "status": "registered",
    }
    event = Envelope(
        id=new_id(),
        type=PosyanduRegistered.event_type,
        source="registry",
        time=datetime.now(UTC),
        data=data,
        posyandu_id=pid,
    )
    async with db.sessions() as session:
        await apply_posyandu_event(session, event)
        await session.commit()
    return pid


async def test_housing_runs_on_sqlite(make_settings: Any, sqlite_url: str, tmp_path: Any) -> None:
    settings = make_settings(
        HousingSettings,
        database_url=sqlite_url,
        consumers_enabled=False,
        relay_enabled=False,
        photo_dir=str(tmp_path / "photos"),
    )

    def bearer(roles: list[str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, 'u', roles, ['64.02'])}"}

    opd, dpmd = bearer(["opd:housing"]), bearer(["dpmd"])
    app = create_app(settings)
    async with running_app(app) as client:
        assert (await client.get("/readyz")).json()["database"] == "ok"
        posyandu = await replicated(app.state.db, RAPAK_LAMBUR)
        body = {
            "posyandu_id": posyandu,
            "rt": "001",
            "rw": "002",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 5,
            "households": [{"kk": "6402061234560001"}],
        }
        house = (await client.post("/v1/houses", json=body, headers=opd)).json()
        again = await client.post("/v1/houses", json=body, headers=opd)
        assert again.status_code == 409  # the household lives in one house: the partial index
        rtlh = {**LIVABLE_SURVEY, "floor_area_m2": 20.0}
        survey = await client.post(f"/v1/houses/{house['id']}/assessments", json=rtlh, headers=opd)
        assert survey.json()["failed_pupr"] == ["luas_per_orang"]
        case = {"house_id": house["id"], "source": "kader"}
        assert (await client.post("/v1/rtlh-cases", json=case, headers=opd)).status_code == 201
        second = await client.post("/v1/rtlh-cases", json=case, headers=opd)
        assert second.status_code == 409  # one open case per house: the other partial index
        item = {"house_id": house["id"], "survey": {**LIVABLE_SURVEY, "surveyed_on": "2026-04-01"}}
        batch = await client.post("/v1/survey-batches", json={"items": [item]}, headers=opd)
        assert batch.json()["results"][0]["status"] == "assessed"
        photo = await client.post(
            f"/v1/houses/{house['id']}/photos",
            content=jpeg(),
            headers={**opd, "Content-Type": "image/jpeg"},
        )
        assert photo.status_code == 201, photo.text
        indicators = await client.get(
            "/v1/indicators", params={"period": "2026", "wilayah": "64.02"}, headers=dpmd
        )
        values = {v["code"]: (v["numerator"], v["denominator"]) for v in indicators.json()}
        assert values["housing.rlh_pupr"] == (1, 1)  # the batch's survey is the latest
        params = {"posyandu_id": posyandu, "period": "2026"}
        summary = await client.get("/v1/summary", params=params, headers=dpmd)
        assert summary.status_code == 200, summary.text
