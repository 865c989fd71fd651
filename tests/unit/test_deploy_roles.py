"""Process roles (settings ``role``): what an api, a worker and an all-in-one process of a
service run and serve, decided from the settings alone (no broker or database needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from pydantic import ValidationError

from simpul_platform.app import RoleHook, api_hook, hooks_for, worker_hook
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

OPERATIONS = {"/healthz", "/readyz", "/metrics"}


def _paths(app: FastAPI) -> set[str]:
    """Every path the app answers, through its included routers (kept nested by FastAPI)."""
    return {context.path for context in routing.iter_route_contexts(list(app.routes))}


def test_role_defaults_to_all_and_is_read_from_the_service_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simpul_health.settings import HealthSettings

    assert HealthSettings().role == "all"
    monkeypatch.setenv("HEALTH_ROLE", "worker")
    assert HealthSettings().role == "worker"


def test_an_unknown_role_stops_start_up_naming_the_setting_and_the_roles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simpul_health.settings import HealthSettings

    monkeypatch.setenv("HEALTH_ROLE", "wroker")
    with pytest.raises(ValidationError, match=r"role\s+Input should be 'all', 'api' or 'worker'"):
        HealthSettings()


@pytest.mark.parametrize(
    ("role", "relay", "consumers", "expected"),
    [
        ("all", True, True, (True, True, True, True)),
        ("api", True, True, (True, False, False, False)),  # the role wins over the switches
        ("worker", True, True, (False, True, True, True)),
        ("worker", False, True, (False, True, False, True)),  # a finer switch inside the role
        ("all", True, False, (True, True, True, False)),
    ],
)
def test_what_a_role_runs(
    role: str, relay: bool, consumers: bool, expected: tuple[bool, bool, bool, bool]
) -> None:
    settings = ServiceSettings(role=role, relay_enabled=relay, consumers_enabled=consumers)
    assert (
        settings.serves_api,
        settings.runs_background,
        settings.runs_relay,
        settings.runs_consumers,
    ) == expected


async def _noop(_app: FastAPI) -> None:
    return None


async def _other(_app: FastAPI) -> None:
    return None


async def _third(_app: FastAPI) -> None:
    return None


def test_hooks_run_on_their_side_and_bare_ones_everywhere() -> None:
    hooks: list[Any] = [_noop, api_hook(_other), worker_hook(_third)]
    assert hooks_for(hooks, "all") == [_noop, _other, _third]
    assert hooks_for(hooks, "api") == [_noop, _other]
    assert hooks_for(hooks, "worker") == [_noop, _third]
    assert api_hook(_other) == RoleHook(_other, "api")


def test_a_worker_serves_only_the_operations_routes() -> None:
    from simpul_health.app import create_app
    from simpul_health.settings import HealthSettings

    worker = create_app(HealthSettings(role="worker"))
    assert _paths(worker) == OPERATIONS
    assert worker.openapi_url is None and worker.docs_url is None


def test_an_api_serves_the_domain_and_its_documents() -> None:
    from simpul_health.app import create_app
    from simpul_health.settings import HealthSettings

    api = create_app(HealthSettings(role="api"))
    paths = _paths(api)
    assert paths >= OPERATIONS
    assert "/v1/posyandu/{posyandu_id}/measurements" in paths
    assert {"/openapi.json", "/docs"} <= paths


def test_the_registry_preloads_wilayah_for_its_api_only() -> None:
    from simpul_registry.app import create_app
    from simpul_registry.settings import RegistrySettings

    spec = create_app(RegistrySettings()).state.spec
    assert [h.__name__ for h in hooks_for(spec.on_startup, "api")] == ["_preload_wilayah"]
    assert hooks_for(spec.on_startup, "worker") == []


def test_the_gateway_refuses_the_worker_role() -> None:
    from simpul_gateway.app import create_app
    from simpul_gateway.settings import GatewaySettings

    with pytest.raises(ValueError, match="gateway owns no data: it has no worker role"):
        create_app(GatewaySettings(role="worker"))


@pytest.mark.parametrize("split", [False, True])
def test_the_start_command_splits_only_stateful_services_when_asked(
    split: bool, tmp_path: Path
) -> None:
    from simpul_platform.devstack import cli
    from simpul_platform.devstack.services import load_services

    args = cli._arguments(["--split"] if split else [])
    for entry in load_services():
        processes = cli._processes(entry, {"X": "1"}, tmp_path, args)
        shape = [
            (p.role, p.port, p.log_file.name, p.env[f"{entry.env_prefix}_ROLE"]) for p in processes
        ]
        if split and entry.database:
            assert processes[1].env[f"{entry.env_prefix}_MIGRATE_ON_START"] == "false"
            assert shape == [
                ("api", entry.port, f"{entry.name}.log", "api"),
                ("worker", entry.port + 1000, f"{entry.name}-worker.log", "worker"),
            ]
        else:
            assert shape == [("all", entry.port, f"{entry.name}.log", "all")]
        assert all(p.env["X"] == "1" for p in processes)
