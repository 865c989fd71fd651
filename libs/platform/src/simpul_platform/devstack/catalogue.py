"""The event catalogue, generated from every service in deploy/services.toml: the event types
each publishes (``send``) and what each of its consumers receives (``receive``). A workspace
tool: it imports every service. The gateway serves the committed copy it writes.

    uv run python -m simpul_platform.devstack.catalogue           # rewrite the committed copies
    uv run python -m simpul_platform.devstack.catalogue --check   # exit 1 when they are stale
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simpul_platform.app import ServiceSpec
from simpul_platform.asyncapi import asyncapi_document
from simpul_platform.devstack.project import project_root
from simpul_platform.devstack.services import load_services

# docs/ for readers; the gateway's package, so a gateway deployed alone serves it whole.
COPIES = ("docs/asyncapi.json", "gateway/src/simpul_gateway/asyncapi.json")


def service_specs() -> dict[str, ServiceSpec]:
    """Each service's ServiceSpec, from the app factory its services.toml block names."""
    specs: dict[str, ServiceSpec] = {}
    for entry in load_services():
        module, _, factory = entry.app.partition(":")
        app = getattr(importlib.import_module(module), factory)()
        specs[entry.name] = app.state.spec
    return specs


def catalogue(specs: dict[str, ServiceSpec] | None = None) -> dict[str, Any]:
    """The AsyncAPI document of ``specs`` (by default every service's)."""
    specs = service_specs() if specs is None else specs
    published = {
        name: sorted(spec.published_events, key=lambda event: event.event_type)
        for name, spec in specs.items()
        if spec.published_events
    }
    consumed = {name: spec.consumers for name, spec in specs.items() if spec.consumers}
    return asyncapi_document(published, consumed, title="Simpul events", version="1.0.0")


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def main(argv: Sequence[str] = sys.argv[1:]) -> int:
    text = render(catalogue())
    stale = [copy for copy in COPIES if _read(project_root() / copy) != text]
    if "--check" in argv:
        for copy in stale:
            print(f"{copy} is stale: uv run python -m simpul_platform.devstack.catalogue")
        return 1 if stale else 0
    for copy in stale:
        (project_root() / copy).write_text(text)
        print(f"wrote {copy}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
