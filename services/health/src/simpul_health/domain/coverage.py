"""Immunisation coverage: which doses each indicator asks for, by which birthday, and the
children of a period (those whose birthday falls in it).

- **IDL** (imunisasi dasar lengkap): children reaching their first birthday in the period
  who were given every dose of the basic schedule (the doses due by 9 months,
  ``IDL_BY_DAYS``) before that birthday ÷ children reaching their first birthday in it
  (registered in the area). Target 90% (Renstra Kemenkes 2020–2024 / RPJMN 2020–2024).
- **Imunisasi lanjutan baduta**: the doses due at 18 months (DPT-HB-Hib 4, MR 2) given before
  the second birthday ÷ children reaching their second birthday in the period.
- **Per antigen** (e.g. MR 1): each basic dose given before the first birthday ÷ the IDL
  denominator.

A birthday is the same date ``n`` years on, 28 February for a child born on 29 February
(PostgreSQL's ``date + interval 'n years'``); a dose given ON the birthday is late.
"""

from __future__ import annotations

import calendar
from datetime import date

from simpul_health.domain.immunisation import IDL_BY_DAYS, ScheduledDose
from simpul_health.domain.indicators import IndicatorDefinition
from simpul_platform.indicators import Period

BOOSTER_AT_DAYS = 18 * 30  # imunisasi lanjutan baduta: the doses due at 18 months

IDL = IndicatorDefinition(
    code="idl",
    name="Imunisasi dasar lengkap (IDL) sebelum usia 12 bulan",
    numerator="Children reaching 12 months in the period, registered in the area, given every "
    "dose due by 9 months (HB0, BCG, OPV 1–4, DPT-HB-Hib 1–3, PCV 1–2, RV 1–3, IPV 1–2, MR 1) "
    "before their first birthday",
    denominator="Children registered in the area reaching 12 months in the period",
    source="Permenkes 12/2017 (imunisasi), schedule of Buku KIA 2023; target 90%: Renstra "
    "Kemenkes 2020–2024 / RPJMN 2020–2024",
    target_percent=90.0,
)
BOOSTER = IndicatorDefinition(
    code="imunisasi_lanjutan_baduta",
    name="Imunisasi lanjutan baduta (DPT-HB-Hib 4 dan MR 2) sebelum usia 24 bulan",
    numerator="Children reaching 24 months in the period, registered in the area, given every "
    "dose due at 18 months (DPT-HB-Hib 4, MR 2) before their second birthday",
    denominator="Children registered in the area reaching 24 months in the period",
    source="Permenkes 12/2017 (imunisasi lanjutan), schedule of Buku KIA 2023",
    target_percent=0.0,  # no national target named here
)


def basic(schedule: tuple[ScheduledDose, ...]) -> tuple[ScheduledDose, ...]:
    """The doses IDL asks for: every dose due by 9 months."""
    return tuple(d for d in schedule if d.due_age_days <= IDL_BY_DAYS)


def boosters(schedule: tuple[ScheduledDose, ...]) -> tuple[ScheduledDose, ...]:
    """The doses the baduta booster asks for: those due at 18 months."""
    return tuple(d for d in schedule if d.due_age_days == BOOSTER_AT_DAYS)


def dose_code(dose: ScheduledDose) -> str:
    """``DPT-HB-Hib`` 3 → ``imunisasi_dpt_hb_hib_3``."""
    return f"imunisasi_{dose.antigen.lower().replace('-', '_')}_{dose.dose}"


def dose_definition(dose: ScheduledDose) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=dose_code(dose),
        name=f"{dose.antigen} {dose.dose} sebelum usia 12 bulan",
        numerator=f"Children reaching 12 months in the period, registered in the area, given "
        f"{dose.antigen} dose {dose.dose} before their first birthday",
        denominator=IDL.denominator,
        source=IDL.source.split(";")[0],
        target_percent=0.0,
    )


def births_reaching(period: Period, years: int) -> tuple[date, date]:
    """The first and last birth dates of the children whose ``years``-th birthday falls in
    the period: the period's months ``years`` earlier (29 February's birthday being 28
    February, a period ending 28 February takes the births of 29 February too)."""
    first = period.start.replace(year=period.start.year - years)
    year = period.end.year - years
    return first, date(year, period.end.month, calendar.monthrange(year, period.end.month)[1])


def birthday(birth: date, years: int) -> date:
    """The ``years``-th birthday (28 February for 29 February in a common year)."""
    year = birth.year + years
    return birth.replace(year=year, day=min(birth.day, calendar.monthrange(year, birth.month)[1]))
