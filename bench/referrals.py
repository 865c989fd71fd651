"""Referrals: a health kader's referral → social's incoming row, social's answer → health's
copy, every referral held once on each side at the end, and DPMD's overdue view through the
gateway.

registry, health, social and the gateway run under uvicorn on the real broker and PostgreSQL,
with the deployment's relay poll (0.1 s; the test stack's own is 0.05 s) and consumer
settings. ``--posyandu`` posyandu (8) in Kukar desa spread over its kecamatan, through the
registry's REST API, held by health's and social's replicas before anything is timed. A
warm-up of ``--clients`` referrals at a Samarinda posyandu (outside the view's wilayah) first
crosses the whole path, uncounted.

1. Request → target. ``--clients`` clients (8) send ``--referrals`` referrals (400; quick 60)
   as health kader (a token for each posyandu's desa): ``POST /v1/referrals`` on health,
   ``target_field`` social, ``reason_code`` dtsen_assessment, a distinct No. KK each (one open
   referral per need). Three in four are requested 30 days ago (overdue from the start), one
   in four today. Figures: POST latency, 201s per second, and each 201 → social's incoming row
   readable (health's outbox relay → ``health.referral.requested.v1`` → social's consumer
   ``social.referrals``).
2. The DPMD view, with all of them open in social: ``GET /v1/referrals?wilayah=64.02&status=
   overdue`` and the same ``&group=posyandu`` on the gateway, ``--views`` times each (50; quick
   20), one after another. Every answer is checked against the counts made here from what was
   sent: totals, social's row, health's (zero), each kecamatan's or posyandu's counts, and the
   overdue list.
3. Answer → source. The same number of clients, as social's OPD (``opd:social``), accept then
   resolve each referral (outcome ``assessed``); each resolve's 200 → health's copy resolved
   (social's relay → ``social.referral.resolved.v1`` → health's consumer ``health.referrals``).
4. Exactly once. Every referral is read back over REST on both sides (``GET /v1/referrals/
   {id}``): social's incoming row and health's copy resolved, each with exactly the three steps
   request, accept, resolve; and the tables hold no row beyond one per referral on each side.
   Redelivery itself is tested in ``tests/e2e/test_referrals.py``; here any loss or duplicate
   is a MISSED target. The view is asked once more: all resolved, the ones requested today in
   time.

Clocks. Latencies of calls are ``time.perf_counter()`` in the client. Lags use this machine's
wall clock (UTC) on both ends. Start = when the client received the 201 (or the resolve's 200).
End = the start of the first query on the receiving service's database that found the row
(incoming in social; the copy ``resolved`` in health): the row was committed before that
query began, and not when the one before it began, ``POLL_S`` earlier, so the figure overstates
by at most that interval. Such a row is what ``GET /v1/referrals/{id}`` answers. The row's own
timestamp (``created_at``, ``updated_at``), set by the consumer before the transaction of its
whole chunk (up to 200 records) commits, is shown as well: it understates. Where the lag
went: the event's outbox ``sent_at`` (set by the relay once the broker acknowledged its round,
before that round commits) splits it into the relay's part and the broker's and consumer's.
Health's and social's CPU (user + system, from ``/proc``) over each phase, per referral, is
shown too: far less sensitive to other load on the machine than wall-clock figures.

Targets, and why:
* POST p95 ≤ 200 ms: a kader sends it from a phone at the posyandu and waits for the answer;
  it is one insert, one history row and one outbox row.
* request → target and answer → source p95 ≤ 2 s: each crosses one relay (it polls its outbox
  every 0.1 s) and one consumer (a poll returns what has arrived, waiting at most 0.5 s; a
  chunk is one transaction); 2 s leaves room for a few rounds of both under load on 2 cores.
  Referrals are due in working days, so no one waits on seconds; more would mean a backlog.
* gateway view p95 ≤ 500 ms: DPMD's dashboard page; the gateway asks every field's summary
  (one grouped count and up to 200 overdue rows each) at once.
* No loss, no duplicate.

    uv run python -m bench.referrals [--quick] [--referrals 400] [--clients 8] [--posyandu 8]
                                     [--views 50]
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx

from bench.common import (
    DPMD,
    OPD_HEALTH,
    OPD_SOCIAL,
    Infra,
    Report,
    parser,
    quiet_kafka_logs,
)
from bench.referral_checks import (
    expected_view,
    held,
    views,
)
from bench.referral_steps import (
    FIELDS_THAT_ANSWER,
    PAST,
    RELAY_POLL_S,
    TARGET_LAG_P95_MS,
    TARGET_POST_P95_MS,
    TARGET_VIEW_P95_MS,
    Need,
    Run,
    answer,
    kk,
    new_posyandu,
    request,
    spread_desa,
    stats,
    warm_up,
)
from bench.seeding import wait_replicas
from simpul_platform.testing.stack import Stack


async def measure(
    stack: Stack, referrals: int, clients: int, posyandu: int, view_count: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients * 4, max_keepalive_connections=clients * 4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        desa = spread_desa(posyandu)
        places = [
            (await new_posyandu(client, stack, d, f"Posyandu Rujukan {n + 1}", DPMD), d)
            for n, d in enumerate(desa)
        ]
        await wait_replicas(stack, [p for p, _ in places], list(FIELDS_THAT_ANSWER))
        warmed = await warm_up(client, stack, clients)
        needs = [
            Need(*places[i % len(places)], kk(i + 1), PAST.isoformat() if i % 4 else None)
            for i in range(referrals)
        ]
        sent, by_need = await request(client, stack, needs, clients)
        kept = [need for need, rid in zip(needs, by_need, strict=True) if rid]
        ids = [rid for rid in by_need if rid]
        open_latencies, open_wrong, open_how = await views(
            client, stack, expected_view(kept, resolved=False), view_count
        )
        answered = await answer(client, stack, ids, clients, OPD_SOCIAL)
        _, after_wrong, after_how = await views(
            client, stack, expected_view(kept, resolved=True), 1
        )
        count = await held(
            client, stack, ids, warmed, clients, {"social": OPD_SOCIAL, "health": OPD_HEALTH}
        )
    return {
        "needs": needs,
        "sent": sent,
        "ids": ids,
        "views": open_latencies,
        "view_wrong": open_wrong + after_wrong,
        "view_how": open_how + after_how,
        "answered": answered,
        "held": count,
    }


def breakdown(report: Report, run: Run, relay_label: str, consume_label: str) -> None:
    """Where the lag went (relay, then broker and consumer), and the services' CPU."""
    relay, consume = (stats(part) for part in run.parts())
    for label, figures in ((relay_label, relay), (consume_label, consume)):
        report.figure(f"  of which {label} p50", figures["p50"], "ms")
        report.figure(f"  of which {label} p95", figures["p95"], "ms")
    for name, used in run.cpu_ms.items():
        report.figure(f"  {name} CPU per referral in this phase", used, "ms")


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--referrals", type=int, default=None, help="referrals sent (400; quick 60)")
    args.add_argument("--clients", type=int, default=8, help="concurrent clients")
    args.add_argument("--posyandu", type=int, default=8)
    args.add_argument(
        "--views", type=int, default=None, help="requests of each view (50; quick 20)"
    )
    options = args.parse_args()
    referrals = options.referrals or (60 if options.quick else 400)
    view_count = options.views or (20 if options.quick else 50)
    quiet_kafka_logs()
    report = Report("referrals")
    load_before = os.getloadavg()
    with Infra() as infra:
        stack = infra.stack(
            "registry", "health", "social", "gateway",
            extra_env={"SIMPUL_RELAY_POLL_INTERVAL_S": RELAY_POLL_S},
        )  # fmt: skip
        out = asyncio.run(measure(stack, referrals, options.clients, options.posyandu, view_count))
    load_after = os.getloadavg()
    needs, sent, answered, count = out["needs"], out["sent"], out["answered"], out["held"]
    ids = out["ids"]
    past = sum(need.overdue for need in needs)
    report.note(
        f"{referrals} referrals, {options.clients} client{'s' if options.clients > 1 else ''}, "
        f"{options.posyandu} posyandu; "
        f"{past} requested {PAST} (overdue), {referrals - past} today; relay poll "
        f"{RELAY_POLL_S} s; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )

    post = stats(sent.latencies.get("request", []))
    report.figure("request: POST /v1/referrals on health p50", post["p50"], "ms")
    report.figure(
        "request: POST /v1/referrals on health p95", post["p95"], "ms",
        target=f"<= {TARGET_POST_P95_MS:.0f} ms", met=post["p95"] <= TARGET_POST_P95_MS,
    )  # fmt: skip
    report.figure("request: POST /v1/referrals on health p99", post["p99"], "ms")
    sending_s = max(sent.last_answer - sent.started, 1e-9)
    report.figure("request: referrals answered 201 per second", len(ids) / sending_s, "/s")
    arrived_s = max(sent.last_seen - sent.started, 1e-9)
    report.figure(
        "request: referrals in social per second (to the last)", len(sent.seen) / arrived_s, "/s"
    )
    to_social, social_own = sent.lags()
    lag = stats(to_social)
    report.figure("201 → social's incoming row readable p50", lag["p50"], "ms")
    report.figure(
        "201 → social's incoming row readable p95", lag["p95"], "ms",
        target=f"<= {TARGET_LAG_P95_MS:,.0f} ms", met=lag["p95"] <= TARGET_LAG_P95_MS,
    )  # fmt: skip
    report.figure("201 → social's incoming row readable max", lag["max"], "ms")
    own = stats(social_own)
    report.figure("  (row's created_at, before its chunk commits) p50", own["p50"], "ms")
    report.figure("  (row's created_at, before its chunk commits) p95", own["p95"], "ms")
    breakdown(report, sent, "201 → health's event relayed", "relayed → in social")
    report.figure(
        "requests answered 201 and in social", len(sent.seen), f"of {referrals}",
        target="all", met=len(sent.seen) == referrals,
    )  # fmt: skip

    view_p95 = {}
    for group, label in (
        ("kecamatan", "status=overdue"),
        ("posyandu", "status=overdue&group=posyandu"),
    ):
        figures = stats(out["views"][group])
        view_p95[group] = figures["p95"]
        report.figure(f"gateway /v1/referrals?{label} p50", figures["p50"], "ms")
        report.figure(
            f"gateway /v1/referrals?{label} p95", figures["p95"], "ms",
            target=f"<= {TARGET_VIEW_P95_MS:.0f} ms", met=figures["p95"] <= TARGET_VIEW_P95_MS,
        )  # fmt: skip
    checked = 2 * view_count + 2
    right = checked - out["view_wrong"]
    report.figure(
        "gateway answers as counted by hand (open; resolved)", right, f"of {checked}",
        target="all", met=right == checked,
    )  # fmt: skip
    for line in out["view_how"][:5]:
        report.note(f"view: {line}")

    for action in ("accept", "resolve"):
        figures = stats(answered.latencies.get(action, []))
        report.figure(
            f"answer: POST /v1/referrals/{{id}}/{action} on social p50", figures["p50"], "ms"
        )
        report.figure(
            f"answer: POST /v1/referrals/{{id}}/{action} on social p95", figures["p95"], "ms"
        )
    to_health, health_own = answered.lags()
    back = stats(to_health)
    report.figure("resolve's 200 → health's copy resolved p50", back["p50"], "ms")
    report.figure(
        "resolve's 200 → health's copy resolved p95", back["p95"], "ms",
        target=f"<= {TARGET_LAG_P95_MS:,.0f} ms", met=back["p95"] <= TARGET_LAG_P95_MS,
    )  # fmt: skip
    report.figure("resolve's 200 → health's copy resolved max", back["max"], "ms")
    own = stats(health_own)
    report.figure("  (copy's updated_at, before its chunk commits) p50", own["p50"], "ms")
    report.figure("  (copy's updated_at, before its chunk commits) p95", own["p95"], "ms")
    breakdown(report, answered, "200 → social's event relayed", "relayed → health's copy")
    for refusal in (sent.refused + answered.refused)[:5]:
        report.note(f"refused: {refusal}")

    report.figure(
        "social: incoming, resolved, 3 steps, once each", count.social_once, f"of {referrals}",
        target="all", met=count.social_once == referrals,
    )  # fmt: skip
    report.figure(
        "health: copy resolved, 3 steps, once each", count.health_once, f"of {referrals}",
        target="all", met=count.health_once == referrals,
    )  # fmt: skip
    duplicates = count.extra_rows + count.extra_steps
    report.figure(
        "rows or steps beyond one each (both sides)", duplicates, "",
        target="0", met=duplicates == 0,
    )  # fmt: skip
    for line in count.wrong[:5]:
        report.note(f"held: {line}")
    report.note(
        "redeliveries skipped by the inboxes (reported, not counted): "
        + ", ".join(f"{name}.referrals {n}" for name, n in count.skipped.items())
    )
    missing = 2 * referrals - count.social_once - count.health_once
    report.summary(
        f"{referrals} referrals, {options.clients} client{'s' if options.clients > 1 else ''}: "
        f"POST p95 {post['p95']:.0f} ms, "
        f"{len(ids) / sending_s:.0f}/s; 201 → social p95 {lag['p95']:.0f} ms; resolve → health "
        f"p95 {back['p95']:.0f} ms; DPMD view p95 {view_p95['kecamatan']:.0f} / "
        f"{view_p95['posyandu']:.0f} ms; missing {missing}, duplicated {duplicates}"
    )


if __name__ == "__main__":
    main()
