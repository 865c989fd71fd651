"""Satlinmas rules (Permendagri 84/2014 and 26/2020): who may be appointed, until when a member
serves (and its extension), what a desa's strength is, and who may be named on a siskamling
patrol. Pure: the service layer gives the member's facts and the deployment's date.

Ages are whole years as a birthday reaches them; someone born on 29 February reaches an age on
1 March in a year without one (``born_by`` below keeps the SQL reads to the same day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, get_args

from simpul_platform.domain import RuleViolation
from simpul_trantib.settings import Education, TrantibSettings

Squad = Literal[
    "peringatan_dini",  # early warning
    "keamanan",  # security
    "pertolongan_pertama",  # first aid and fire
    "penyelamatan_evakuasi",  # rescue and evacuation
    "dapur_umum",  # public kitchen
]
SQUADS: tuple[Squad, ...] = get_args(Squad)
EndReason = Literal["mengundurkan_diri", "meninggal", "pindah", "usia", "diberhentikan"]
Shift = Literal["malam", "dini_hari", "siang"]
# The settings' order is the schooling order: tidak_sekolah < sd < smp < sma < diploma < sarjana.
EDUCATION_ORDER: tuple[Education, ...] = get_args(Education)

# How near the service age an extension may be decided: from a year before the birthday that
# ends service until a year after it. Before, nobody can judge whether a member will still be
# fit at 60; after, the extension SK (often signed some months late) has had its time, and a
# member absent that long is appointed again rather than extended.
EXTENSION_WINDOW_YEARS = 1


# "18 or married" read with a floor: a married child is no Satlinmas member (the marriage age
# is 19 since UU 16/2019; a court's dispensation goes lower, but not below this).
MARRIED_FLOOR_AGE = 15


@dataclass(frozen=True)
class LinmasRules:
    """The deployment's Satlinmas settings."""

    min_age: int = 18
    min_education: Education = "sd"
    service_until_age: int = 60
    extended_until_age: int = 65
    min_strength: int = 10

    @classmethod
    def of(cls, settings: TrantibSettings) -> LinmasRules:
        return cls(
            min_age=settings.linmas_min_age,
            min_education=settings.linmas_min_education,
            service_until_age=settings.linmas_service_until_age,
            extended_until_age=settings.linmas_extended_until_age,
            min_strength=settings.linmas_min_strength,
        )


def birthday(birth: date, years: int) -> date:
    """The day ``birth`` reaches ``years`` (29 February → 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def born_by(day: date, years: int) -> date:
    """The latest birth date of someone ``years`` old (or older) on ``day``: younger than
    ``years`` on ``day`` is ``birth_date > born_by(day, years)`` (the SQL form of ``age_on``)."""
    if day.year - years < date.min.year:  # nobody can be that old yet: everyone is younger
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: someone born on the 28th is that old, the 1st not yet
        return date(day.year - years, 2, 28)


class Member(Protocol):
    """What the rules read of a member (the table row, or a test's stand-in)."""

    @property
    def birth_date(self) -> date: ...
    @property
    def appointed_on(self) -> date: ...
    @property
    def extended_until(self) -> date | None: ...
    @property
    def ended_on(self) -> date | None: ...


@dataclass(frozen=True)
class Candidate:
    """A person proposed for appointment."""

    nik: str
    birth_date: date
    married: bool
    education: Education
    sk_date: date
    appointed_on: date


def nik_birth_date(nik: str) -> tuple[int, int, int]:
    """Day, month and two-digit year a NIK encodes (a woman's day is the day plus 40)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    return (day - 40 if day > 40 else day), month, year


def check_appointment(person: Candidate, rules: LinmasRules) -> None:
    """Refuse an appointment that breaks a Satlinmas requirement (a RuleViolation naming the
    field and the rule)."""
    b = person.birth_date
    if nik_birth_date(person.nik) != (b.day, b.month, b.year % 100):
        raise RuleViolation(
            "body.birth_date", "nik_birth_date_mismatch", "The NIK encodes another birth date."
        )
    if person.appointed_on < person.sk_date:
        raise RuleViolation(
            "body.appointed_on", "before_sk_date", "A member is appointed on or after the SK."
        )
    age = age_on(b, person.appointed_on)
    if age < MARRIED_FLOOR_AGE or (age < rules.min_age and not person.married):
        raise RuleViolation(
            "body.birth_date",
            "below_min_age",
            f"A member is at least {rules.min_age} on appointment, or married (is {age}).",
        )
    if age >= rules.service_until_age:
        raise RuleViolation(
            "body.birth_date",
            "at_service_age",
            f"Service ends at {rules.service_until_age}; this person is {age} on appointment.",
        )
    if education_rank(person.education) < education_rank(rules.min_education):
        raise RuleViolation(
            "body.education",
            "below_min_education",
            f"The minimum education is {rules.min_education}.",
        )


def education_rank(level: Education) -> int:
    return EDUCATION_ORDER.index(level)


def service_ends_on(member: Member, rules: LinmasRules) -> date:
    """The first day the member no longer serves by age: the service-age birthday, or the day
    after the extension."""
    until_age = birthday(member.birth_date, rules.service_until_age)
    if member.extended_until is not None and member.extended_until >= until_age:
        return date.fromordinal(member.extended_until.toordinal() + 1)
    return until_age


def serves_on(member: Member, day: date, rules: LinmasRules) -> bool:
    """Appointed by ``day``, not ended by it, and younger than the service age or within an
    extension."""
    if member.appointed_on > day or (member.ended_on is not None and member.ended_on <= day):
        return False
    return day < service_ends_on(member, rules)


def check_extension(member: Member, until: date, decided_on: date, rules: LinmasRules) -> None:
    """An extension runs past the service age, to the extended age's birthday at the latest,
    and is decided within ``EXTENSION_WINDOW_YEARS`` of the service age."""
    ends = birthday(member.birth_date, rules.service_until_age)
    if until < ends:
        raise RuleViolation(
            "body.until",
            "before_service_age",
            f"Service runs to {ends} without an extension; an extension runs past it.",
        )
    latest = birthday(member.birth_date, rules.extended_until_age)
    if until > latest:
        raise RuleViolation(
            "body.until",
            "past_extended_age",
            f"Service is extended to age {rules.extended_until_age} ({latest}) at the latest.",
        )
    opens = birthday(member.birth_date, rules.service_until_age - EXTENSION_WINDOW_YEARS)
    closes = birthday(member.birth_date, rules.service_until_age + EXTENSION_WINDOW_YEARS)
    if not opens <= decided_on <= closes:
        raise RuleViolation(
            "body.extended_on",
            "outside_extension_window",
            f"An extension is decided between {opens} and {closes}.",
        )


@dataclass(frozen=True)
class Strength:
    """A desa's Satlinmas on a day: members serving, per squad, and the flags."""

    members: int
    by_squad: dict[str, int]
    under_strength: bool
    empty_squads: list[str]


def strength(squads_serving: Iterable[str], rules: LinmasRules) -> Strength:
    """The strength of a desa from the squad of each member serving."""
    by_squad: dict[str, int] = {squad: 0 for squad in SQUADS}
    for squad in squads_serving:
        by_squad[squad] = by_squad.get(squad, 0) + 1
    members = sum(by_squad.values())
    empty: list[str] = [squad for squad in SQUADS if by_squad[squad] == 0]
    return Strength(members, by_squad, members < rules.min_strength, empty)


def check_patrol_crew(member_ids: list[str], members_present: int | None) -> int:
    """The number present on a patrol: the named Linmas, or residents counted when nobody is
    named (a siskamling of the residents themselves); never fewer than those named."""
    if len(set(member_ids)) != len(member_ids):
        raise RuleViolation("body.member_ids", "repeated_member", "A member is named twice.")
    if members_present is None:
        if not member_ids:
            raise RuleViolation(
                "body.members_present",
                "nobody_present",
                "Name the Linmas on patrol or count the residents present.",
            )
        return len(member_ids)
    if members_present < max(1, len(member_ids)):
        raise RuleViolation(
            "body.members_present",
            "fewer_than_named",
            f"At least the {len(member_ids)} members named were present.",
        )
    return members_present
