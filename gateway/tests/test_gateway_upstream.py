"""How the gateway calls a service: cheap per call, and still bounded by its time budget."""

from __future__ import annotations

import sys

import httpcore
import pytest

import simpul_gateway.upstream  # noqa: F401  (its import is what is tested)

pytestmark = pytest.mark.unit


async def test_httpcore_learns_it_runs_on_asyncio_without_searching_for_sniffio():
    """httpcore imports sniffio several times per request; absent, each import searched all of
    sys.path again. The gateway makes the import fail at once instead."""
    try:
        import sniffio  # noqa: F401
    except ModuleNotFoundError:
        assert sys.modules["sniffio"] is None
    assert httpcore._synchronization.current_async_library() == "asyncio"
