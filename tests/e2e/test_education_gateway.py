"""Education live in DPMD's views: registry, health, education, social and the gateway as real
uvicorn processes on the real broker and PostgreSQL, seeded only through their REST APIs.
Education's replica learns the posyandu from the registry's events on Kafka; the gateway reads
education at the URL the stack gives it.

The data: two posyandu in Tenggarong, their children registered and given statuses by
Dinas Pendidikan. At Mawar (desa Rapak Lambur) one of three children aged 5–6 is in PAUD and
one of three aged 7–18 is out of school (in SMP a year ago); at Melati the one child of 5 is in
PAUD and nobody 7–18 is out of school (one follows Paket C). Health refers Mawar's
out-of-school child to education (``ats_suspected``). Her out-of-school status opened her ATS
case by itself; Dinas Pendidikan opens one for the 9-year-old through education's API; the
profile lists both with their due dates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, post_created

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

MAWAR_DESA, MELATI_DESA = "64.02.06.2012", "64.02.06.1002"
TENGGARONG = "64.02.06"
TODAY = date.today()
PERIOD = TODAY.strftime("%Y-%m")
A_YEAR_AGO = TODAY - timedelta(days=365)
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


def bearer(roles: list[str], wilayah: list[str], sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, wilayah)}"}


DPMD = bearer(["dpmd"], ["64.02"], "dpmd-kukar")
OPD_EDUCATION = bearer(["opd:education"], ["64.02"], "disdik-kukar")
OPD_HEALTH = bearer(["opd:health"], ["64.02"], "dinkes-kukar")

# (posyandu, age in years, sex, statuses as (on, status, kelas)), oldest status first.
SCHOOL: dict[str, Any] = {"unit_name": "SDN 001 Tenggarong", "source": "school"}
CHILDREN: list[tuple[str, int, str, list[tuple[date, str, int | None]]]] = [
    ("Mawar", 5, "P", [(TODAY, "paud", None)]),
    ("Mawar", 6, "L", [(TODAY, "not_school_age", None)]),
    ("Mawar", 6, "P", [(TODAY, "sd", 1)]),
    ("Mawar", 9, "L", [(TODAY, "sd", 3)]),
    ("Mawar", 14, "P", [(A_YEAR_AGO, "smp", 8), (TODAY, "out_of_school", None)]),
    ("Mawar", 17, "L", [(TODAY, "sma", 11)]),
    ("Melati", 5, "L", [(TODAY, "paud", None)]),
    ("Melati", 10, "P", [(TODAY, "sd", 4)]),
    ("Melati", 16, "L", [(TODAY, "paket_c", None)]),
]
ATS_AGE = 14


def born(age: int) -> date:
    """A birth date ``age`` whole years (and some weeks) before today."""
    return date(TODAY.year - age, TODAY.month, 1) - timedelta(days=40)


def nik(birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"640206{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def status_body(on: date, status: str, kelas: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "on": on.isoformat(), "source": "kader_census"}
    if kelas is not None:
        body |= {**SCHOOL, "kelas": kelas}
    elif status in ("paud", "paket_c"):
        body["unit_name"] = "PAUD Mawar" if status == "paud" else "PKBM Tenggarong"
    return body


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "education", "social", "gateway"],
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> AsyncIterator[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu = {}
        for name, desa in (("Mawar", MAWAR_DESA), ("Melati", MELATI_DESA)):
            created = await post_created(
                client,
                f"{stack.url('registry')}/v1/posyandu",
                {"name": f"Posyandu {name}", "desa_code": desa, "fields": ["health", "education"]},
                DPMD,
            )
            posyandu[name] = created["id"]
        children: dict[str, dict[str, Any]] = {}
        detected: dict[str, str] = {}  # the ATS cases statuses opened, by child id
        for serial, (where, age, sex, statuses) in enumerate(CHILDREN, start=1):
            birth = born(age)
            child = await post_created(
                client,
                f"{stack.url('education')}/v1/children",
                {
                    "nik": nik(birth, sex, serial),
                    "kk": f"64020601012000{serial:02d}",
                    "name": f"Anak {serial}",
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "posyandu_id": posyandu[where],
                },
                OPD_EDUCATION,
            )
            for on, status, kelas in statuses:
                recorded = await post_created(
                    client,
                    f"{stack.url('education')}/v1/children/{child['id']}/status",
                    status_body(on, status, kelas),
                    OPD_EDUCATION,
                )
                if recorded["ats_case_id"] is not None:
                    detected[child["id"]] = recorded["ats_case_id"]
            children[nik(birth, sex, serial)] = child
        serial = next(i for i, c in enumerate(CHILDREN, start=1) if c[1] == ATS_AGE)
        _, age, sex, _ = CHILDREN[serial - 1]
        referral = await post_created(
            client,
            f"{stack.url('health')}/v1/referrals",
            {
                "target_field": "education",
                "posyandu_id": posyandu["Mawar"],
                "reason_code": "ats_suspected",
                "nik": nik(born(age), sex, serial),
                "details": {"age_years": age},
            },
            OPD_HEALTH,
        )

        async def arrived() -> dict[str, Any] | None:
            response = await client.get(
                f"{stack.url('education')}/v1/referrals/{referral['id']}", headers=OPD_EDUCATION
            )
            return response.json() if response.status_code == 200 else None

        await eventually(arrived)
        yield {
            "posyandu": posyandu,
            "children": children,
            "referral": referral,
            "detected": detected,
        }


async def get(stack: Stack, service: str, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{stack.url(service)}{path}", params=params, headers=DPMD)


def by_field(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {section["field"]: section for section in sections}


async def test_profile_shows_educations_children_by_status(stack, seeded):
    mawar = seeded["posyandu"]["Mawar"]
    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    education = by_field(response.json()["fields"])["education"]
    assert education["status"] == "ok", education
    own = await get(stack, "education", "/v1/summary", posyandu_id=mawar, period=PERIOD)
    assert education["data"] == own.json()
    assert education["data"]["children"] == 6
    counts = {k: n for k, n in education["data"]["by_status"].items() if n}
    assert counts == {"paud": 1, "not_school_age": 1, "sd": 2, "sma": 1, "out_of_school": 1}


async def test_scorecard_shows_educations_indicators_with_hand_counted_figures(stack, seeded):
    response = await get(stack, "gateway", "/v1/scorecard", wilayah="64.02", period=PERIOD)
    assert response.status_code == 200, response.text
    rows = [row for row in response.json()["rows"] if row["field"] == "education"]
    assert {row["status"] for row in rows} == {"ok"}
    own = await get(stack, "education", "/v1/indicators", wilayah="64.02", period=PERIOD)
    assert [row["indicator"] for row in rows] == own.json()
    figures = {
        row["indicator"]["code"]: (row["indicator"]["numerator"], row["indicator"]["denominator"])
        for row in rows
    }
    # PAUD 5–6: Mawar's 5-year-old and Melati's, of four children 5–6 (a 6-year-old in SD
    # and one at home are not). Dasar 7–15: the 9- and 10-year-olds in SD, not the 14-year-old
    # out of school.
    assert figures["education.paud_5_6"] == (2, 4)
    assert figures["education.dasar_7_15"] == (2, 3)


async def test_referral_views_include_education(stack, seeded):
    referral = seeded["referral"]
    overview = await get(stack, "gateway", "/v1/referrals", wilayah="64.02")
    assert overview.status_code == 200, overview.text
    body = overview.json()
    education = next(row for row in body["by_field"] if row["field"] == "education")
    assert education["status"] == "ok"
    assert (education["counts"]["total"], education["counts"]["open"]) == (1, 1)
    assert education["by_source_field"]["health"]["total"] == 1
    assert body["complete"] is True

    mawar = seeded["posyandu"]["Mawar"]
    profile = (await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile")).json()
    statuses = {row["field"]: row["status"] for row in profile["referrals_status"]}
    assert statuses["education"] == "ok"
    (shown,) = [r for r in profile["referrals"] if r["id"] == referral["id"]]
    assert (shown["target_field"], shown["source_field"], shown["reason_code"]) == (
        "education",
        "health",
        "ats_suspected",
    )


async def test_loci_weigh_education(stack, seeded):
    """Against education's ``/v1/summary/by-desa`` contract: per desa, children 5–6 and those
    in PAUD, children 7–18 and those out of school."""
    response = await get(stack, "gateway", "/v1/priority-loci", wilayah=TENGGARONG, period=PERIOD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert by_field(body["fields"])["education"]["status"] == "ok", body["fields"]
    assert {"paud_gap_5_6", "out_of_school_7_18"} <= set(body["weights"])
    loci = {locus["code"]: locus for locus in body["loci"]}

    def education_parts(desa: str) -> dict[str, tuple[Any, ...]]:
        return {
            c["name"]: (c["percent"], c["numerator"], c["denominator"])
            for c in loci[desa]["components"]
            if c["field"] == "education"
        }

    assert education_parts(MAWAR_DESA) == {
        "paud_gap_5_6": (66.67, 2, 3),
        "out_of_school_7_18": (33.33, 1, 3),
    }
    assert education_parts(MELATI_DESA) == {
        "paud_gap_5_6": (0.0, 0, 1),
        "out_of_school_7_18": (0.0, 0, 2),
    }
    codes = [locus["code"] for locus in body["loci"]]
    assert codes.index(MAWAR_DESA) < codes.index(MELATI_DESA)
    schooling_only = await get(
        stack,
        "gateway",
        "/v1/priority-loci",
        wilayah=TENGGARONG,
        period=PERIOD,
        weight_stunting=0,
        weight_poverty=0,
        weight_paud_gap=0,
        weight_out_of_school=1,
    )
    scores = {locus["code"]: locus["score"] for locus in schooling_only.json()["loci"]}
    assert (scores[MAWAR_DESA], scores[MELATI_DESA]) == (33.33, 0.0)


def mawar_child(seeded: dict[str, Any], age: int) -> dict[str, Any]:
    serial, (_, _, sex, _) = next(
        (i, c) for i, c in enumerate(CHILDREN, start=1) if c[0] == "Mawar" and c[1] == age
    )
    child: dict[str, Any] = seeded["children"][nik(born(age), sex, serial)]
    return child


async def test_profile_lists_educations_open_ats_cases_with_their_due_dates(stack, seeded):
    """The 14-year-old's case opened by itself with her out-of-school status (the only one the
    seeding opened); the 9-year-old's is opened by hand, detected 60 days ago. Neither changes
    a count the other tests read: the 9-year-old's status (SD today) is newer than the
    case's detection."""
    mawar = seeded["posyandu"]["Mawar"]
    fourteen = mawar_child(seeded, ATS_AGE)["id"]
    assert set(seeded["detected"]) == {fourteen}
    async with httpx.AsyncClient(timeout=30) as client:
        education = stack.url("education")
        got = await client.get(
            f"{education}/v1/ats-cases/{seeded['detected'][fourteen]}", headers=OPD_EDUCATION
        )
        assert got.status_code == 200, got.text
        fresh = got.json()
        body = {
            "child_id": mawar_child(seeded, 9)["id"],
            "source": "kader_census",
            "detected_on": (TODAY - timedelta(days=60)).isoformat(),
        }
        late = await post_created(client, f"{education}/v1/ats-cases", body, OPD_EDUCATION)
    assert (fresh["source"], fresh["detected_on"]) == ("kader_census", TODAY.isoformat())
    assert (fresh["overdue"], late["overdue"]) == (False, True)  # 60 days: past 10 working days

    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    profile = response.json()
    shown = [case for case in profile["open_cases"] if case["field"] == "education"]
    assert shown == [  # the earliest due first
        {
            "field": "education",
            "case_id": case["id"],
            "kind": "ats_case",
            "status": "detected",
            "due_on": case["verify_due_on"],
            "overdue": date.fromisoformat(case["verify_due_on"]) < TODAY,
        }
        for case in (late, fresh)
    ]
    ats = by_field(profile["fields"])["education"]["data"]["ats_cases"]
    assert (ats["open"], ats["overdue"], ats["by_status"]["detected"]) == (2, 1, 2)
    assert "Anak" not in str(profile["open_cases"]) and "Anak" not in str(ats)
    histories = []
    async with httpx.AsyncClient(timeout=30) as client:
        for case in (fresh, late):
            url = f"{stack.url('education')}/v1/children/{case['child_id']}"
            histories.append((await client.get(url, headers=OPD_EDUCATION)).json()["history"])
    assert [[h["status"] for h in history] for history in histories] == [
        ["smp", "out_of_school"],  # no second out_of_school row
        ["sd"],  # the SD status dated after the detection stays the latest
    ]


async def test_an_economic_cause_reaches_social_as_a_bansos_referral(stack, seeded):
    """The desa verifies the 14-year-old's case with an economic problem: social receives a
    bansos referral about the household (No. KK only, no name), and DPMD sees it in the
    referral overview as education's, waiting on social."""
    child = mawar_child(seeded, ATS_AGE)
    opd_social = bearer(["opd:social"], ["64.02"], "dinsos-kukar")
    async with httpx.AsyncClient(timeout=30) as client:
        education = stack.url("education")
        listed = await client.get(
            f"{education}/v1/ats-cases",
            params={"posyandu_id": seeded["posyandu"]["Mawar"], "status": "detected"},
            headers=OPD_EDUCATION,
        )
        (case,) = [c for c in listed.json() if c["child_id"] == child["id"]]
        for step, body in (
            ("classify", {"category": "do"}),
            ("verify", {"reason_code": "biaya", "problem_domain": "ekonomi"}),
        ):
            response = await client.post(
                f"{education}/v1/ats-cases/{case['id']}/{step}", json=body, headers=OPD_EDUCATION
            )
            assert response.status_code == 200, response.text
        verified = response.json()
        assert verified["status"] == "verified" and verified["social_referral_id"]

        async def at_social() -> dict[str, Any] | None:
            url = f"{stack.url('social')}/v1/referrals/{verified['social_referral_id']}"
            response = await client.get(url, headers=opd_social)
            return response.json() if response.status_code == 200 else None

        received = await eventually(at_social)
    assert (received["source_field"], received["target_field"]) == ("education", "social")
    assert (received["reason_code"], received["status"]) == ("bansos_need", "requested")
    assert received["household_ref"] == child["household_ref"]
    assert received["person_ref"] is None and "Anak" not in str(received)

    overview = (await get(stack, "gateway", "/v1/referrals", wilayah="64.02")).json()
    social = next(row for row in overview["by_field"] if row["field"] == "social")
    assert social["by_source_field"]["education"]["open"] == 1
