"""Recording balita measurements, one or a posyandu day's worth, in one transaction.

For a batch: every item is validated on its own; one SELECT loads the targets, their open
stunting episodes and their recent measurements; z-scores are computed here; then one COPY
(INSERT off PostgreSQL) per table, in the caller's transaction; the events go out with the
caller's commit of the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, select, update
from sqlalchemy.engine import RowMapping

from simpul_health.domain.growth import PreviousWeighing, assess_growth
from simpul_health.domain.measurement import (
    Assessed,
    AssessInput,
    EpisodeState,
    assess_many,
    episode_transition,
    severity,
)
from simpul_health.events import (
    ChildMeasured,
    StuntingDetected,
    StuntingRecovered,
    child_measured_data,
)
from simpul_health.models import Measurement, StuntingEpisode, Target
from simpul_health.ops import area_codes, balita_weighed, latest_haz
from simpul_health.schemas.measurements import BulkItemResult, ItemError, MeasurementIn
from simpul_platform.auth import Principal
from simpul_platform.db import bulk_insert
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import validation_errors
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork

LOOKBACK = timedelta(days=62)  # enough to find last month's weighing before the batch
M, E, T = Measurement.__table__, StuntingEpisode.__table__, Target.__table__  # type: ignore[attr-defined]


@dataclass
class _State:
    """One target's situation as the batch unfolds."""

    target: RowMapping
    by_day: dict[date, dict[str, Any]] = field(default_factory=dict)
    episode: dict[str, Any] | None = None


def parse_items(
    raw: list[dict[str, Any]],
) -> tuple[list[tuple[int, MeasurementIn]], list[BulkItemResult]]:
    good, bad = [], []
    for index, item in enumerate(raw):
        try:
            good.append((index, MeasurementIn.model_validate(item)))
        except ValidationError as exc:
            errors = [ItemError(**e.model_dump()) for e in validation_errors(exc.errors())]
            bad.append(BulkItemResult(index=index, status="rejected", errors=errors))
    return good, bad


async def _load(uow: UnitOfWork, items: list[tuple[int, MeasurementIn]]) -> dict[str, _State]:
    if not items:
        return {}
    earliest = min(m.measured_on for _, m in items)
    # A date within LOOKBACK of year 1 is refused per item later (before birth); not a 500 here.
    since = earliest - LOOKBACK if earliest > date.min + LOOKBACK else date.min
    target_ids = {m.target_id for _, m in items}
    await balita_weighed.lock_children(uow.session, target_ids)  # before reading their measurements
    query = (
        select(
            T.c.id,
            T.c.sex,
            T.c.birth_date,
            T.c.posyandu_id,
            T.c.desa_code,
            T.c.kecamatan_code,
            T.c.kabupaten_code,
            T.c.person_ref,
            T.c.household_ref,
            E.c.id.label("e_id"),
            E.c.severity.label("e_severity"),
            M.c.id.label("m_id"),
            M.c.measured_on,
            M.c.weight_kg,
            M.c.height_cm,
            M.c.growth,
        )
        .select_from(
            T.outerjoin(E, and_(E.c.target_id == T.c.id, E.c.closed_on.is_(None))).outerjoin(
                M, and_(M.c.target_id == T.c.id, M.c.measured_on >= since)
            )
        )
        .where(T.c.id.in_(target_ids))
    )
    states: dict[str, _State] = {}
    for row in (await uow.session.execute(query)).mappings():
        state = states.setdefault(row["id"], _State(row))
        if row["e_id"] is not None and state.episode is None:
            state.episode = {"id": row["e_id"], "severity": row["e_severity"], "changed": False}
        if row["m_id"] is not None:
            state.by_day[row["measured_on"]] = {
                "id": row["m_id"],
                "weight_kg": row["weight_kg"],
                "height_cm": row["height_cm"],
                "growth": row["growth"],
            }
    return states


def _previous(state: _State, day: date) -> PreviousWeighing | None:
    earlier = [d for d in state.by_day if d < day]
    if not earlier:
        return None
    last = max(earlier)
    row = state.by_day[last]
    return PreviousWeighing(last, row["weight_kg"], row["growth"])


@dataclass
class _Batch:
    """What one call stages: rows for the COPYs; its events go to the unit of work."""

    uow: UnitOfWork
    now: datetime
    posyandu_id: str
    codes: dict[str, str]  # desa, kecamatan and kabupaten codes of the posyandu
    created_by: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    new_episodes: list[dict[str, Any]] = field(default_factory=list)
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)


async def record_measurements(
    uow: UnitOfWork,
    principal: Principal,
    posyandu: Mapping[Any, Any],
    items: list[tuple[int, MeasurementIn]],
    *,
    today: date,
) -> list[BulkItemResult]:
    """Validate, compute and stage the items at ``posyandu`` (its id and desa code); the
    caller commits. Results in item order. ``today`` is the deployment's date."""
    codes = area_codes(posyandu["desa_code"])
    batch = _Batch(uow, datetime.now(UTC), posyandu["posyandu_id"], codes, principal.subject)
    states = await _load(uow, items)
    # A posyandu day has a handful of desa, not 1,000.
    visible = {d: principal.can_see(d) for d in {s.target["desa_code"] for s in states.values()}}
    results: list[BulkItemResult] = []
    known: list[tuple[int, MeasurementIn, _State]] = []
    for index, item in sorted(items, key=lambda p: (p[1].target_id, p[1].measured_on)):
        state = states.get(item.target_id)
        if state is None or not visible[state.target["desa_code"]]:
            results.append(_rejected(index, "target_id", "unknown_target", "No such target."))
        else:
            known.append((index, item, state))
    assessed = assess_many([_assess_input(item, state) for _, item, state in known], today)
    for (index, item, state), a in zip(known, assessed, strict=True):
        results.append(_record_one(batch, state, index, item, a))
    await bulk_insert(uow.session, M, batch.rows)  # COPY on PostgreSQL
    await balita_weighed.record(uow.session, batch.rows, {t: s.target for t, s in states.items()})
    await latest_haz.record(uow.session, batch.rows)
    await bulk_insert(uow.session, E, batch.new_episodes)
    if batch.changed:
        await uow.session.execute(update(StuntingEpisode), list(batch.changed.values()))
    return sorted(results, key=lambda r: r.index)


def _assess_input(item: MeasurementIn, state: _State) -> AssessInput:
    return AssessInput(
        sex=state.target["sex"],
        birth_date=state.target["birth_date"],
        measured_on=item.measured_on,
        weight_kg=item.weight_kg,
        height_cm=item.height_cm,
        position=item.measure_position,
        confirmed_implausible=item.confirmed_implausible,
    )


def _record_one(
    batch: _Batch,
    state: _State,
    index: int,
    item: MeasurementIn,
    a: Assessed | RuleViolation,
) -> BulkItemResult:
    target = state.target
    same_day = state.by_day.get(item.measured_on)
    if same_day is not None:
        if same_day["weight_kg"] == item.weight_kg and same_day["height_cm"] == item.height_cm:
            return BulkItemResult(index=index, status="duplicate", measurement_id=same_day["id"])
        return _rejected(
            index,
            "measured_on",
            "already_measured",
            "This child already has another measurement that day.",
        )
    if isinstance(a, RuleViolation):
        return _rejected(index, a.field, a.rule, a.message)
    is_latest = all(d < item.measured_on for d in state.by_day)
    growth = assess_growth(
        item.measured_on, a.age_days, item.weight_kg, _previous(state, item.measured_on)
    )
    row = {
        "id": new_id(),
        "target_id": item.target_id,
        "posyandu_id": batch.posyandu_id,
        **batch.codes,
        "measured_on": item.measured_on,
        "age_days": a.age_days,
        "sex": target["sex"],
        "weight_kg": item.weight_kg,
        "height_cm": item.height_cm,
        "measure_position": a.position,
        "adjusted_length_cm": a.z.adjusted_length_cm,
        "muac_cm": item.muac_cm,
        "head_circumference_cm": item.head_circumference_cm,
        "vitamin_a": item.vitamin_a,
        "supplementary_food": item.supplementary_food,
        "haz": a.z.haz,
        "waz": a.z.waz,
        "whz": a.z.whz,
        "bmiz": a.z.bmiz,
        "height_for_age": a.height_for_age,
        "weight_for_age": a.weight_for_age,
        "weight_for_height": a.weight_for_height,
        "growth": growth.growth,
        "growth_faltering": growth.faltering,
        "confirmed_implausible": item.confirmed_implausible,
        "created_by": batch.created_by,
        "created_at": batch.now,
    }
    batch.rows.append(row)
    state.by_day[item.measured_on] = {
        "id": row["id"],
        "weight_kg": item.weight_kg,
        "height_cm": item.height_cm,
        "growth": growth.growth,
    }
    _publish_measured(batch, target, row)
    if is_latest:
        _episode(batch, state, row)
    return BulkItemResult(index=index, status="created", measurement_id=row["id"])


def _rejected(index: int, field_name: str, rule: str, message: str) -> BulkItemResult:
    return BulkItemResult(
        index=index,
        status="rejected",
        errors=[ItemError(field=field_name, rule=rule, message=message)],
    )


def _publish_measured(batch: _Batch, target: RowMapping, row: dict[str, Any]) -> None:
    # One per row: JSON data built straight from the row (no ChildMeasured validation).
    data = child_measured_data(row, target["person_ref"], target["household_ref"])
    batch.uow.publish_data(ChildMeasured, data, subject=row["id"], occurred_at=batch.now)


def _episode(batch: _Batch, state: _State, row: dict[str, Any]) -> None:
    """Open, escalate or close the child's stunting episode, with its event."""
    new, changed, now = batch.new_episodes, batch.changed, batch.now
    haz = row["haz"]
    current = EpisodeState(state.episode["severity"]) if state.episode else None
    transition = episode_transition(current, haz)
    if transition is None:
        return
    target = state.target
    common = {
        "person_ref": target["person_ref"],
        "household_ref": target["household_ref"],
        "posyandu_id": row["posyandu_id"],
        "desa_code": row["desa_code"],
        "measurement_id": row["id"],
        "measured_on": row["measured_on"],
        "haz": haz,
    }
    if transition == "close":
        assert state.episode is not None
        episode_id = state.episode["id"]
        update_row = changed.get(episode_id) or _pending_new(new, episode_id) or {"id": episode_id}
        update_row.update(
            closed_on=row["measured_on"], closed_measurement_id=row["id"], updated_at=now
        )
        if not _pending_new(new, episode_id):
            changed[episode_id] = update_row
        state.episode = None
        batch.uow.publish(
            StuntingRecovered(episode_id=episode_id, **common),
            subject=episode_id,
            occurred_at=now,
        )
        return
    level = severity(haz)
    assert level is not None
    if transition == "open":
        episode_id = new_id()
        new.append(
            {
                "id": episode_id,
                "target_id": row["target_id"],
                "posyandu_id": row["posyandu_id"],
                "desa_code": row["desa_code"],
                "opened_on": row["measured_on"],
                "opened_measurement_id": row["id"],
                "severity": level,
                "escalated_on": None,
                "closed_on": None,
                "closed_measurement_id": None,
                "updated_at": now,
            }
        )
        state.episode = {"id": episode_id, "severity": level}
    else:
        assert state.episode is not None
        episode_id = state.episode["id"]
        update_row = _pending_new(new, episode_id) or changed.setdefault(
            episode_id, {"id": episode_id}
        )
        update_row.update(severity=level, escalated_on=row["measured_on"], updated_at=now)
        state.episode["severity"] = level
    batch.uow.publish(
        StuntingDetected(
            episode_id=episode_id,
            age_days=row["age_days"],
            sex=row["sex"],
            severity=level,
            escalated=transition == "escalate",
            **common,
        ),
        subject=episode_id,
        occurred_at=now,
    )


def _pending_new(new: list[dict[str, Any]], episode_id: str) -> dict[str, Any] | None:
    return next((e for e in new if e["id"] == episode_id), None)
