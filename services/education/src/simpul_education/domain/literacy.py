"""Literacy at the posyandu: a taman bacaan or reading session, with its participants counted
by age group.

No national data standard exists for this record (FIELDS.md §1(b) found none for Taman Bacaan
Masyarakat or literacy at the posyandu); the kinds and age groups here are the field's own,
chosen to line up with the education age bands (0–6 PAUD, 7–12 SD, 13–18 SMP/SMA). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from simpul_platform.domain import RuleViolation, not_in_future

LiteracyKind = Literal["taman_bacaan", "reading_session", "storytelling", "book_lending"]
# Who led the session, as a role: never a person's name.
Facilitator = Literal["kader", "guru_paud", "relawan_tbm", "pustakawan", "orang_tua", "lainnya"]
KINDS: tuple[str, ...] = get_args(LiteracyKind)
FACILITATORS: tuple[str, ...] = get_args(Facilitator)


@dataclass(frozen=True)
class Participants:
    age_0_6: int
    age_7_12: int
    age_13_18: int
    adults: int

    @property
    def total(self) -> int:
        return self.age_0_6 + self.age_7_12 + self.age_13_18 + self.adults


def check_session(
    held_on: date, participants: Participants, today: date, field: str = "body"
) -> None:
    """A session that has been held, with someone at it; counts are never negative."""
    not_in_future(held_on, today, f"{field}.held_on", "The session date")
    for name, count in vars(participants).items():
        if count < 0:
            raise RuleViolation(
                f"{field}.participants.{name}", "negative_count", "A count is never negative."
            )
    if participants.total < 1:
        raise RuleViolation(
            f"{field}.participants",
            "no_participants",
            "A session had at least one participant.",
        )


def check_range(held_from: date | None, held_to: date | None, field: str = "query.held_to") -> None:
    """A date range's end is not before its start."""
    if held_from is not None and held_to is not None and held_to < held_from:
        raise RuleViolation(
            field, "range_reversed", f"The range ends ({held_to}) before it starts ({held_from})."
        )
