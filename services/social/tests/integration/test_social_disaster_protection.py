"""Trantib's disasters and fires on Kafka → disaster protection cases in social, once per
(disaster or fire, household), also for 5,000 households; and the SPM sosial indicator
(jenis 5) against a hand count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from social_disaster_testkit import (
    CASES,
    Trantib,
    case_of,
    cases_of,
    opened_steps,
    runner,
    struck,
)
from social_testkit import (
    MANGKURAWANG,
    RAPAK_LAMBUR,
    SEBULU,
    TENGGARONG,
    Producers,
    Social,
    start_social,
)

from simpul_platform.clock import local_today
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------- exactly once


async def test_one_case_per_household_through_redelivery_restart_and_later_naming(
    make_settings: Any, postgres_url: str, producers: Producers, trantib: Trantib
) -> None:
    disaster, fire = new_id(), new_id()
    async with start_social(make_settings, postgres_url, producers) as social:
        secret = social.settings.pseudonym_secret
        posyandu_id = await social.known_posyandu()
        known = await social.household(posyandu_id, "6402061234560001")
        refs = [household_ref(secret, f"640206123456000{i}") for i in range(1, 5)]
        assert refs[0] == known["household_ref"]
        today = local_today(social.settings)
        first = await trantib.disaster(
            disaster, [struck(r, posyandu_id) for r in refs[:3]], assessed_on=today
        )
        await eventually(lambda: cases_of(social, 3))
        # The same event again, and the next part of the assessment naming a household again.
        await trantib.peer.redeliver(first)
        again = [struck(refs[0], posyandu_id, damage="rs"), struck(refs[3], posyandu_id)]
        await trantib.disaster(disaster, again, assessed_on=today)
        await eventually(lambda: cases_of(social, 4))
        await eventually(lambda: _at_least(runner(social).duplicates, 1))
    # While social is down: the first event once more, and a fire at the first household.
    await trantib.peer.redeliver(first)
    fire_day = today - timedelta(days=1)
    await trantib.fire(fire, RAPAK_LAMBUR, [struck(refs[0], posyandu_id)], fire_day)
    async with start_social(make_settings, postgres_url, producers) as social:
        cases = await eventually(lambda: cases_of(social, 5))
        await eventually(lambda: _at_least(runner(social).duplicates, 1))
        assert await opened_steps(social) == 5
    by_key = {(c.source_event_id, c.household_ref): c for c in cases}
    assert len(by_key) == 5
    named_again = by_key[(disaster, refs[0])]
    # The first naming stands, and the case is linked to the household social knows.
    assert named_again.damage == "rb" and named_again.opened_by_event == first.id
    assert named_again.household_id == known["id"]
    assert by_key[(disaster, refs[1])].household_id is None  # unknown to social: still a case
    assert (named_again.source, named_again.kind, named_again.status) == (
        "trantib_disaster",
        "banjir",
        "opened",
    )
    assert named_again.opened_on == today and named_again.occurred_on == today - timedelta(days=2)
    assert named_again.displaced and named_again.members == 4 and named_again.services == []
    burnt = by_key[(fire, refs[0])]
    assert (burnt.source, burnt.kind, burnt.opened_on) == ("trantib_fire", "kebakaran", fire_day)
    assert burnt.desa_code == RAPAK_LAMBUR and burnt.posyandu_id == posyandu_id


async def _at_least(value: int, least: int) -> bool:
    return value >= least


async def test_a_thousand_households_an_event_make_five_thousand_cases(
    social: Social, trantib: Trantib
) -> None:
    disaster = new_id()
    posyandu_id = new_id()  # the households' posyandu need not be known to social
    today = local_today(social.settings)
    for part in range(5):
        households = [struck(f"ref-{part}-{i:04d}", posyandu_id) for i in range(1000)]
        await trantib.disaster(disaster, households, assessed_on=today)
    cases = await eventually(lambda: cases_of(social, 5000), timeout=60)
    assert {c.source_event_id for c in cases} == {disaster}
    assert await opened_steps(social) == 5000


# --------------------------------------------------------------------------- the indicator


async def test_the_spm_indicator_equals_a_hand_count(social: Social, trantib: Trantib) -> None:
    posyandu_id = new_id()
    year = local_today(social.settings).year - 1  # a past year: every step date may be in it
    june, july = date(year, 6, 10), date(year, 7, 2)
    flood = new_id()
    flood_households = [
        struck("f-1", posyandu_id),
        struck("f-2", posyandu_id),
        struck("f-3", posyandu_id, MANGKURAWANG),
        struck("f-4", posyandu_id, SEBULU),
    ]
    await trantib.disaster(flood, flood_households, assessed_on=june)
    fire = new_id()
    await trantib.fire(fire, RAPAK_LAMBUR, [struck("x-1", posyandu_id)], july)
    await eventually(lambda: cases_of(social, 5))

    async def take(ref: str, source: str, action: str, body: dict[str, Any]) -> None:
        found = await case_of(social, source, ref)
        response = await social.client.post(
            f"{CASES}/{found}/{action}", json=body, headers=social.opd
        )
        assert response.status_code == 200, response.text

    emergency = {"services": ["permakanan"], "served_on": date(year, 6, 11).isoformat()}
    await take("f-1", flood, "serve-emergency", emergency)  # protected
    await take("f-2", flood, "serve-emergency", emergency)  # protected, then closed: still so
    await take("f-2", flood, "close", {"closed_on": date(year, 8, 1).isoformat()})
    await take("f-3", flood, "decline", {"reason": "refused"})  # not protected
    await take("f-4", flood, "serve-emergency", emergency)  # protected, in Sebulu
    await take("x-1", fire, "serve-emergency", {"services": ["sandang"]})  # the fire's, in July

    async def indicator(**params: str) -> tuple[int, int, float | None]:
        response = await social.client.get("/v1/indicators", params=params, headers=social.dpmd)
        assert response.status_code == 200, response.text
        [value] = [v for v in response.json() if v["code"] == "social.spm.korban_bencana"]
        return value["numerator"], value["denominator"], value["percent"]

    # Hand count: cases opened in the period (the flood's on 10 June, the fire's on 2 July).
    assert await indicator(wilayah="64.02", period=str(year)) == (4, 5, 80.0)
    assert await indicator(wilayah="64.02", period=f"{year}-06") == (3, 4, 75.0)
    assert await indicator(wilayah=TENGGARONG, period=f"{year}-06") == (2, 3, 66.67)
    assert await indicator(wilayah=RAPAK_LAMBUR, period=f"{year}-Q3") == (1, 1, 100.0)
    assert await indicator(wilayah="64.02", period=str(year + 1)) == (0, 0, None)
