"""Registration lifecycle over the real database: happy path, history, every wrong transition."""

from __future__ import annotations

import pytest
from registry_testkit import DOCUMENTS, SEBULU_DESA, TENGGARONG_DESA, Registry
from sqlmodel import select

from simpul_registry.models import Posyandu

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
ACTIONS = {
    "submit": DOCUMENTS, "verify": {}, "return": {"reason": "SK kepengurusan unsigned"},
    "register": {"registration_number": "64.02.06.2012.001"},
    "deactivate": {"reason": "No activity for a year"}, "reactivate": {},
}
ALLOWED = {
    "draft": ["submit"], "submitted": ["verify", "return"], "verified": ["register"],
    "registered": ["deactivate"], "inactive": ["reactivate"],
}


async def test_happy_path_with_return_and_full_history(registry: Registry) -> None:
    p = await registry.create()
    assert p["status"] == "draft" and p["created_by"] == "dpmd-kukar"
    pid = p["id"]
    steps = [("submit", "submitted"), ("return", "draft"), ("submit", "submitted"),
             ("verify", "verified"), ("register", "registered"), ("deactivate", "inactive"),
             ("reactivate", "registered")]
    for action, expected in steps:
        response = await registry.act(pid, action, ACTIONS[action])
        assert response.status_code == 200, response.text
        assert response.json()["status"] == expected
    final = (await registry.client.get(f"/v1/posyandu/{pid}", headers=registry.tp)).json()
    assert final["registration_number"] == "64.02.06.2012.001"
    assert final["sk_tp_number"] == DOCUMENTS["sk_tp_number"]
    assert final["updated_by"] == "dpmd-kukar" and final["version"] == 1 + len(steps)
    history = (await registry.client.get(f"/v1/posyandu/{pid}/history",
                                         headers=registry.dpmd)).json()
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("create", None, "draft"), ("submit", "draft", "submitted"),
        ("return", "submitted", "draft"), ("submit", "draft", "submitted"),
        ("verify", "submitted", "verified"), ("register", "verified", "registered"),
        ("deactivate", "registered", "inactive"), ("reactivate", "inactive", "registered")]
    assert history[2]["reason"] == "SK kepengurusan unsigned"
    assert history[2]["actor"] == history[4]["actor"] == "tp-tenggarong"
    assert history[1]["actor"] == "dpmd-kukar"


async def test_every_wrong_transition_is_409_naming_the_allowed_ones(registry: Registry) -> None:
    pid = (await registry.create())["id"]
    path = ["submit", "verify", "register", "deactivate"]
    for status_index, status in enumerate(["draft", "submitted", "verified", "registered",
                                           "inactive"]):
        for action, body in ACTIONS.items():
            if action in ALLOWED[status]:
                continue
            response = await registry.act(pid, action, body)
            assert response.status_code == 409, (status, action, response.text)
            problem = response.json()
            assert response.headers["content-type"] == PROBLEM
            assert problem["current_status"] == status
            assert problem["allowed"] == ALLOWED[status]
            assert all(a in problem["detail"] for a in ALLOWED[status])
        if status_index < len(path):
            step = path[status_index]
            assert (await registry.act(pid, step, ACTIONS[step])).status_code == 200
    history = (await registry.client.get(f"/v1/posyandu/{pid}/history",
                                         headers=registry.dpmd)).json()
    assert len(history) == 5  # refused actions left no trace


async def test_submit_needs_the_documents(registry: Registry) -> None:
    pid = (await registry.create())["id"]
    response = await registry.act(pid, "submit", {"sk_tp_number": "1/2025"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.sk_tp_date", "body.sk_kepengurusan_number", "body.rekap_date"} <= fields


async def _verified(registry: Registry, name: str, desa: str = TENGGARONG_DESA) -> str:
    pid: str = (await registry.create(name=name, desa=desa))["id"]
    assert (await registry.act(pid, "submit", DOCUMENTS)).status_code == 200
    verifier = registry.auth(["tp:kecamatan"], [desa[:8]])
    assert (await registry.act(pid, "verify", headers=verifier)).status_code == 200
    return pid


async def test_registration_number_must_match_desa_and_be_unique(registry: Registry) -> None:
    first = await _verified(registry, "Posyandu Melati")
    second = await _verified(registry, "Posyandu Anggrek")
    mismatch = await registry.act(first, "register",
                                  {"registration_number": "64.02.06.2014.001"})
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0] == {
        "field": "registration_number", "rule": "desa_mismatch",
        "message": mismatch.json()["errors"][0]["message"]}
    malformed = await registry.act(first, "register", {"registration_number": "640206201200"})
    assert malformed.json()["errors"][0]["rule"] == "format"
    ok = await registry.act(first, "register", {"registration_number": "64.02.06.2012.007"})
    assert ok.status_code == 200
    duplicate = await registry.act(second, "register",
                                   {"registration_number": "64.02.06.2012.007"})
    assert duplicate.status_code == 409
    assert "64.02.06.2012.007" in duplicate.json()["detail"]
    async with registry.app.state.db.sessions() as session:
        rows = (await session.exec(select(Posyandu).order_by(Posyandu.name))).all()
    assert {(p.name, p.status, p.registration_number) for p in rows} == {
        ("Posyandu Anggrek", "verified", None),
        ("Posyandu Melati", "registered", "64.02.06.2012.007")}


async def test_unknown_desa_and_implausible_coordinates_are_refused(registry: Registry) -> None:
    for desa, rule in [("64.02.06.2001", "unknown_desa"), ("99.01.01.2001", "unknown_desa"),
                       ("64.02.06", "string_pattern_mismatch")]:
        response = await registry.client.post(
            "/v1/posyandu", json={"name": "Posyandu X", "desa_code": desa},
            headers=registry.auth(["dpmd"], ["*"]))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["rule"] == rule
        assert "desa_code" in response.json()["errors"][0]["field"]
    far = await registry.client.post("/v1/posyandu", headers=registry.dpmd, json={
        "name": "Posyandu X", "desa_code": TENGGARONG_DESA, "latitude": 48.85,
        "longitude": 2.35})
    assert far.status_code == 422
    assert {e["field"] for e in far.json()["errors"]} == {"body.latitude", "body.longitude"}
    duplicate_name = await registry.create(name="Posyandu Kenanga")
    again = await registry.client.post("/v1/posyandu", headers=registry.dpmd, json={
        "name": "posyandu  kenanga", "desa_code": TENGGARONG_DESA})
    assert again.status_code == 409 and duplicate_name["id"]


async def test_verification_belongs_to_the_kecamatan_tp(registry: Registry) -> None:
    pid = (await registry.create())["id"]
    await registry.act(pid, "submit", DOCUMENTS)
    other_kecamatan = registry.auth(["tp:kecamatan"], [SEBULU_DESA[:8]])
    assert (await registry.act(pid, "verify", headers=other_kecamatan)).status_code == 403
    assert (await registry.act(pid, "verify", headers=registry.dpmd)).status_code == 403
    assert (await registry.act(pid, "submit", DOCUMENTS,
                               headers=registry.tp)).status_code == 403
    verified = await registry.act(pid, "verify", headers=registry.tp)
    assert verified.json()["status"] == "verified"
