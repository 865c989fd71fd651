"""Debian's Chromium, the browser the dashboard's page tests drive.

Playwright's own browser download cannot reach this project's machines, so tests launch the
distribution's build at ``/usr/bin/chromium`` instead; ``./simpul test`` installs it first.

    python -m simpul_platform.devstack.chromium install
    python -m simpul_platform.devstack.chromium path
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["CHROMIUM", "chromium_executable", "ensure_chromium_installed", "main"]

CHROMIUM = Path("/usr/bin/chromium")
# Without recommends: they pull in udev, upower and a printer tool a headless test has no use
# for. fonts-liberation is among them but kept: the system font stack then renders with the
# metric-compatible faces most pages are designed against, so screenshots look as users see.
_PACKAGES = ("chromium", "fonts-liberation")


def chromium_executable() -> Path:
    """The installed browser; says how to install it when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    raise RuntimeError(
        f"{CHROMIUM} not found: install it with "
        "`python -m simpul_platform.devstack.chromium install` (as root)"
    )


def ensure_chromium_installed() -> Path:
    """Return the browser's path, apt-installing Debian's chromium when it is missing."""
    if not CHROMIUM.exists():
        _apt_install()
    return chromium_executable()


def _apt_install() -> None:
    if os.geteuid() != 0:
        raise RuntimeError(
            f"{CHROMIUM} not found. Install Debian's package first: "
            f"sudo apt-get install --no-install-recommends {' '.join(_PACKAGES)}"
        )
    if shutil.which("apt-get") is None:
        raise RuntimeError("Chromium is not installed and apt-get is not available")
    print("simpul: installing Chromium with apt-get (one-time) ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _apt(["update"], env)
    _apt(["install", "-y", "--no-install-recommends", *_PACKAGES], env)


def _apt(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(["apt-get", *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise RuntimeError(f"apt-get {' '.join(args)} failed ({proc.returncode}):\n{tail}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simpul_platform.devstack.chromium",
        description="Install Debian's Chromium for the browser tests, or print where it is.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install Debian's chromium package if missing")
    sub.add_parser("path", help="print the browser's executable")
    args = parser.parse_args(argv)
    try:
        found = ensure_chromium_installed() if args.command == "install" else chromium_executable()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
