"""The official AsyncAPI 3.0.0 JSON Schema (npm package @asyncapi/specs), to validate our
generated event catalogue against the standard rather than against our own idea of it."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from simpul_platform.devstack.project import project_root

SPECS_PACKAGE = "@asyncapi/specs@6.11.1"
SCHEMA_FILE = "package/schemas/3.0.0-without-$id.json"


def asyncapi_schema() -> dict[str, Any]:
    """Fetch (once, into .cache/asyncapi) and load the AsyncAPI 3.0.0 schema."""
    cache = project_root() / ".cache" / "asyncapi"
    schema = cache / SCHEMA_FILE
    if not schema.exists():
        _fetch(cache)
    result: dict[str, Any] = json.loads(schema.read_text())
    return result


def _fetch(cache: Path) -> None:
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed once to fetch the AsyncAPI schema (@asyncapi/specs)")
    cache.mkdir(parents=True, exist_ok=True)
    packed = (
        subprocess.run(
            ["npm", "pack", SPECS_PACKAGE, "--silent", "--pack-destination", str(cache)],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tarfile.open(cache / packed) as archive:
        archive.extractall(cache, filter="data")
