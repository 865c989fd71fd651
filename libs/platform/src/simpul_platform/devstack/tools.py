"""The validators the suite runs on deploy files, installed into ``.cache/tools/`` from the
registries at exact versions: Go tools by ``go install``, npm tools by ``npm ci`` of the
lock file committed in ``deploy/tools/``. ``./simpul test`` installs them before the suite.

    python -m simpul_platform.devstack.tools install
    python -m simpul_platform.devstack.tools path kustomize
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simpul_platform.devstack.project import project_root

__all__ = ["TOOLS", "Tool", "install_all", "main", "tool_path", "tools_dir"]


@dataclass(frozen=True)
class Tool:
    name: str
    kind: str  # "go": `go install package@version`; "npm": a bin of deploy/tools' lock file
    package: str
    version: str

    @property
    def stamp(self) -> str:
        return f"{self.package}@{self.version}"


TOOLS: tuple[Tool, ...] = (
    Tool("kustomize", "go", "sigs.k8s.io/kustomize/kustomize/v5", "v5.7.1"),
    Tool("promtool", "go", "github.com/prometheus/prometheus/cmd/promtool", "v0.316.0"),
    Tool("dockerfilelint", "npm", "dockerfilelint", "1.8.0"),
)


def tools_dir() -> Path:
    return project_root() / ".cache" / "tools"


def _binary(tool: Tool) -> Path:
    if tool.kind == "npm":
        return tools_dir() / "node" / "node_modules" / ".bin" / tool.name
    return tools_dir() / "bin" / tool.name


def _find(name: str) -> Tool:
    for tool in TOOLS:
        if tool.name == name:
            return tool
    raise KeyError(f"unknown tool {name!r}; known: {', '.join(t.name for t in TOOLS)}")


def tool_path(name: str) -> Path:
    """The installed tool's executable; says how to install it when it is missing."""
    tool = _find(name)
    binary = _binary(tool)
    if binary.exists() and _installed_stamp(tool) == tool.stamp:
        return binary
    raise RuntimeError(
        f"{name} {tool.version} is not installed: run `python -m simpul_platform.devstack.tools "
        "install` (./simpul test does)"
    )


def _stamp_file(tool: Tool) -> Path:
    return tools_dir() / "stamps" / tool.name


def _installed_stamp(tool: Tool) -> str | None:
    stamp = _stamp_file(tool)
    return stamp.read_text().strip() if stamp.exists() else None


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-3000:]
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{tail}")


def _install_go(tool: Tool) -> None:
    if shutil.which("go") is None:
        raise RuntimeError(f"{tool.name} needs Go on PATH to install")
    env = {**os.environ, "GOBIN": str(tools_dir() / "bin"), "GOFLAGS": "-buildvcs=false"}
    _run(["go", "install", tool.stamp], cwd=tools_dir(), env=env)


def _install_npm(tool: Tool) -> None:
    if shutil.which("npm") is None:
        raise RuntimeError(f"{tool.name} needs Node.js and npm on PATH to install")
    node = tools_dir() / "node"
    node.mkdir(parents=True, exist_ok=True)
    source = project_root() / "deploy" / "tools"
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(source / name, node / name)
    npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    _run(npm_ci, cwd=node, env=dict(os.environ))


def install(tool: Tool) -> Path:
    if _binary(tool).exists() and _installed_stamp(tool) == tool.stamp:
        return _binary(tool)
    print(f"simpul: installing {tool.name} {tool.version} ...", file=sys.stderr)
    tools_dir().mkdir(parents=True, exist_ok=True)
    _install_go(tool) if tool.kind == "go" else _install_npm(tool)
    _stamp_file(tool).parent.mkdir(parents=True, exist_ok=True)
    _stamp_file(tool).write_text(tool.stamp + "\n")
    return _binary(tool)


def install_all() -> list[Path]:
    return [install(tool) for tool in TOOLS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simpul_platform.devstack.tools",
        description="Install the deploy files' validators, or print where one is.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install every validator missing from .cache/tools/")
    path = sub.add_parser("path", help="print one validator's executable")
    path.add_argument("name", choices=[t.name for t in TOOLS])
    args = parser.parse_args(argv)
    try:
        found = install_all() if args.command == "install" else [tool_path(args.name)]
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(str(p) for p in found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
