"""The import CLI splits a file into chunks, and refuses an unreadable one as the service would."""

from __future__ import annotations

from pathlib import Path

import pytest

from simpul_registry.cli import chunks, main

pytestmark = pytest.mark.unit
HEADER = b"name,desa_code\n"


def test_chunks_carry_the_header_and_their_first_row_number() -> None:
    raw = b"\xef\xbb\xbf" + HEADER + b"".join(b"Posyandu %d,64.02.06.2012\n" % i for i in range(5))
    parts = chunks(raw, 2)
    assert [first for first, _ in parts] == [2, 4, 6]
    assert all(text.startswith("name,desa_code\r\n") for _, text in parts)
    assert parts[2][1].splitlines()[1:] == ["Posyandu 4,64.02.06.2012"]


def test_an_unreadable_file_is_named_by_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    oversized = tmp_path / "kukar.csv"
    oversized.write_bytes(HEADER + b"Posyandu " + b"x" * 200_000 + b",64.02.06.2012\n")
    assert main([str(oversized), "--url", "http://127.0.0.1:9"]) == 2
    assert "Line 2: A field is longer than" in capsys.readouterr().err
