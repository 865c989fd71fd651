"""Pure rules of issue 19's staffing view and bulk registration: a posyandu's gaps, how desa
counts add up, and how a name on Kemendagri's list finds its posyandu."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from simpul_platform.domain import RuleViolation
from simpul_registry.domain.registration_import import exact_key, loose_key, match
from simpul_registry.domain.staffing import Tally, gaps

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Candidate:
    name: str

    @property
    def name_key(self) -> str:
        return exact_key(self.name)


def test_gaps_name_the_board_posts_and_fields_run_without_head_or_kader() -> None:
    found = gaps(
        ["health", "social"],
        {"ketua": 1, "bendahara": 0},
        {"health": 1, "education": 1},
        {"social": 2, "trantib": 1},
    )
    assert found.missing_pengurus == ["sekretaris", "bendahara"]
    assert found.fields_without_ketua_bidang == ["social"]  # education is not run
    assert found.fields_without_kader == ["health"]
    assert (found.empty_posts, found.any) == (3, True)
    full = gaps([], {"ketua": 1, "sekretaris": 1, "bendahara": 2}, {}, {})
    assert (full.empty_posts, full.any) == (0, False)


def test_tallies_add_up_and_count_empty_posts() -> None:
    a = Tally(
        posyandu=2,
        kader_active={"health": 3},
        without_ketua_bidang={"social": 1},
        missing_pengurus={"ketua": 1},
    )
    total = Tally()
    total.add(a)
    total.add(a)
    assert total.posyandu == 4 and total.kader_active["health"] == 6
    assert total.kader_active["trantib"] == 0
    assert total.empty_posts == 2 + 2


def test_names_match_ignoring_case_spaces_and_the_posyandu_prefix() -> None:
    assert loose_key("  POSYANDU   Mawar ") == "mawar" == loose_key("Posyandu: Mawar")
    assert loose_key("Posyandu") == "posyandu"  # a bare prefix stays a name
    assert loose_key("Posyandunya Mawar") == "posyandunya mawar"
    melati, kenanga, pos_kenanga = (
        Candidate("Melati"),
        Candidate("Kenanga"),
        Candidate("Posyandu Kenanga"),
    )
    candidates = [melati, kenanga, pos_kenanga]
    assert match("posyandu melati", candidates) is melati
    assert match("POSYANDU  KENANGA", candidates) is pos_kenanga  # exact beats loose
    assert match("kenanga", candidates) is kenanga
    with pytest.raises(RuleViolation) as ambiguous:
        match("Posyandu - Kenanga", candidates)
    assert (ambiguous.value.field, ambiguous.value.rule) == ("name", "ambiguous_name")
    with pytest.raises(RuleViolation) as missing:
        match("Tulip", candidates)
    assert missing.value.rule == "no_such_posyandu"
