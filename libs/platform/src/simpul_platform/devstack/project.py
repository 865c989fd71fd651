"""Where the project's own files (deploy/, services table, caches) live."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def project_root() -> Path:
    """The repository root: $SIMPUL_ROOT, or the nearest parent holding deploy/kafka/pom.xml."""
    if env := os.environ.get("SIMPUL_ROOT"):
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for candidate in (start, *start.parents):
            if (candidate / "deploy" / "kafka" / "pom.xml").exists():
                return candidate
    raise RuntimeError("cannot find the Simpul checkout; set SIMPUL_ROOT to it")
