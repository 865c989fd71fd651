"""Infrastructure issues from referrals and their photos over the real PostgreSQL and Kafka:
an ``infrastructure_issue`` referral is accepted with the issue reported for it and resolved by
its end (issue_resolved / issue_declined), a mismatched one refused; photos are stored without
their location metadata, the same image once, and never on the wire."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from public_works_testkit import (
    RAPAK_LAMBUR,
    Producers,
    PublicWorks,
    desa_headers,
    issue_step,
    report_issue,
    start_public_works,
)

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.images import GPS_LATITUDE, jpeg
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
MAX_BYTES = 50_000


@pytest.fixture
async def with_photos(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers, tmp_path: Path
) -> AsyncIterator[PublicWorks]:
    async with start_public_works(
        make_settings,
        postgres_url,
        producers,
        photo_dir=str(tmp_path / "photos"),
        photo_max_bytes=MAX_BYTES,
    ) as service:
        yield service


def stored_files(pw: PublicWorks) -> list[Path]:
    root = Path(pw.settings.photo_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def referred(pw: PublicWorks, posyandu: str, **details: Any) -> dict[str, Any]:
    """An infrastructure issue a health kader referred to public works, once received."""
    view = next(v for v in requested_views("public_works") if v.event_type.startswith("health."))
    request = view(
        referral_id=new_id(),
        source_field="health",
        target_field="public_works",
        posyandu_id=posyandu,
        desa_code=RAPAK_LAMBUR,
        reason_code="infrastructure_issue",
        details=details,
        household_ref=pw.household_ref("6402061234560001"),
        requested_on=date(2026, 2, 27),
    )
    await pw.producers.health.send(request)
    return await referral(pw, request.referral_id, "requested")


async def referral(pw: PublicWorks, referral_id: str, status: str) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        got = await pw.client.get(f"/v1/referrals/{referral_id}", headers=pw.kader)
        body: dict[str, Any] = got.json()
        return body if got.status_code == 200 and body["status"] == status else None

    found: dict[str, Any] = await eventually(read)
    return found


async def test_a_referral_is_accepted_with_its_issue_and_resolved_by_its_end(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    asked = await referred(pw, posyandu, kind="jalan_desa")
    wrong_kind = await report_issue(pw, posyandu, kind="embung", referral_id=asked["id"])
    assert [(e["field"], e["rule"]) for e in wrong_kind.json()["errors"]] == [
        ("body.kind", "referral_mismatch")
    ]
    unknown = await report_issue(pw, posyandu, referral_id=new_id())
    assert unknown.json()["errors"][0]["rule"] == "unknown_referral"

    issue = (await report_issue(pw, posyandu, referral_id=asked["id"])).json()
    assert (issue["source"], issue["referral_id"]) == ("referral", asked["id"])
    accepted = await referral(pw, asked["id"], "accepted")
    assert (accepted["case_ref"], accepted["accepted_on"]) == (issue["id"], "2026-03-02")
    again = await report_issue(pw, posyandu, referral_id=asked["id"], latitude=-0.43)
    assert again.status_code == 409 and again.json()["case_ref"] == issue["id"]

    desa = desa_headers(pw)
    await issue_step(pw, issue["id"], "triage", desa, handled_by="apbdes")
    await issue_step(pw, issue["id"], "schedule", desa, budget_year=2026, funding_source="apbdes")
    await issue_step(pw, issue["id"], "complete")
    resolved = await referral(pw, asked["id"], "resolved")
    assert resolved["outcome_code"] == "issue_resolved"


async def test_a_declined_issue_resolves_its_referral_and_its_duplicates(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    first = (await report_issue(pw, posyandu)).json()
    asked = await referred(pw, posyandu)  # no kind named: any kind is the referral's
    copy = (await report_issue(pw, posyandu, referral_id=asked["id"], latitude=-0.4205)).json()
    assert copy["duplicate_of"] == first["id"]
    await referral(pw, asked["id"], "accepted")
    await issue_step(pw, first["id"], "decline", reason="not_public_asset")
    resolved = await referral(pw, asked["id"], "resolved")
    assert (resolved["outcome_code"], resolved["case_ref"]) == ("issue_declined", copy["id"])


async def test_photos_of_an_issue_lose_their_location_and_stay_off_the_wire(
    with_photos: PublicWorks,
) -> None:
    pw = with_photos
    issue = (await report_issue(pw, await pw.known_posyandu())).json()
    url = f"/v1/infrastructure-issues/{issue['id']}/photos"
    original = jpeg(64, 48, gps=True)
    sent = await pw.client.post(
        url, content=original, headers={**pw.kader, "Content-Type": "image/jpeg"}
    )
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/jpeg", 64, 48)
    assert photo["url"] == f"/v1/issue-photos/{photo['id']}" and "storage_key" not in photo
    [file] = stored_files(pw)
    kept = file.read_bytes()
    assert GPS_LATITUDE not in kept and b"Exif" not in kept and len(kept) < len(original)
    assert "issues" in file.parts

    same = await pw.client.post(
        url, content=original, headers={**pw.kader, "Content-Type": "image/jpeg"}
    )
    assert (same.status_code, same.json()["id"]) == (200, photo["id"])
    served = await pw.client.get(photo["url"], headers=desa_headers(pw))
    assert served.status_code == 200 and served.content == kept
    listed = await pw.client.get(url, headers=pw.opd)
    assert [p["id"] for p in listed.json()] == [photo["id"]]
    aggregate = pw.auth(["dpmd"], ["64.02"])
    assert (await pw.client.get(photo["url"], headers=aggregate)).status_code == 403

    too_large = await pw.client.post(
        url,
        content=jpeg(64, 48, trailing=b"x" * MAX_BYTES),
        headers={**pw.kader, "Content-Type": "image/jpeg"},
    )
    assert too_large.status_code == 413
    not_image = await pw.client.post(
        url, content=b"hello", headers={**pw.kader, "Content-Type": "image/jpeg"}
    )
    assert not_image.status_code == 422

    removed = await pw.client.delete(photo["url"], headers=pw.opd)
    assert removed.status_code == 204
    assert not stored_files(pw)
    [reported] = await pw.events(1)
    assert "photo" not in str(reported.data)
