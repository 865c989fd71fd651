"""The data ``bench.education_indicators`` measures on, generated with a seed and COPY-loaded:
the demo population's Kukar posyandu (``devstack.population.generate_kukar``: real desa codes)
in the posyandu replica; children 0–18 (birth dates spread evenly over 19 years, one to three
per No. KK) with a year of statuses by age; ATS cases as ``ops.ats`` leaves them (``AtsRows``),
the child's statuses those the case implies; and a DTSEN decile for four households in five
(``household_decile``, as social's events would leave it). ``tables`` builds the rows
(``bench.bulk_load`` copies them into a migrated database).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.bulk_load import Tables, kukar_places, replica_table
from bench.seeded_rows import spread
from simpul_education.domain.ats import (
    AGE_RANGE,
    ATS,
    OUT_OF_SCHOOL,
    STATUS_SOURCE,
    AtsAction,
    ProblemDomain,
    check_age,
    check_category,
    needs_social_referral,
)
from simpul_education.domain.ats_reentry import LastLevel, check_enrolment, check_paket
from simpul_education.domain.children import age_years
from simpul_education.settings import EducationSettings
from simpul_platform.domain import RuleViolation
from simpul_platform.workdays import due_after

NOW = datetime.now(UTC)


# --------------------------------------------------------------------------- data


def _status_at(age: int, rng: random.Random) -> tuple[str, int | None]:
    """A plausible status (and kelas) for a child of ``age``."""
    if age < 3:
        return "not_school_age", None
    if age <= 6:
        return (
            ("paud", None) if rng.random() < (0.3 if age < 5 else 0.7) else ("not_school_age", None)
        )
    if rng.random() < 0.05:
        return rng.choice(("out_of_school", "paket_a", "paket_b", "paket_c")), None
    if age <= 12:
        return "sd", min(6, max(1, age - 6))
    if age <= 15:
        return "smp", min(9, max(7, age - 6))
    return rng.choice(("sma", "smk")), min(12, max(10, age - 6))


def _statuses(child_id: str, born: date, today: date, rng: random.Random) -> list[tuple[Any, ...]]:
    """One to three statuses over the last year, by the child's age at each."""
    rows: list[tuple[Any, ...]] = []
    on = max(born, today - timedelta(days=rng.randint(200, 365)))
    for _ in range(rng.randint(1, 3)):
        if on > today:
            break
        status, kelas = _status_at((on - born).days // 365, rng)
        rows.append(_status_row(child_id, status, kelas, "kader_census", on, rng))
        on += timedelta(days=rng.randint(60, 200))
    return rows


def _status_row(
    child_id: str,
    status: str,
    kelas: int | None,
    source: str,
    on: date,
    rng: random.Random,
    unit: tuple[str, str] | None = None,
) -> tuple[Any, ...]:
    jenjang = status if status not in ("not_school_age", "out_of_school") else None
    unit_name, npsn = unit or (None, None)
    return (
        str(uuid.UUID(int=rng.getrandbits(128))),
        child_id,
        status,
        kelas,
        source,
        on,
        "bench",
        NOW,
        jenjang,
        unit_name,
        npsn,
    )


def _children(
    places: list[tuple[str, str]], count: int, ats: int, today: date, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str], AtsRows]:
    """(child rows, child_status rows, household refs, ATS cases): about ``ats`` children of
    school age get an ATS case, their statuses those the case implies."""
    children, statuses, households = [], [], []
    cases = AtsRows(EducationSettings(environment="development"), today)
    ats_rate = ats / (count * SCHOOL_AGE_SHARE)
    span = (today - date(today.year - 19, today.month, 1)).days - 1
    kk_left, kk_ref = 0, ""
    for n, pid, desa in spread(places, count):
        if kk_left == 0:
            kk_left, kk_ref = rng.randint(1, 3), hashlib.sha256(f"kk{n}".encode()).hexdigest()
            households.append(kk_ref)
        kk_left -= 1
        born = today - timedelta(days=rng.randint(0, span))
        child_id = str(uuid.UUID(int=rng.getrandbits(128)))
        school_age = ATS_AGES[0] <= age_years(born, today) <= ATS_AGES[1]
        if school_age and rng.random() < ats_rate:
            mine = cases.add(child_id, born, pid, desa, rng)
        else:
            mine = _statuses(child_id, born, today, rng)
        statuses += mine
        last = mine[-1] if mine else None
        nik = f"{n:016d}"
        children.append(
            (
                child_id,
                nik,
                nik,
                hashlib.sha256(nik.encode()).hexdigest(),
                kk_ref,
                f"Anak {n}",
                rng.choice("LP"),
                born,
                pid,
                desa,
                last[2] if last else None,
                last[5] if last else None,
                "bench",
                NOW,
                "bench",
                NOW,
            )
        )
    return children, statuses, households, cases


CHILD_COLUMNS = [
    "id", "nik", "kk", "person_ref", "household_ref", "name", "sex", "birth_date",
    "posyandu_id", "desa_code", "status", "status_on", "created_by", "created_at",
    "updated_by", "updated_at",
]  # fmt: skip
STATUS_COLUMNS = [
    "id", "child_id", "status", "kelas", "source", "on", "recorded_by", "recorded_at", "jenjang",
    "unit_name", "npsn",
]  # fmt: skip


# --------------------------------------------------------------------------- ATS cases

ATS_SHARE = 10_000 / 220_000  # about 10,000 cases at Kukar's size
ATS_AGES = AGE_RANGE
SCHOOL_AGE_SHARE = (ATS_AGES[1] - ATS_AGES[0] + 1) / 19  # of children born over 19 years
SEVEN_YEARS = timedelta(days=7 * 365 + 2)  # at least 7 completed years, leap days or not
# The share of cases that end (not eligible, residu) or stall (wait, overdue while
# unverified) at each open status, before its next step; the rest take it, if dated by today.
CLOSE, RESIDU, STALL = 0.05, 0.08, 0.10
# (step, days after the previous step): classify within a week, verify around the due date
# (10 working days after detection), refer within weeks, enrol within a term.
STEPS: tuple[tuple[AtsAction, int, int], ...] = (
    ("classify", 0, 7),
    ("verify", 0, 16),
    ("refer", 3, 40),
    ("enroll", 14, 120),
)
PROBLEM: dict[str, ProblemDomain] = {
    "biaya": "ekonomi",
    "bekerja": "ekonomi",
    "sakit_disabilitas": "kesehatan",
}
SOCIAL = ("pola_pikir", "lingkungan", "dukungan_orang_tua", "menikah", "perundungan")
ATS_COLUMNS = [
    "id", "child_id", "posyandu_id", "desa_code", "status", "source", "referral_id",
    "detected_on", "verify_due_on", "category", "last_jenjang", "last_kelas", "classified_on",
    "reason_code", "problem_domain", "verified_on", "social_referral_id", "re_entry_path",
    "paket", "referred_on", "enrolled_status", "unit_name", "npsn", "enrolled_on",
    "not_eligible_reason", "closed_on", "created_by", "created_at", "updated_by", "updated_at",
]  # fmt: skip
HISTORY_COLUMNS = [
    "case_id", "action", "from_status", "to_status", "note", "actor", "at", "step_on", "codes",
]  # fmt: skip


def _formal(kelas: int, rng: random.Random) -> str:
    return "sd" if kelas <= 6 else "smp" if kelas <= 9 else rng.choice(("sma", "smk"))


class AtsRows:
    """ATS cases as the service leaves them (``ops.ats``): each step the workflow allows
    (``domain.ats.ATS``) with the fields it sets and a history row, checked by the domain's
    own rules (age, category, Paket, enrolment); the child's statuses the case implies: the
    last schooling before it (DO/LTM), ``out_of_school`` from its detection, the school or
    Paket it went back to from its enrolment."""

    def __init__(self, settings: EducationSettings, today: date) -> None:
        self.settings, self.today = settings, today
        self.cases: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []

    def add(
        self, child_id: str, born: date, pid: str, desa: str, rng: random.Random
    ) -> list[tuple[Any, ...]]:
        """A case for a child 7–18 today, detected in the last year (at 7 or over): its
        statuses."""
        earliest = max(self.today - timedelta(days=364), born + SEVEN_YEARS)
        detected = earliest + timedelta(days=rng.randint(0, (self.today - earliest).days))
        check_age(age_years(born, detected))
        source = rng.choices(("kader_census", "dapodik_match", "reaction"), (7, 2, 1))[0]
        case: dict[str, Any] = dict.fromkeys(ATS_COLUMNS)
        case_id = str(uuid.UUID(int=rng.getrandbits(128)))
        case.update(
            id=case_id,
            child_id=child_id,
            posyandu_id=pid,
            desa_code=desa,
            status=ATS.next(None, "detect"),
            source=source,
            detected_on=detected,
            verify_due_on=due_after(
                self.settings, detected, self.settings.ats_verify_due_working_days
            ),
            created_by="bench",
            created_at=NOW,
            updated_by="bench",
            updated_at=NOW,
        )
        statuses = self._schooling_before(child_id, born, detected, case, rng)
        statuses.append(
            _status_row(child_id, OUT_OF_SCHOOL, None, STATUS_SOURCE[source], detected, rng)
        )
        self._log(case, "detect", None, {"source": source}, detected)
        statuses += self._steps(case, born, rng)
        self.cases.append(tuple(case[c] for c in ATS_COLUMNS))
        return statuses

    def _schooling_before(
        self, child_id: str, born: date, detected: date, case: dict[str, Any], rng: random.Random
    ) -> list[tuple[Any, ...]]:
        """Most ATS children were at school before (DO, or LTM after SD or SMP): that status,
        dated before the detection; the rest never were (BPB)."""
        on = detected - timedelta(days=rng.randint(30, 300))
        age = age_years(born, on)
        if age < ATS_AGES[0] or rng.random() < 0.15:
            case["category"] = "bpb"
            return []
        kelas = min(12, age - 6)
        if kelas >= 6 and rng.random() < 0.3:  # finished SD or SMP, did not go on
            case["category"], kelas = "ltm", 9 if kelas >= 9 else 6
        else:
            case["category"] = "do"
        jenjang = _formal(kelas, rng)
        case["last_jenjang"], case["last_kelas"] = jenjang, kelas
        return [_status_row(child_id, jenjang, kelas, "school", on, rng)]

    def _steps(self, case: dict[str, Any], born: date, rng: random.Random) -> list[tuple[Any, ...]]:
        """The steps taken by today; the enrolment's status, if it came to that."""
        on: date = case["detected_on"]
        for action, low, high in STEPS:
            step_on = on + timedelta(days=rng.randint(low, high))
            if step_on > self.today:
                break  # still waiting for it
            draw = rng.random()
            if draw < CLOSE:
                self._close(case, born, step_on, rng)
                break
            if draw < CLOSE + RESIDU and "mark_residu" in ATS.allowed_actions(case["status"]):
                self._take(case, "mark_residu", {}, step_on)
                case["closed_on"] = step_on
                break
            if draw < CLOSE + RESIDU + STALL:
                break
            if action == "enroll":
                return [self._enroll(case, born, step_on, rng)]
            getattr(self, f"_{action}")(case, born, step_on, rng)
            on = step_on
        return []

    def _classify(self, case: dict[str, Any], _born: date, on: date, _: random.Random) -> None:
        check_category(case["category"], ever_enrolled=case["last_jenjang"] is not None)
        case["classified_on"] = on
        codes = {"category": case["category"], "last_jenjang": case["last_jenjang"]}
        self._take(case, "classify", codes, on)

    def _verify(self, case: dict[str, Any], _born: date, on: date, rng: random.Random) -> None:
        reason = rng.choice(list(self.settings.ats_verify_reasons))
        problem: ProblemDomain = PROBLEM.get(reason, "sosial" if reason in SOCIAL else "lainnya")
        case.update(reason_code=reason, problem_domain=problem, verified_on=on)
        codes: dict[str, Any] = {"reason_code": reason, "problem_domain": problem}
        if needs_social_referral(problem):  # the bansos referral to social (not loaded here)
            case["social_referral_id"] = codes["social_referral_id"] = str(
                uuid.UUID(int=rng.getrandbits(128))
            )
        self._take(case, "verify", codes, on)

    def _refer(self, case: dict[str, Any], born: date, on: date, rng: random.Random) -> None:
        level = LastLevel(case["category"], case["last_jenjang"])
        paket: str | None = None
        if rng.random() < 0.4:  # kesetaraan, if the child is old enough for the Paket
            with contextlib.suppress(RuleViolation):
                min_age = self.settings.ats_paket_min_age
                paket = check_paket(level, age_years(born, on), None, min_age)
        path = "spnf_pkbm" if paket else "ppdb"
        case.update(re_entry_path=path, paket=paket, referred_on=on)
        self._take(case, "refer", {"path": path, "paket": paket}, on)

    def _enroll(
        self, case: dict[str, Any], born: date, on: date, rng: random.Random
    ) -> tuple[Any, ...]:
        if case["paket"]:
            status, kelas, unit = case["paket"], None, "PKBM Harapan"
        else:  # back where it left off (DO), one up (LTM), or SD 1 (BPB)
            last = case["last_kelas"] or 0
            kelas = max(1, last + (case["category"] == "ltm"))
            status = _formal(kelas, rng)
            unit = f"{status.upper()}N {rng.randint(1, 30)} Kutai Kartanegara"
        check_enrolment(case["re_entry_path"], case["paket"], status)
        npsn = f"{rng.randint(30_000_000, 30_999_999)}"
        case.update(enrolled_status=status, unit_name=unit, npsn=npsn, enrolled_on=on)
        self._take(case, "enroll", {"status": status, "npsn": npsn}, on)
        return _status_row(case["child_id"], status, kelas, "school", on, rng, (unit, npsn))

    def _close(self, case: dict[str, Any], born: date, on: date, rng: random.Random) -> None:
        if age_years(born, on) >= ATS_AGES[1]:
            reason = "over_age"
        else:
            reason = rng.choices(("pesantren", "moved", "deceased"), (5, 4, 1))[0]
        case.update(not_eligible_reason=reason, closed_on=on)
        self._take(case, "close", {"reason": reason}, on)

    def _take(
        self, case: dict[str, Any], action: AtsAction, codes: dict[str, Any], on: date
    ) -> None:
        previous = case["status"]
        case["status"] = ATS.next(previous, action)
        self._log(case, action, previous, codes, on)

    def _log(
        self,
        case: dict[str, Any],
        action: str,
        previous: str | None,
        codes: dict[str, Any],
        on: date,
    ) -> None:
        kept = json.dumps({k: v for k, v in codes.items() if v is not None})
        at = datetime.combine(on, datetime.min.time(), UTC)
        self.history.append(
            (case["id"], action, previous, case["status"], None, "bench", at, on, kept)
        )


def tables(posyandu: int, children: int, ats: int, today: date) -> Tables:
    rng = random.Random(64_02)
    places = kukar_places(posyandu)
    kids, statuses, households, ats_rows = _children(places, children, ats, today, rng)
    deciles = [
        (ref, rng.randint(1, 10), "dtsen", today - timedelta(days=90), places[0][0],
         places[0][1], ref[:32], NOW)
        for ref in households
        if rng.random() < 0.8
    ]  # fmt: skip
    return {
        "posyandu_replica": replica_table(places, "education", NOW),
        "child": (CHILD_COLUMNS, kids),
        "child_status": (STATUS_COLUMNS, statuses),
        "ats_case": (ATS_COLUMNS, ats_rows.cases),
        "ats_case_history": (HISTORY_COLUMNS, ats_rows.history),
        "household_decile": (
            ["household_ref", "decile", "source", "assessed_on", "posyandu_id", "desa_code",
             "last_event_id", "updated_at"],
            deciles,
        ),
    }  # fmt: skip
