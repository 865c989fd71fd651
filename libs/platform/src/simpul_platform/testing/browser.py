"""Real-browser fixtures: Debian's headless Chromium driven by Playwright's async API.

* ``chromium_browser`` (session): one browser for the whole test session, closed at its end.
* ``browser_errors`` (test): what went wrong in the page: console errors, uncaught exceptions,
  requests that failed or were answered 4xx/5xx. ``allow(pattern)`` accepts expected ones.
* ``browser_page`` (test): a page in a fresh context (own cookies and storage); when the test
  is done, any problem ``browser_errors`` holds that was not allowed fails it.

The helpers a page test uses on such a page (axe, screenshots, weight) are in
``simpul_platform.testing.browser_checks``.

The API is async because the suite runs on one session-wide asyncio loop: Playwright's sync API
refuses to run inside a running loop, and its async objects belong to the loop that made them,
hence ``loop_scope="session"`` here.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from simpul_platform.devstack.chromium import ensure_chromium_installed

if TYPE_CHECKING:
    # Imported when a browser starts, not here: this module is part of the pytest plugin
    # every test run loads, and Playwright takes half a second to import.
    from playwright.async_api import Browser, ConsoleMessage, Error, Page, Request, Response

# The flags the machine notes give for Debian's Chromium as root on a closed network: no
# sandbox (root), no GPU (none), and none of the background calls to Google's hosts, which
# this network refuses and which would otherwise be retried throughout a run.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


# Room for "/simpul-chromium-XXXXXXXX/org.chromium.Chromium.XXXXXX/SingletonSocket" after it.
_MAX_TMP_LEN = 40
# Chromium's console line for a resource answered 4xx/5xx.
_LOAD_FAILED = "Failed to load resource: the server responded with a status of"


class BrowserProblemsError(AssertionError):
    """The page logged errors or requests failed; the message lists them."""


@dataclass
class BrowserErrors:
    """Problems one test's page ran into, in the order they happened."""

    problems: list[str] = field(default_factory=list)
    _allowed: list[re.Pattern[str]] = field(default_factory=list)
    # URLs answered 4xx/5xx: told once as "HTTP 404 GET url", not again by the console's
    # "Failed to load resource" line or the aborted request that follow it.
    _answered_error: set[str] = field(default_factory=set)

    def allow(self, pattern: str) -> None:
        """Accept every problem whose text matches ``pattern`` (a regular expression, searched),
        e.g. ``allow(r"HTTP 403 GET .*/dashboard/ringkasan")`` on a page that must refuse."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self._allowed)]

    def check(self) -> None:
        """Raise listing the problems not allowed, if any."""
        if found := self.unexpected():
            listed = "\n".join(f"  - {problem}" for problem in found)
            raise BrowserProblemsError(
                f"the page ran into {len(found)} problem(s):\n{listed}\n"
                "(browser_errors.allow(pattern) accepts an expected one)"
            )

    def watch(self, page: Page) -> None:
        """Record this page's problems from now on."""
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if where in self._answered_error and message.text.startswith(_LOAD_FAILED):
            return
        self.problems.append(f"console error: {message.text}" + (f" (at {where})" * bool(where)))

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception: {error.message}")

    def _on_request_failed(self, request: Request) -> None:
        if request.url in self._answered_error:
            return
        self.problems.append(
            f"request failed: {request.method} {request.url} ({request.failure or 'no reason'})"
        )

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            request = response.request
            self._answered_error.add(response.url)
            self.problems.append(f"HTTP {response.status} {request.method} {response.url}")


def _short_tmp() -> str:
    # Chromium keeps a unix socket in its temp folder, and a socket path over 107 bytes stops
    # it at start ("Socket path too long"): a deep TMPDIR (pytest's tmp_path) gives way to /tmp.
    found = tempfile.gettempdir()
    return found if len(found) <= _MAX_TMP_LEN else "/tmp"


@contextlib.contextmanager
def _driver_tmpdir(path: str) -> Iterator[None]:
    # Playwright's driver makes each browser's fresh, empty profile (user-data-dir) in its own
    # temp folder; pointing it at ours means that folder goes with the session, whatever the
    # driver leaves behind. The driver copies the environment once, when it starts.
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = path
    try:
        yield
    finally:
        if before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = before


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium_browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium, started once per session and closed (with its driver) at its
    end, so no browser process outlives the run."""
    from playwright.async_api import async_playwright

    executable = ensure_chromium_installed()
    with tempfile.TemporaryDirectory(prefix="simpul-chromium-", dir=_short_tmp()) as tmp:
        with _driver_tmpdir(tmp):
            playwright = await async_playwright().start()
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                yield browser
            finally:
                await browser.close()
        finally:
            await playwright.stop()


@pytest.fixture
def browser_errors() -> BrowserErrors:
    """The problems of this test's ``browser_page``; ``allow(pattern)`` accepts expected ones."""
    return BrowserErrors()


@pytest_asyncio.fixture(loop_scope="session")
async def browser_page(
    chromium_browser: Browser, browser_errors: BrowserErrors
) -> AsyncIterator[Page]:
    """A page in a context of its own; fails the test (at teardown) when the page logged an
    error or a request failed that the test did not allow."""
    context = await chromium_browser.new_context()
    page = await context.new_page()
    browser_errors.watch(page)
    try:
        yield page
    finally:
        # Closing round-trips the driver, so every event the page sent is recorded before the
        # check, an error logged just before the test ended included.
        await context.close()
    browser_errors.check()
