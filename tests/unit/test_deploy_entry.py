"""simpul_platform.deploy, the image's entry point: each argument and the command it runs,
from deploy/services.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from simpul_platform import deploy
from simpul_platform.devstack.services import ServiceEntry, load_services

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = load_services(ROOT / "deploy" / "services.toml")


@pytest.fixture
def environments() -> list[dict[str, str]]:
    """The environment each exec'd command was given (``execve``; ``execv`` inherits ours)."""
    return []


@pytest.fixture
def executed(
    monkeypatch: pytest.MonkeyPatch, environments: list[dict[str, str]]
) -> list[list[str]]:
    calls: list[list[str]] = []

    def execv(path: str, argv: list[str]) -> None:
        assert path == argv[0]
        calls.append(list(argv))

    def execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        execv(path, argv)
        environments.append(dict(env))

    monkeypatch.setattr(deploy.os, "execv", execv)
    monkeypatch.setattr(deploy.os, "execve", execve)
    return calls


def uvicorn(entry: ServiceEntry, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", entry.app,
        "--host", "0.0.0.0", "--port", str(port), "--no-access-log",
    ]  # fmt: skip


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
@pytest.mark.parametrize(("action", "role"), [("serve", "all"), ("api", "api")])
def test_serve_and_api_run_uvicorn_of_the_app_factory_on_its_port_in_their_role(
    entry: ServiceEntry,
    action: str,
    role: str,
    executed: list[list[str]],
    environments: list[dict[str, str]],
) -> None:
    deploy.main([action, entry.name], SERVICES)
    assert executed == [uvicorn(entry, entry.port)]
    assert environments[0][f"{entry.env_prefix}_ROLE"] == role


@pytest.mark.parametrize("entry", [e for e in SERVICES if e.database], ids=lambda e: e.name)
def test_worker_runs_on_the_side_port_in_role_worker(
    entry: ServiceEntry, executed: list[list[str]], environments: list[dict[str, str]]
) -> None:
    deploy.main(["worker", entry.name], SERVICES)
    assert entry.worker_port == entry.port + 1000
    assert executed == [uvicorn(entry, entry.worker_port)]
    assert environments[0][f"{entry.env_prefix}_ROLE"] == "worker"


def test_the_environment_is_passed_on_with_the_role(
    monkeypatch: pytest.MonkeyPatch, executed: list[list[str]], environments: list[dict[str, str]]
) -> None:
    monkeypatch.setenv("HEALTH_DATABASE_URL", "postgresql+asyncpg://u:p@db/simpul_health")
    monkeypatch.setenv("HEALTH_ROLE", "all")  # the action decides, not a stray variable
    deploy.main(["worker", "health"], SERVICES)
    assert environments[0]["HEALTH_DATABASE_URL"] == "postgresql+asyncpg://u:p@db/simpul_health"
    assert environments[0]["HEALTH_ROLE"] == "worker"


def test_the_gateway_has_no_worker(executed: list[list[str]]) -> None:
    with pytest.raises(SystemExit, match="gateway owns no data: it has no worker"):
        deploy.main(["worker", "gateway"], SERVICES)
    assert executed == []


def test_demo_runs_the_demo_module_with_its_arguments(executed: list[list[str]]) -> None:
    deploy.main(["demo", "health", "--followup"], SERVICES)
    assert executed == [[sys.executable, "-m", "simpul_health.demo", "--followup"]]


def test_a_service_without_a_demo_says_so(executed: list[list[str]]) -> None:
    with pytest.raises(SystemExit, match="gateway has no demo"):
        deploy.main(["demo", "gateway"], SERVICES)
    assert executed == []


@pytest.mark.parametrize("argv", [[], ["serve"], ["start", "health"]])
def test_usage(argv: list[str], executed: list[list[str]]) -> None:
    with pytest.raises(SystemExit, match="usage"):
        deploy.main(argv, SERVICES)


def test_an_unknown_service_names_the_known_ones(executed: list[list[str]]) -> None:
    with pytest.raises(SystemExit, match=r"unknown service 'kesehatan'.*registry, health"):
        deploy.main(["serve", "kesehatan"], SERVICES)


def test_migrate_targets_the_service_migrations_and_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql+asyncpg://simpul:pw@postgres:5432/simpul_registry"
    monkeypatch.setenv("REGISTRY_DATABASE_URL", url)
    target = deploy.migration_target(deploy.find_service("registry", SERVICES))
    assert target == (ROOT / "services" / "registry" / "migrations", url)
    assert (target[0] / "env.py").is_file()


def test_migrate_runs_the_upgrade_in_process(
    monkeypatch: pytest.MonkeyPatch, executed: list[list[str]]
) -> None:
    upgraded: list[tuple[Path, str]] = []

    async def upgrade(migrations_dir: Path, database_url: str) -> None:
        upgraded.append((migrations_dir, database_url))

    monkeypatch.setattr("simpul_platform.migrations.upgrade", upgrade)
    monkeypatch.setenv("TRANTIB_DATABASE_URL", "postgresql+asyncpg://u:p@db/simpul_trantib")
    deploy.main(["migrate", "trantib"], SERVICES)
    assert upgraded == [
        (ROOT / "services" / "trantib" / "migrations", "postgresql+asyncpg://u:p@db/simpul_trantib")
    ]
    assert executed == []


def test_a_stateless_service_has_nothing_to_migrate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("simpul_platform.migrations.upgrade", None)  # never called
    deploy.main(["migrate", "gateway"], SERVICES)
    assert "gateway: nothing to migrate" in capsys.readouterr().err
