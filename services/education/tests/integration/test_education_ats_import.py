"""A Dapodik-style ATS list imported from CSV over the real database and broker: a result per
row (opened, already open, or an error naming the column and rule), children registered by
the registration rules, nothing new on a retry, and a malformed file refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from education_testkit import MANGKURAWANG, Education

from simpul_platform.testing.kafka_reader import read_topic

pytestmark = pytest.mark.integration
IMPORT = "/v1/ats-case-imports"
HEADER = "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kategori,jenjang_terakhir,kelas_terakhir"
KK = "6402061234560009"


async def history_of(education: Education, child_id: str) -> list[tuple[str, str, str]]:
    """A child's status history as (status, date, source), oldest first."""
    got = await education.client.get(f"/v1/children/{child_id}", headers=education.opd)
    assert got.status_code == 200, got.text
    return [(h["status"], h["on"], h["source"]) for h in got.json()["history"]]


async def upload(
    education: Education, posyandu_id: str, text: str, headers: dict[str, str] | None = None
) -> Any:
    return await education.client.post(
        IMPORT,
        content=text.encode(),
        params={"posyandu_id": posyandu_id, "detected_on": "2026-03-02"},
        headers={**(headers or education.kader), "Content-Type": "text/csv"},
    )


async def test_good_and_bad_rows_each_get_a_result_and_a_retry_opens_nothing(
    education: Education,
) -> None:
    posyandu_id = await education.known_posyandu()
    known = await education.child(posyandu_id, "6402061511120004")  # L, 2012-11-15
    schooled = await education.child(posyandu_id, "6402060303110005")  # L, 2011-03-03
    school = {"status": "smp", "kelas": 8, "source": "school", "on": "2025-07-14"}
    recorded = await education.client.post(
        f"/v1/children/{schooled['id']}/status", json=school, headers=education.opd
    )
    assert recorded.status_code == 201
    gone = await education.child(posyandu_id, "6402066107140008")  # P, 2014-07-21
    left = {"status": "out_of_school", "source": "kader_census", "on": "2026-02-02"}
    recorded = await education.client.post(
        f"/v1/children/{gone['id']}/status", json=left, headers=education.opd
    )
    assert recorded.status_code == 201
    by_kader = recorded.json()["ats_case_id"]  # the kader's finding opened a case by itself
    lines = [
        HEADER,
        f"6402061005140001,{KK},Budi,2014-05-10,L,DO,SD,4",  # 2 new child: opened
        f"6402061511120004,{KK},Joko,2012-11-15,L,ltm,sd,6",  # 3 known child: opened
        f"6402066008130002,{KK},Siti,2013-08-21,P,BPB,,",  # 4 birth date ≠ NIK's
        f"6402060106200003,{KK},Kecil,2020-06-01,L,BPB,,",  # 5 aged 5
        f"6402066107150006,{KK},Ani,2015-07-21,P,BPB,SD,",  # 6 BPB with a jenjang
        f"6402060303110005,{KK},Rudi,2011-03-03,L,BPB,,",  # 7 BPB, but was at SMP
        f"6402064404140007,{KK},Dewi,2014-04-04,P,XX,,",  # 8 unknown kategori
        f"64020610051400,{KK},Salah,2014-05-10,L,DO,,",  # 9 a NIK too short
        f"6402061005140001,{KK},Budi,2014-05-10,L,DO,SD,4",  # 10 the same child again
        f"6402066107140008,{KK},Sari,2014-07-21,P,DO,SD,3",  # 11 known, the kader's case open
    ]
    first = await upload(education, posyandu_id, "\n".join(lines) + "\n")
    assert first.status_code == 200, first.text
    body = first.json()
    by_row = {r["row"]: r for r in body["rows"]}
    assert (body["opened"], body["already_open"], body["error"]) == (2, 2, 6)
    assert by_row[2]["outcome"] == "opened" and by_row[2]["child_registered"]
    assert by_row[3]["outcome"] == "opened" and by_row[3]["child_id"] == known["id"]
    assert not by_row[3]["child_registered"]
    assert by_row[10]["outcome"] == "already_open" and by_row[10]["case_id"] == by_row[2]["case_id"]
    assert (by_row[11]["outcome"], by_row[11]["case_id"]) == ("already_open", by_kader)
    errors = {
        n: (r["errors"][0]["field"], r["errors"][0]["rule"])
        for n, r in by_row.items()
        if r["errors"]
    }
    assert errors == {
        4: ("tanggal_lahir", "nik_birth_date_mismatch"),
        5: ("tanggal_lahir", "ats_age"),
        6: ("jenjang_terakhir", "not_applicable"),
        7: ("kategori", "bpb_but_enrolled_before"),
        8: ("kategori", "unknown_code"),
        9: ("nik", "format"),
    }
    case = await education.client.get(
        f"/v1/ats-cases/{by_row[2]['case_id']}", headers=education.opd
    )
    got = case.json()
    assert (got["status"], got["source"], got["category"]) == ("classified", "dapodik_match", "do")
    assert (got["last_jenjang"], got["last_kelas"], got["detected_on"]) == ("sd", 4, "2026-03-02")
    assert [h["action"] for h in got["history"]] == ["detect", "classify"]
    ltm = await education.client.get(f"/v1/ats-cases/{by_row[3]['case_id']}", headers=education.opd)
    assert ltm.json()["category"] == "ltm"
    # Each opened case says its child is out of school as of the detection, from Dapodik; a
    # child out of school already keeps the one row.
    dapodik = [("out_of_school", "2026-03-02", "dapodik_match")]
    assert await history_of(education, by_row[2]["child_id"]) == dapodik
    assert await history_of(education, known["id"]) == dapodik
    before = [("out_of_school", "2026-02-02", "kader_census")]
    assert await history_of(education, gone["id"]) == before

    again = await upload(education, posyandu_id, "\n".join(lines) + "\n")
    assert again.status_code == 200, again.text
    retry = again.json()
    assert (retry["opened"], retry["already_open"], retry["error"]) == (0, 4, 6)
    assert {r["case_id"] for r in retry["rows"] if r["outcome"] == "already_open"} == {
        by_row[2]["case_id"],
        by_row[3]["case_id"],
        by_row[11]["case_id"],
    }
    assert await history_of(education, known["id"]) == dapodik  # no second row on a retry
    listed = await education.client.get("/v1/ats-cases", headers=education.opd)
    assert len(listed.json()) == 3
    topic = education.settings.topic("simpul.education.v1")
    # 3 children registered, 2 statuses and the kader's case before; then 1 registered,
    # 2 statuses, 2 cases opened
    records = await read_topic(education.settings.kafka_bootstrap_servers, topic, expected=11)
    types = [dict(r.headers).get("ce_type") for r in records]
    assert types.count(b"education.ats.opened.v1") == 3
    assert types.count(b"education.child.status_changed.v1") == 4
    assert all(b"6402061005140001" not in r.value and b"Budi" not in r.value for r in records)


async def test_a_malformed_file_is_refused_whole_naming_the_column(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    no_birth = HEADER.replace(",tanggal_lahir", "")
    refused = await upload(education, posyandu_id, no_birth + "\n6402061005140001,1,2,L,DO,SD,4\n")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["column"] == "tanggal_lahir"
    assert problem["errors"][0]["field"] == "body.tanggal_lahir"
    assert problem["errors"][0]["rule"] == "csv_missing_column"
    row = f"6402061005140001,{KK},Budi,2014-05-10,L,DO,SD,4"
    many = await upload(education, posyandu_id, "\n".join([HEADER, *[row] * 1001]))
    assert many.status_code == 422 and many.json()["errors"][0]["rule"] == "too_many_rows"
    extra = await upload(education, posyandu_id, f"{HEADER}\n{row},x,y\n")
    assert extra.status_code == 422 and extra.json()["errors"][0]["rule"] == "csv_extra_fields"
    quote = await upload(education, posyandu_id, f'{HEADER}\n"6402061005140001,{KK}\n')
    assert quote.status_code == 422 and quote.json()["line"] == 2
    elsewhere = education.auth(["kader:education"], [MANGKURAWANG], sub="kader-mangkurawang")
    outside = await upload(education, posyandu_id, f"{HEADER}\n{row}\n", headers=elsewhere)
    assert outside.status_code == 403
    listed = await education.client.get("/v1/ats-cases", headers=education.opd)
    assert listed.json() == []  # nothing of a refused file stays
