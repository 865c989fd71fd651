"""Photos of houses over the real PostgreSQL and Kafka: checked by content and size, stored
without location metadata in the photo store, the same image once, served only to housing
roles within their wilayah, and never on the wire."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, SEBULU, Housing, Producers, start_housing
from sqlalchemy import select

from simpul_housing.models import HousePhoto
from simpul_platform.images import clean_image
from simpul_platform.outbox import outbox_table
from simpul_platform.testing.images import GPS_LATITUDE, jpeg, png

pytestmark = pytest.mark.integration
MAX_BYTES = 50_000
TRACES = (b"Exif", GPS_LATITUDE, b"GPSLatitude", b"SimpulCam", b"Tenggarong")


@pytest.fixture
async def housing(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers, tmp_path: Path
) -> AsyncIterator[Housing]:
    photos = tmp_path / "photos"
    async with start_housing(
        make_settings, postgres_url, producers, photo_dir=str(photos), photo_max_bytes=MAX_BYTES
    ) as service:
        yield service


def stored_files(housing: Housing) -> list[Path]:
    root = Path(housing.settings.photo_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def upload(
    housing: Housing,
    house_id: str,
    data: bytes,
    headers: dict[str, str] | None = None,
    content_type: str = "image/jpeg",
    **params: str,
) -> Any:
    return await housing.client.post(
        f"/v1/houses/{house_id}/photos",
        content=data,
        params=params,
        headers={**(headers or housing.kader), "Content-Type": content_type},
    )


def problem(response: Any, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    return error["field"], error["rule"]


async def test_a_phone_jpeg_is_stored_without_its_location_and_served_to_housing_roles(
    housing: Housing,
) -> None:
    house = await housing.house(await housing.known_posyandu())
    original = jpeg(64, 48, gps=True, trailing=b"after the end")
    # Declared as another type: the content decides.
    sent = await upload(housing, house["id"], original, content_type="image/png")
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/jpeg", 64, 48)
    assert photo["uploaded_by"] == "kader-rapak" and photo["assessment_id"] is None
    assert photo["url"] == f"/v1/photos/{photo['id']}" and "storage_key" not in photo

    [file] = stored_files(housing)
    kept = file.read_bytes()
    assert not any(trace in kept for trace in TRACES)
    assert len(kept) == photo["bytes"] < len(original)
    parsed = clean_image(kept, max_side=100)  # still a well-formed JPEG, nothing left to strip
    assert (parsed.width, parsed.height, parsed.removed) == (64, 48, ())

    for headers in (housing.kader, housing.opd):
        served = await housing.client.get(photo["url"], headers=headers)
        assert served.status_code == 200, served.text
        assert served.content == kept and served.headers["content-type"] == "image/jpeg"
        assert served.headers["etag"] == f'"{photo["sha256"]}"'
        assert served.headers["cache-control"] == "private, no-store"
    listed = await housing.client.get(f"/v1/houses/{house['id']}/photos", headers=housing.opd)
    assert [p["id"] for p in listed.json()] == [photo["id"]]


async def test_the_same_image_again_is_the_same_photo(housing: Housing) -> None:
    house = await housing.house(await housing.known_posyandu())
    first = await upload(housing, house["id"], jpeg(gps=True))
    again = await upload(housing, house["id"], jpeg(gps=True), headers=housing.opd)
    stripped_copy = await upload(housing, house["id"], jpeg())  # the same picture, no Exif
    assert first.status_code == 201 and again.status_code == stripped_copy.status_code == 200
    assert first.json()["id"] == again.json()["id"] == stripped_copy.json()["id"]
    assert len(stored_files(housing)) == 1
    other = await upload(housing, house["id"], jpeg(24, 8))
    assert other.status_code == 201 and len(stored_files(housing)) == 2


async def test_a_png_of_a_survey_uploaded_as_a_form_loses_its_exif_and_text_chunks(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    house, neighbour = await housing.house(posyandu), await housing.house(posyandu, kks=())
    surveyed = await housing.client.post(
        f"/v1/houses/{house['id']}/assessments", json=LIVABLE_SURVEY, headers=housing.kader
    )
    survey_id = surveyed.json()["id"]
    original = png(30, 20, gps=True)
    sent = await housing.client.post(
        f"/v1/houses/{house['id']}/photos",
        params={"assessment_id": survey_id},
        files={"file": ("rumah.jpg", original, "image/jpeg")},
        headers=housing.kader,
    )
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/png", 30, 20)
    assert photo["assessment_id"] == survey_id
    served = (await housing.client.get(photo["url"], headers=housing.kader)).content
    assert not any(trace in served for trace in TRACES)
    assert b"eXIf" not in served and b"iTXt" not in served and b"tEXt" not in served
    assert clean_image(served, max_side=100).removed == ()

    elsewhere = await housing.client.post(
        f"/v1/houses/{neighbour['id']}/photos",
        params={"assessment_id": survey_id},
        files={"file": ("rumah.png", original, "image/png")},
        headers=housing.kader,
    )
    assert problem(elsewhere, 422) == ("query.assessment_id", "not_of_house")
    no_file = await housing.client.post(
        f"/v1/houses/{house['id']}/photos",
        files={"photo": ("rumah.png", original, "image/png")},
        headers=housing.kader,
    )
    assert problem(no_file, 422) == ("body.file", "missing")


async def test_not_an_image_a_broken_one_or_a_too_large_one_is_refused_and_not_stored(
    housing: Housing,
) -> None:
    house = await housing.house(await housing.known_posyandu())
    pdf = b"%PDF-1.7\n" + b"0" * 300
    assert problem(await upload(housing, house["id"], pdf), 422) == ("body", "not_an_image")
    broken = jpeg()[:-40]
    assert problem(await upload(housing, house["id"], broken), 422) == ("body", "malformed_image")
    huge = png(40_000, 1)  # compresses well: small in bytes, absurd in pixels
    assert problem(await upload(housing, house["id"], huge, content_type="image/png"), 422) == (
        "body",
        "image_dimensions",
    )
    too_large = jpeg(gps=True, trailing=b"\x00" * MAX_BYTES)
    refused = await upload(housing, house["id"], too_large)
    assert problem(refused, 413) == ("body", "max_bytes")
    as_form = await housing.client.post(
        f"/v1/houses/{house['id']}/photos",
        files={"file": ("rumah.jpg", too_large, "image/jpeg")},
        headers=housing.kader,
    )
    assert problem(as_form, 413) == ("body.file", "max_bytes")
    assert stored_files(housing) == []
    listed = await housing.client.get(f"/v1/houses/{house['id']}/photos", headers=housing.kader)
    assert listed.json() == []


async def test_photos_are_for_housing_roles_within_their_wilayah(housing: Housing) -> None:
    mine = await housing.house(await housing.known_posyandu())
    sebulu = await housing.known_posyandu(SEBULU)  # outside the kader's wilayah
    theirs = await housing.house(sebulu, kks=("6402071234560002",))
    photo = (await upload(housing, mine["id"], jpeg(), headers=housing.opd)).json()
    other = (await upload(housing, theirs["id"], jpeg(), headers=housing.opd)).json()

    for response in (
        await housing.client.get(photo["url"], headers=housing.dpmd),
        await housing.client.get(f"/v1/houses/{mine['id']}/photos", headers=housing.dpmd),
        await upload(housing, mine["id"], jpeg(8, 8), headers=housing.dpmd),
        await housing.client.delete(photo["url"], headers=housing.dpmd),
    ):
        assert response.status_code == 403, response.text
    for response in (
        await housing.client.get(other["url"], headers=housing.kader),
        await housing.client.get(f"/v1/houses/{theirs['id']}/photos", headers=housing.kader),
        await upload(housing, theirs["id"], jpeg(8, 8)),
        await housing.client.delete(other["url"], headers=housing.kader),
    ):
        assert response.status_code == 404, response.text
    assert len(stored_files(housing)) == 2


async def test_a_deleted_photo_is_gone_with_its_file(housing: Housing) -> None:
    house = await housing.house(await housing.known_posyandu())
    photo = (await upload(housing, house["id"], jpeg())).json()
    deleted = await housing.client.delete(photo["url"], headers=housing.kader)
    assert deleted.status_code == 204, deleted.text
    assert stored_files(housing) == []
    assert (await housing.client.get(photo["url"], headers=housing.kader)).status_code == 404
    async with housing.app.state.db.sessions() as session:
        assert (await session.execute(select(HousePhoto))).first() is None


async def test_photos_never_go_on_kafka(housing: Housing) -> None:
    house = await housing.house(await housing.known_posyandu())
    photo = (await upload(housing, house["id"], jpeg(gps=True))).json()
    surveyed = await housing.client.post(
        f"/v1/houses/{house['id']}/assessments", json=LIVABLE_SURVEY, headers=housing.kader
    )
    assert surveyed.status_code == 201, surveyed.text
    # The survey's event is on the topic after the upload: whatever the upload published
    # would be there before it.
    events = await housing.events(1, None)
    assert [e.type for e in events] == ["housing.house.assessed.v1"]
    async with housing.app.state.db.sessions() as session:
        query = select(outbox_table.c.event_type, outbox_table.c.data)
        staged = (await session.execute(query)).all()
    assert [t for t, _ in staged] == ["housing.house.assessed.v1"]
    wire = str([e.data for e in events]) + str(staged)
    for trace in (photo["id"], photo["sha256"], "photo", "image/"):
        assert trace not in wire
