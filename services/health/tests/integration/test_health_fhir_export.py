"""FHIR export over HTTP: a hand-built posyandu day as a valid, round-tripping Bundle with
exactly the expected resources; an empty day; who may export; the audit trail; nothing on
Kafka; and a day of the demo population's shape."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from health_testkit import DESA, OTHER_DESA, TODAY, Health, nik
from sqlalchemy import func, select

from simpul_health.demo import monthly_measurements
from simpul_health.events import TOPIC
from simpul_health.models import FhirExport, Measurement
from simpul_health.ops import targets
from simpul_health.ops.measurement_batch import record_measurements
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.devstack.population import generate_balita
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.integration

DAY = TODAY - timedelta(days=3)
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


def url(posyandu_id: str, day: date = DAY) -> str:
    return f"/v1/fhir/posyandu/{posyandu_id}/days/{day.isoformat()}"


async def post(health: Health, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await health.client.post(path, json=body, headers=health.kader)
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()
    return data


async def measure(health: Health, pid: str, items: list[dict[str, Any]]) -> None:
    bulk = await post(health, f"/v1/posyandu/{pid}/measurements/bulk", {"items": items})
    assert bulk["created"] == len(items), bulk


async def a_posyandu_day(health: Health, pid: str) -> dict[str, dict[str, Any]]:
    """Two children weighed and measured (one stunted), an immunisation, an adult's screening
    with blood pressure and an ANC visit with blood pressure, all on DAY at ``pid``; and
    records that are not of that day or not of that posyandu."""
    stunted = await health.target(pid, DAY - timedelta(days=731), "M", serial=1, name="Andi")
    young = await health.target(pid, DAY - timedelta(days=400), "F", serial=2, name="Sari")
    adult = await health.target(pid, date(1970, 3, 4), "F", serial=3, name="Ibu Wati")
    mother = await health.target(pid, date(1996, 5, 1), "F", serial=4, name="Ibu Rina")
    # Boy of 731 days standing at 80.0 cm: HAZ −2.33 (stunted); the girl is measured lying.
    await measure(
        health,
        pid,
        [
            {"target_id": stunted["id"], "measured_on": DAY.isoformat(), "weight_kg": 10.5,
             "height_cm": 80.0, "measure_position": "standing"},
            {"target_id": young["id"], "measured_on": DAY.isoformat(), "weight_kg": 8.9,
             "height_cm": 74.5, "measure_position": "recumbent", "muac_cm": 14.2,
             "head_circumference_cm": 45.0},
            # the day before: not in the export
            {"target_id": stunted["id"], "measured_on": (DAY - timedelta(days=1)).isoformat(),
             "weight_kg": 10.4, "height_cm": 80.0, "measure_position": "standing"},
        ],
    )  # fmt: skip
    await post(
        health,
        f"/v1/targets/{young['id']}/immunisations",
        {"antigen": "MR", "dose": 1, "given_on": DAY.isoformat(), "posyandu_id": pid},
    )
    await post(
        health,
        "/v1/screenings",
        {"target_id": adult["id"], "screened_on": DAY.isoformat(), "systolic": 150,
         "diastolic": 95},
    )  # fmt: skip
    pregnancy = await post(
        health,
        "/v1/pregnancies",
        {"target_id": mother["id"], "registered_on": (DAY - timedelta(days=30)).isoformat(),
         "last_menstrual_period": (DAY - timedelta(days=100)).isoformat(), "gravida": 1},
    )  # fmt: skip
    await post(
        health,
        f"/v1/pregnancies/{pregnancy['id']}/anc-visits",
        {"visit_number": 2, "visited_on": DAY.isoformat(), "systolic": 120, "diastolic": 80},
    )
    # The same day at another posyandu of the desa: not in this posyandu's export.
    other = await health.posyandu("Posyandu Melati")
    elsewhere = await health.target(other, DAY - timedelta(days=500), "M", serial=5)
    await measure(
        health,
        other,
        [{"target_id": elsewhere["id"], "measured_on": DAY.isoformat(), "weight_kg": 10.0}],
    )
    return {"stunted": stunted, "young": young, "adult": adult, "mother": mother}


def coded(bundle: Bundle) -> Counter[tuple[str, str | None, str | None]]:
    """(resource type, system, code) of every entry's first coding (Patients: the NIK system)."""
    seen: Counter[tuple[str, str | None, str | None]] = Counter()
    for entry in bundle.entry or []:
        res: Any = entry.resource
        kind = res.get_resource_type()
        if kind == "Patient":
            seen[(kind, res.identifier[0].system, None)] += 1
        else:
            concept = res.vaccineCode if kind == "Immunization" else res.code
            seen[(kind, concept.coding[0].system, concept.coding[0].code)] += 1
    return seen


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


async def outbox_rows(health: Health) -> int:
    async with health.app.state.db.sessions() as session:
        count: int = (
            await session.execute(select(func.count()).select_from(outbox_table))
        ).scalar_one()
    return count


async def test_a_posyandu_day_is_a_valid_bundle_of_exactly_its_records(health: Health) -> None:
    pid = await health.posyandu()
    people = await a_posyandu_day(health, pid)
    queued = await outbox_rows(health)

    response = await health.client.get(url(pid), headers=health.opd)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert "no-store" in response.headers["cache-control"]
    bundle = Bundle.model_validate_json(response.text)
    assert Bundle.model_validate_json(bundle.model_dump_json()) == bundle  # round-trips
    assert bundle.type == "collection"

    loinc, snomed, icd = (
        "http://loinc.org",
        "http://snomed.info/sct",
        "http://hl7.org/fhir/sid/icd-10",
    )
    assert coded(bundle) == Counter(
        {
            ("Patient", NIK_SYSTEM, None): 4,
            ("Observation", loinc, "29463-7"): 2,  # both children's weight
            ("Observation", loinc, "8302-2"): 1,  # the boy standing
            ("Observation", loinc, "8306-3"): 1,  # the girl lying
            ("Observation", loinc, "9843-4"): 1,
            ("Observation", snomed, "284473002"): 1,
            ("Observation", loinc, "85354-9"): 2,  # the screening's and the ANC visit's
            ("Immunization", "https://simpul.example/fhir/CodeSystem/antigen", "MR"): 1,
            ("Condition", icd, "E45"): 1,
        }
    )
    entries = {e.fullUrl: e.resource for e in bundle.entry or []}
    assert all(u == f"urn:uuid:{r.id}" for u, r in entries.items())
    refs = references(bundle.model_dump(mode="json"))
    assert refs and all(ref in entries for ref in refs)  # every reference resolves inside

    patients = {
        r.identifier[0].value: r for r in entries.values() if r.get_resource_type() == "Patient"
    }
    assert set(patients) == {p["nik"] for p in people.values()}
    boy = patients[nik(DAY - timedelta(days=731), "M", 1)]
    assert (boy.gender, boy.birthDate, boy.name[0].text) == (
        "male",
        DAY - timedelta(days=731),
        "Andi",
    )
    by_type = {r.get_resource_type(): r for r in entries.values()}
    condition = by_type["Condition"]
    assert condition.subject.reference == f"urn:uuid:{boy.id}"
    assert condition.onsetDateTime == DAY and "HAZ -2.3" in condition.note[0].text
    evidence = entries[condition.evidence[0].detail[0].reference]
    assert evidence.code.coding[0].code == "8302-2" and evidence.valueQuantity.value == 80.0
    immunization = by_type["Immunization"]
    assert immunization.protocolApplied[0].doseNumberPositiveInt == 1
    assert immunization.occurrenceDateTime == DAY and immunization.status == "completed"
    for res in entries.values():
        if res.get_resource_type() == "Observation":
            assert res.status == "final" and res.effectiveDateTime == DAY
            assert res.category[0].coding[0].code == "vital-signs"
            quantities = (
                [res.valueQuantity]
                if res.valueQuantity
                else [c.valueQuantity for c in res.component]
            )
            units = {q.code for q in quantities}
            assert units <= {"kg", "cm", "mm[Hg]"} and {q.system for q in quantities} == {
                "http://unitsofmeasure.org"
            }
    pressures = sorted(
        tuple(c.valueQuantity.value for c in r.component)
        for r in entries.values()
        if r.get_resource_type() == "Observation" and r.component
    )
    assert pressures == [(120, 80), (150, 95)]

    # Audited: one row, listed for the Dinas Kesehatan, whose id is the bundle's.
    listed = (
        await health.client.get("/v1/fhir/exports", params={"posyandu_id": pid}, headers=health.opd)
    ).json()
    assert [
        (x["id"], x["day"], x["exported_by"], x["patients"], x["resources"]) for x in listed
    ] == [(bundle.id, DAY.isoformat(), "dinkes-kukar", 4, 14)]
    # The same day again: the same resource ids, a second audit row.
    again = Bundle.model_validate_json((await health.client.get(url(pid), headers=health.opd)).text)
    assert [e.fullUrl for e in again.entry or []] == list(entries) and again.id != bundle.id
    listed = (await health.client.get("/v1/fhir/exports", headers=health.opd)).json()
    assert [x["id"] for x in listed] == [again.id, bundle.id]

    # Never on Kafka: the exports added nothing to the outbox, and the topic carries no NIK.
    assert await outbox_rows(health) == queued
    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers, health.settings.topic(TOPIC), expected=queued
    )
    assert not any("fhir" in e.type for e in envelopes)
    assert not any(p["nik"] in str(e.data) for p in people.values() for e in envelopes)


async def test_an_empty_day_is_an_empty_collection_and_still_audited(health: Health) -> None:
    pid = await health.posyandu()
    response = await health.client.get(url(pid, TODAY), headers=health.opd)
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate_json(response.text)
    assert bundle.type == "collection" and len(bundle.entry or []) == 0
    async with health.app.state.db.sessions() as session:
        rows = (await session.execute(select(FhirExport))).scalars().all()
    assert [(r.id, r.posyandu_id, r.day, r.patients, r.resources) for r in rows] == [
        (bundle.id, pid, TODAY, 0, 0)
    ]


async def test_only_the_dinas_kesehatan_of_the_wilayah_exports(health: Health) -> None:
    pid = await health.posyandu()
    elsewhere = await health.posyandu("Posyandu Anggrek", desa=OTHER_DESA)
    refused = {
        "kader:health": health.kader,
        "dpmd": health.dpmd,
        "gateway": health.auth(["gateway"], ["64.02"], sub="gateway"),
        "tp:kabupaten": health.auth(["tp:kabupaten"], ["64.02"], sub="tp"),
    }
    for role, headers in refused.items():
        for path in (url(pid), "/v1/fhir/exports"):
            response = await health.client.get(path, headers=headers)
            assert response.status_code == 403, (role, path, response.text)
    # The Dinas Kesehatan of one kecamatan: not another kecamatan's posyandu.
    tenggarong = health.auth(["opd:health"], ["64.02.06"], sub="dinkes-tenggarong")
    assert (await health.client.get(url(elsewhere), headers=tenggarong)).status_code == 403
    listed = await health.client.get(
        "/v1/fhir/exports", params={"posyandu_id": elsewhere}, headers=tenggarong
    )
    assert listed.status_code == 403
    assert (await health.client.get(url(pid), headers=tenggarong)).status_code == 200
    # Its list shows its own posyandu's exports only, even when the other one has some.
    assert (await health.client.get(url(elsewhere), headers=health.opd)).status_code == 200
    mine = (await health.client.get("/v1/fhir/exports", headers=tenggarong)).json()
    assert [x["posyandu_id"] for x in mine] == [pid]
    # A day after today, an unknown posyandu: problems naming the field and rule.
    future = await health.client.get(url(pid, TODAY + timedelta(days=1)), headers=health.opd)
    assert future.status_code == 422
    assert [(e["field"], e["rule"]) for e in future.json()["errors"]] == [("day", "not_in_future")]
    for day in ("0", "2025-02-30", "20250205"):  # a day is a calendar date as YYYY-MM-DD
        path = f"/v1/fhir/posyandu/{pid}/days/{day}"
        assert (await health.client.get(path, headers=health.opd)).status_code == 422, day
    unknown = await health.client.get(url("no-such-posyandu"), headers=health.opd)
    assert unknown.status_code == 422, unknown.text
    assert [e["rule"] for e in unknown.json()["errors"]] == ["unknown_posyandu"]
    # Refusals leave no audit row.
    async with health.app.state.db.sessions() as session:
        exports = (await session.execute(select(FhirExport.posyandu_id))).scalars().all()
    assert sorted(exports) == sorted([pid, elsewhere])


async def test_a_demo_posyandu_day_exports_as_a_valid_bundle(health: Health) -> None:
    """The demo's people (``generate_balita``) weighed as the demo weighs them
    (``monthly_measurements``), all on one day, through the service layer."""
    pid = await health.posyandu()
    children = generate_balita(
        [(pid, DESA)], seed=7, per_posyandu=20, end=TODAY, secret=health.settings.pseudonym_secret
    )
    rng = random.Random(7)
    items = [
        m.model_copy(update={"measured_on": DAY})
        for c in children
        if (m := monthly_measurements(c, DAY, rng)) is not None
    ]
    principal = Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,))
    async with health.app.state.db.sessions() as session:
        uow = UnitOfWork(session, Outbox(health.settings))
        await targets.insert_many(session, [c.target for c in children])
        results = await record_measurements(
            uow,
            principal,
            {"posyandu_id": pid, "desa_code": DESA},
            list(enumerate(items)),
            today=TODAY,
        )
        assert all(r.status == "created" for r in results)
        await uow.commit()
        stunted = (
            await session.execute(
                select(func.count()).where(Measurement.posyandu_id == pid, Measurement.haz < -2)
            )
        ).scalar_one()

    response = await health.client.get(url(pid), headers=health.opd)
    bundle = Bundle.model_validate_json(response.text)
    assert Bundle.model_validate_json(bundle.model_dump_json()) == bundle
    kinds = Counter(e.resource.get_resource_type() for e in bundle.entry or [])
    # Every child weighed and measured (weight and length/height), a Condition per stunted one.
    assert kinds == Counter(
        {"Patient": len(items), "Observation": 2 * len(items), "Condition": stunted}
    )
    assert 0 < stunted < len(items)
