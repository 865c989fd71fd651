"""deploy/Dockerfile, parsed by the official BuildKit parser (the ``dockerfile`` package): no
container engine builds it here, so its shape is what the suite can check."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import dockerfile
import pytest

from simpul_platform.devstack.services import load_services

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
PYTHON_SLIM = re.compile(r"python:3\.11\.\d+-slim(-[a-z]+)?")  # pinned to a patch release
BUILD_TOOLS = re.compile(
    r"\b(apt-get|apt|apk|dnf|yum|gcc|g\+\+|cc|make|build-essential|pip|uv|curl|wget)\b"
)

Stage = list[dockerfile.Command]


def _stages() -> list[Stage]:
    stages: list[Stage] = []
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "FROM":
            stages.append([])
        assert stages, f"line {command.start_line}: {command.cmd} before any FROM"
        stages[-1].append(command)
    return stages


def _only(stage: Stage, cmd: str) -> dockerfile.Command:
    found = [c for c in stage if c.cmd == cmd]
    assert len(found) == 1, f"{len(found)} {cmd} in the stage"
    return found[0]


def _env(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for command in stage:
        if command.cmd == "ENV":
            env.update(zip(command.value[::2], command.value[1::2], strict=True))
    return env


def test_multi_stage_from_pinned_images() -> None:
    stages = _stages()
    assert len(stages) >= 2
    for stage in stages:
        image = stage[0].value[0]
        assert ":" in image and not image.endswith(":latest"), f"{image} is not pinned"
    assert PYTHON_SLIM.fullmatch(stages[-1][0].value[0])
    builder = [s for s in stages if "uv sync" in " ".join(c.original for c in s if c.cmd == "RUN")]
    assert len(builder) == 1 and PYTHON_SLIM.fullmatch(builder[0][0].value[0])


def test_the_builder_installs_the_locked_workspace_without_dev_tools() -> None:
    runs = [c.value[0] for s in _stages()[:-1] for c in s if c.cmd == "RUN"]
    assert any("uv sync --frozen --no-dev --all-packages" in r for r in runs)
    assert not any("--no-dev" not in r for r in runs if "uv sync" in r)
    env = {k: v for s in _stages()[:-1] for k, v in _env(s).items()}
    assert env["UV_PROJECT_ENVIRONMENT"] == "/app/.venv"


def test_every_uv_sync_installs_the_lock_file_as_it_is() -> None:
    """``--frozen`` (or ``--locked``): the image gets exactly what uv.lock pins, never a
    resolution made at build time."""
    syncs = [c.value[0] for s in _stages() for c in s if c.cmd == "RUN" and "uv sync" in c.value[0]]
    assert syncs
    for run in syncs:
        assert re.search(r"uv sync\b[^&;|]*--(frozen|locked)\b", run), run


def test_every_workspace_member_is_installed() -> None:
    """A new member (a new service) must be added to the dependency layer's COPY lines."""
    members = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    expected = {
        str(p.parent.relative_to(ROOT)) + "/"
        for pattern in members["members"]
        for p in ROOT.glob(f"{pattern}/pyproject.toml")
    }
    copied = {
        c.value[-1] for s in _stages() for c in s if c.cmd == "COPY" and c.value[0].endswith(
            "pyproject.toml") and c.value[0] != "pyproject.toml"
    }  # fmt: skip
    assert copied == expected


def test_the_final_stage_copies_only_the_built_app_and_has_no_build_tools() -> None:
    final = _stages()[-1]
    copies = [c for c in final if c.cmd in ("COPY", "ADD")]
    assert [(c.cmd, c.flags, c.value) for c in copies] == [
        ("COPY", ("--from=builder",), ("/app", "/app"))
    ]
    for run in (c for c in final if c.cmd == "RUN"):
        assert not BUILD_TOOLS.search(run.value[0]), f"final stage runs {run.value[0]!r}"


def test_the_final_stage_runs_as_a_fixed_non_root_user() -> None:
    final = _stages()[-1]
    users = [c for c in final if c.cmd == "USER"]
    assert users, "no USER in the final stage"
    user = users[-1].value[0]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0, user
    assert [c for c in final if c.cmd == "RUN"]  # the user is created
    assert f"--uid {uid}" in " ".join(c.value[0] for c in final if c.cmd == "RUN")


def test_nothing_is_written_outside_tmp_at_run_time() -> None:
    env = _env(_stages()[-1])
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] == "/tmp" and env["TMPDIR"] == "/tmp"
    assert env["SIMPUL_ROOT"] == "/app"
    assert env["PATH"].startswith("/app/.venv/bin:")
    # Bytecode is compiled at build time instead (site-packages by uv, the sources by compileall).
    builder = " ".join(c.original for s in _stages()[:-1] for c in s)
    assert "UV_COMPILE_BYTECODE" in builder and "compileall" in builder


def test_one_image_runs_any_service_by_command() -> None:
    final = _stages()[-1]
    entrypoint, cmd = _only(final, "ENTRYPOINT"), _only(final, "CMD")
    assert entrypoint.json and entrypoint.value == ("python", "-m", "simpul_platform.deploy")
    assert cmd.json and cmd.value[0] == "serve"
    assert cmd.value[1] in {e.name for e in load_services(ROOT / "deploy" / "services.toml")}


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/.venv", ".git", ".data", "**/tests", "**/__pycache__"):
        assert pattern in ignored


BUILD = "docker build -f deploy/Dockerfile -t simpul ."


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves ``path`` (or a folder above it) out of the build context:
    its patterns in order, ``**/`` for any depth, ``!`` taking a path back in."""
    parents = Path(path).parents
    candidates = [path, *(str(p) for p in parents if str(p) != ".")]
    ignored = False
    for pattern in patterns:
        keep, glob = pattern.startswith("!"), pattern.lstrip("!").rstrip("/")
        globs = [glob, glob[3:]] if glob.startswith("**/") else [glob]
        if any(fnmatch.fnmatchcase(c, g) for c in candidates for g in globs):
            ignored = not keep
    return ignored


def test_the_documented_build_command_gives_the_dockerfile_its_context() -> None:
    """The build context is the repository root (README, the Dockerfile's own header): every
    COPY source is there and not left out by .dockerignore."""
    assert BUILD in (ROOT / "README.md").read_text()
    assert BUILD in DOCKERFILE.read_text()
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = [
        source
        for stage in _stages()
        for c in stage
        if c.cmd in ("COPY", "ADD") and not any(f.startswith("--from=") for f in c.flags)
        for source in c.value[:-1]
    ]
    assert "uv.lock" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not _ignored(source, patterns), f"COPY {source}: left out by .dockerignore"
    assert _ignored("services/health/tests/unit", patterns)  # the check can say no
