"""The event catalogue: an AsyncAPI document of every topic and event type the services
publish, generated from their own ``events`` modules.

    uv run python -m simpul_gateway.catalogue docs/asyncapi.json   # refresh the committed copy
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from simpul_platform.asyncapi import asyncapi_document
from simpul_platform.events import EventPayload

SERVICES = ("registry", "health", "education", "social", "housing", "public_works", "trantib")


def published_events() -> dict[str, list[type[EventPayload]]]:
    """Event types per installed service, in the order its events module declares them."""
    found: dict[str, list[type[EventPayload]]] = {}
    for service in SERVICES:
        try:
            module = importlib.import_module(f"simpul_{service}.events")
        except ModuleNotFoundError:
            continue  # no service for this field yet
        events = [
            member
            for _, member in inspect.getmembers(module, inspect.isclass)
            if issubclass(member, EventPayload)
            and "event_type" in vars(member)
            and member.__module__ == module.__name__
        ]
        found[service] = sorted(events, key=lambda e: e.event_type)
    return found


def catalogue() -> dict[str, Any]:
    return asyncapi_document(published_events(), title="Simpul events", version="1.0.0")


def main() -> None:
    text = json.dumps(catalogue(), indent=2, sort_keys=False) + "\n"
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
