"""The pure pieces of a pseudonym secret rotation: map files, their union, references already
re-keyed recognised, references embedded in a key, and declarations checked against tables."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table

from simpul_platform.pseudonym import PseudonymColumn, RefsWithin, household_ref, person_ref
from simpul_platform.referrals.tables import need_key
from simpul_platform.rekey import check_declarations
from simpul_platform.rekey.maps import (
    HEADER,
    MapError,
    Pair,
    RefMap,
    read_maps,
    rewrite_within,
    write_map,
)

pytestmark = pytest.mark.unit

OLD, NEW = "old-pseudonym-secret", "new-pseudonym-secret"
NIK, KK = "6402061234560001", "6402069876540002"


def pair_of(kind: str, identifier: str) -> Pair:
    make = person_ref if kind == "nik" else household_ref
    return Pair(kind, make(OLD, identifier), make(NEW, identifier))  # type: ignore[arg-type]


def test_a_map_round_trips_sorted_without_duplicates_and_readable_by_its_owner_only(
    tmp_path: Path,
):
    path = tmp_path / "health.csv"
    person, household = pair_of("nik", NIK), pair_of("kk", KK)
    assert write_map(path, [person, household, person]) == 2
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(HEADER)
    assert lines[1:] == sorted(f"{p.kind},{p.old_ref},{p.new_ref}" for p in (person, household))
    assert NIK not in path.read_text() and KK not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    refs = read_maps([path])
    assert refs.resolve("nik", person.old_ref) == person.new_ref
    assert refs.resolve("kk", household.old_ref) == household.new_ref


def test_a_reference_already_new_resolves_to_itself_and_an_unknown_one_to_none():
    refs = RefMap()
    person = pair_of("nik", NIK)
    refs.add(person)
    assert refs.resolve("nik", person.new_ref) == person.new_ref  # applying twice: no change
    assert refs.resolve("nik", person_ref(OLD, "6402060000000099")) is None
    assert refs.resolve("kk", person.old_ref) is None  # a person's ref is no household's


def test_maps_of_several_services_are_united_and_the_same_pair_twice_is_fine(tmp_path: Path):
    health, social = tmp_path / "health.csv", tmp_path / "social.csv"
    write_map(health, [pair_of("nik", NIK), pair_of("kk", KK)])
    write_map(social, [pair_of("kk", KK)])
    assert len(read_maps([health, social])) == 2


def test_maps_made_with_two_different_new_secrets_are_refused(tmp_path: Path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_map(first, [pair_of("nik", NIK)])
    write_map(second, [Pair("nik", person_ref(OLD, NIK), person_ref("a-third-secret", NIK))])
    with pytest.raises(MapError, match=r"b\.csv: nik reference .* maps to two new references"):
        read_maps([first, second])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "line 1 must be the header"),
        ("kind,old,new\n", "line 1 must be the header"),
        (f"kind,old_ref,new_ref\nnik,{'a' * 64}\n", "line 2 has 2 fields"),
        (f"kind,old_ref,new_ref\nnama,{'a' * 64},{'b' * 64}\n", "kind 'nama' is not one of"),
        (f"kind,old_ref,new_ref\nnik,{NIK},{'b' * 64}\n", "old_ref is not 64 lowercase hex"),
        (f"kind,old_ref,new_ref\nkk,{'a' * 64},{'A' * 64}\n", "new_ref is not 64 lowercase hex"),
        (f"kind,old_ref,new_ref\nkk,{'a' * 64},{'a' * 64}\n", "old_ref and new_ref are the same"),
    ],
)
def test_a_malformed_map_is_refused_naming_the_line(tmp_path: Path, content: str, problem: str):
    path = tmp_path / "map.csv"
    path.write_text(content)
    with pytest.raises(MapError, match=problem):
        read_maps([path])


def test_references_inside_a_referrals_need_key_are_re_keyed_and_unknown_ones_reported():
    refs = RefMap()
    person, household = pair_of("nik", NIK), pair_of("kk", KK)
    refs.add(person)
    refs.add(household)
    old_key = need_key("health", "social", "gizi", person.old_ref, household.old_ref)
    rewritten, unmapped = rewrite_within(old_key, refs)
    assert rewritten == need_key("health", "social", "gizi", person.new_ref, household.new_ref)
    assert unmapped == []
    assert rewrite_within(rewritten, refs) == (rewritten, [])  # already new

    stranger = person_ref(OLD, "6402060000000099")
    key = need_key("health", "social", "gizi", stranger, None)
    assert rewrite_within(key, refs) == (key, [stranger])


def test_declarations_are_checked_against_the_tables():
    metadata = MetaData()
    Table(
        "child",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("nik", String(16)),
        Column("person_ref", String(64)),
    )
    Table("log", metadata, Column("person_ref", String(64)))  # no primary key
    tables = dict(metadata.tables)
    check_declarations((PseudonymColumn("child", "person_ref", "nik", identifier="nik"),), tables)
    for declared, problem in [
        (PseudonymColumn("kid", "person_ref", "nik"), "no table 'kid'"),
        (PseudonymColumn("child", "child_ref", "nik"), "has no column 'child_ref'"),
        (PseudonymColumn("child", "person_ref", "nik", identifier="no_kk"), "no column 'no_kk'"),
        (RefsWithin("child", "need_key"), "has no column 'need_key'"),
        (PseudonymColumn("log", "person_ref", "nik"), "'log' has no primary key"),
    ]:
        with pytest.raises(ValueError, match=problem):
            check_declarations((declared,), tables)
