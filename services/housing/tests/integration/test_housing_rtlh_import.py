"""An existing RTLH list imported from CSV over the real PostgreSQL and Kafka: the regional
form's words read as codes, a result per row naming the column, the aid of handled rows kept
for "already aided", the same file twice writing nothing new."""

from __future__ import annotations

import httpx
import pytest
from housing_testkit import MANGKURAWANG, Housing
from sqlmodel import select

from simpul_housing.models import HousingAid

pytestmark = pytest.mark.integration

HEADER = (
    "No_KK,nama_kk,rt,rw,jumlah_penghuni,status_rumah,status_tanah,tanggal_survei,pondasi,kolom,"
    "balok,rangka_atap,plafon,sloof,atap,kondisi_atap,dinding,kondisi_dinding,lantai,"
    "kondisi_lantai,jendela,ventilasi,luas_lantai,sumber_air_minum,jarak_sumber_air_tinja,"
    "kamar_mandi_jamban,kloset,pembuangan_tinja,sumber_listrik,jenis_kawasan,sts_penanganan,"
    "tahun_penanganan,nilai_bantuan,sumber_dana,kolom_lain"
)
# A poor house handled in 2025 (APBD II), a livable one not handled, then rows that break rules.
HANDLED = (
    "6402061234560001,Rahmat,7,2,6,MILIK SENDIRI,TANAH ILEGAL,14/08/2025,BATU BELAH,KAYU,KAYU,"
    "KAYU,TIDAK ADA,TIDAK ADA,SENG,KURANG LAYAK,KAYU,AGAK LAYAK,TANAH,TIDAK LAYAK,ADA,TIDAK ADA,"
    '"36,5",SUMUR,< 10 m,SENDIRI,CEMPLUNG-CUBLUK,LUBANG TANAH,PLN METERAN,STUNTING; 3T,Y,2025,'
    '"Rp 17.500.000",APBD II,x'
)
LIVABLE = (
    "6402061234560002,Siti,3,1,4,KONTRAK-SEWA,MILIK SENDIRI,2025-08-14,BATAKO,BETON,BETON,"
    "BAJA RINGAN,GYPSUM,ADA,GENTENG,LAYAK,TEMBOK,LAYAK,KERAMIK,LAYAK,ADA,ADA,60,PERPIPAAN,,"
    "SENDIRI,LEHER ANGSA,TANGKI SEPTIK,PLN METERAN,,T,,,,"
)
BAD_CODE = LIVABLE.replace("6402061234560002", "6402061234560003").replace("KERAMIK", "MARMER")
NO_DISTANCE = LIVABLE.replace("6402061234560002", "6402061234560004").replace(
    "PERPIPAAN", "SUMUR BOR"
)
NO_YEAR = LIVABLE.replace("6402061234560002", "6402061234560005").replace(",T,,,,", ",Y,,,APBN,")


async def send(
    housing: Housing, posyandu: str, *rows: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await housing.client.post(
        "/v1/rtlh-imports",
        params={"posyandu_id": posyandu},
        content="\n".join([HEADER, *rows]).encode(),
        headers={**(headers or housing.kader), "Content-Type": "text/csv"},
    )


def errors_of(row: dict[str, object]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in row["errors"]]  # type: ignore[attr-defined,index]


async def aids(housing: Housing) -> list[HousingAid]:
    async with housing.app.state.db.sessions() as session:
        return list((await session.exec(select(HousingAid))).all())


async def test_a_list_is_imported_row_by_row_and_again_writes_nothing(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    rows = (HANDLED, LIVABLE, BAD_CODE, NO_DISTANCE, NO_YEAR)
    first = await send(housing, posyandu, *rows)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["created"], body["unchanged"], body["error"], body["aid_recorded"]) == (2, 0, 3, 1)
    result = body["rows"]
    assert [r["row"] for r in result] == [2, 3, 4, 5, 6]
    assert [r["outcome"] for r in result] == ["created", "created", "error", "error", "error"]
    poor = result[0]
    assert poor["rtlh_pupr"] is True and poor["rtlh_rutilahu"] is True
    assert {"jarak_sumber_air", "sanitasi", "kondisi_atap"} <= set(poor["failed_pupr"])
    assert poor["aid"] == "recorded" and result[1]["aid"] is None
    assert errors_of(result[2]) == [("lantai", "unknown_code")]
    assert errors_of(result[3]) == [("jarak_sumber_air_tinja", "distance_required")]
    assert errors_of(result[4]) == [("tahun_penanganan", "required")]

    house = (await housing.client.get(f"/v1/houses/{poor['house_id']}", headers=housing.opd)).json()
    assert (house["rt"], house["rw"], house["land_status"]) == ("007", "002", "tanah_ilegal")
    assert house["households"][0]["head_name"] == "Rahmat"
    surveys = await housing.client.get(
        f"/v1/houses/{poor['house_id']}/assessments", headers=housing.opd
    )
    survey = surveys.json()[0]
    assert (survey["floor_area_m2"], survey["water_to_faeces_m"]) == (36.5, 5.0)
    assert (survey["toilet_type"], survey["water_source"]) == (
        "cemplung_cubluk",
        "sumur_terlindung",
    )
    assert survey["kawasan"] == ["stunting", "3t"] and survey["surveyed_on"] == "2025-08-14"
    [aid] = await aids(housing)
    assert (aid.house_id, aid.household_ref) == (
        poor["house_id"],
        housing.household_ref(HANDLED[:16]),
    )
    assert (aid.program, aid.amount, aid.year, aid.source) == (
        "apbd_ii",
        17_500_000,
        2025,
        "import",
    )
    assert aid.recorded_by == "kader-rapak"

    again = (await send(housing, posyandu, *rows)).json()
    assert (again["created"], again["unchanged"], again["error"], again["aid_recorded"]) == (
        0,
        2,
        3,
        0,
    )
    assert again["rows"][0]["aid"] == "already_recorded"
    assert [r["house_id"] for r in again["rows"][:2]] == [r["house_id"] for r in result[:2]]
    assert len(await aids(housing)) == 1
    assert len((await housing.client.get("/v1/houses", headers=housing.opd)).json()) == 2

    # Two surveys recorded, none by the second import: a later survey is the third event.
    later = LIVABLE.replace("2025-08-14", "2025-09-01")
    assert (await send(housing, posyandu, later)).json()["assessed"] == 1
    events = await housing.events(3, "housing.house.assessed.v1")
    assert len(events) == 3
    assert events[0].data["household_refs"] == [housing.household_ref(HANDLED[:16])]
    text = str([e.data for e in events])
    assert HANDLED[:16] not in text and "Rahmat" not in text


async def test_the_template_is_a_file_the_import_takes(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    template = await housing.client.get("/v1/rtlh-imports/template", headers=housing.kader)
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    header, example = template.text.splitlines()
    assert header.startswith("no_kk,nama_kk,") and example.startswith("6402061234560001,")
    imported = await housing.client.post(
        "/v1/rtlh-imports",
        params={"posyandu_id": posyandu},
        content=template.text.encode(),
        headers={**housing.kader, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == imported.json()["aid_recorded"] == 1
    refused = await housing.client.get("/v1/rtlh-imports/template", headers=housing.dpmd)
    assert refused.status_code == 403


async def test_a_file_that_cannot_be_read_or_a_posyandu_outside_the_wilayah_is_refused(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    missing = await housing.client.post(
        "/v1/rtlh-imports",
        params={"posyandu_id": posyandu},
        content=HEADER.replace("luas_lantai,", "").encode(),
        headers={**housing.kader, "Content-Type": "text/csv"},
    )
    assert missing.status_code == 422
    problem = missing.json()
    assert problem["errors"][0]["rule"] == "csv_missing_column"
    assert (problem["line"], problem["column"]) == (1, "luas_lantai")

    elsewhere = await housing.known_posyandu(MANGKURAWANG)
    outside = await send(housing, elsewhere, LIVABLE)
    assert outside.status_code == 403
    assert (await housing.client.get("/v1/houses", headers=housing.opd)).json() == []
