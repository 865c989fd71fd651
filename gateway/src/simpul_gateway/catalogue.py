"""The event catalogue the gateway serves: the committed AsyncAPI document (docs/asyncapi.json),
shipped in this package so a gateway deployed without the services serves it whole.

The workspace regenerates both copies from every service's code:

    uv run python -m simpul_platform.devstack.catalogue
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

PACKAGED = "asyncapi.json"


@cache
def catalogue() -> dict[str, Any]:
    """The packaged document (read once)."""
    document: dict[str, Any] = json.loads(
        files("simpul_gateway").joinpath(PACKAGED).read_text(encoding="utf-8")
    )
    return document
