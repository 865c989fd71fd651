"""A page test whose page logs an error fails (an error at its teardown), though its own
assertions passed; an error the test allows does not fail it. Run as a pytest session of its
own, which also shows the session leaves no Chromium process and no profile folder behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PAGE_TESTS = """
async def test_a_page_that_logs_an_error(browser_page):
    await browser_page.set_content("<script>console.error('jumlah posyandu negatif')</script>")
    assert await browser_page.title() == ""


async def test_a_page_whose_error_is_expected(browser_page, browser_errors):
    browser_errors.allow("galat yang diharapkan")
    await browser_page.set_content("<script>console.error('galat yang diharapkan')</script>")


async def test_a_quiet_page(browser_page):
    await browser_page.set_content("<p>tenang</p>")
    assert await browser_page.text_content("p") == "tenang"
"""

INI = """[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = session
asyncio_default_test_loop_scope = session
"""


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended while we looked
            continue
        if text in args:
            found.append(f"{cmdline.parent.name}: {args[:200]}")
    return found


def test_an_error_in_the_page_fails_its_test_and_the_browser_goes_with_the_session(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_pages.py").write_text(PAGE_TESTS)
    (tmp_path / "pytest.ini").write_text(INI)
    # Short, as the fixture needs for Chromium's socket (a deep one it would pass over).
    browser_tmp = Path(tempfile.mkdtemp(prefix="sbt-", dir="/tmp"))
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "test_pages.py"],
            cwd=tmp_path,
            env={**os.environ, "TMPDIR": str(browser_tmp)},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        left = list(browser_tmp.iterdir())
    finally:
        shutil.rmtree(browser_tmp)

    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    # pytest tells a fixture's failing teardown as an error of the test, beside its pass.
    assert "3 passed, 1 error" in out
    assert "ERROR test_pages.py::test_a_page_that_logs_an_error" in out
    assert "console error: jumlah posyandu negatif" in out
    assert "galat yang diharapkan" not in out.split("short test summary info")[0]
    # The browser's profile lived under the session's TMPDIR: no process still uses it, and
    # the folder went with the session.
    assert _processes_mentioning(str(browser_tmp)) == []
    assert left == []
