"""deploy/compose.yaml: valid under the Compose Specification's JSON schema (vendored in
deploy/schemas/), and a faithful single-server rendering of deploy/services.toml."""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from simpul_platform.devstack.services import ServiceEntry, load_services

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
SCHEMA = ROOT / "deploy" / "schemas" / "compose-spec.json"
SERVICES = load_services(ROOT / "deploy" / "services.toml")
STATEFUL = [e for e in SERVICES if e.database]
# A compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<rest>[^}]*)\}")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE|ACCESS_KEY|CLUSTER_ID")
# The secrets settings.py refuses as development defaults outside development.
REFUSED_DEFAULTS = ("SIMPUL_JWT_SECRET", "SIMPUL_PSEUDONYM_SECRET")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _service(name: str) -> dict[str, Any]:
    service = _compose()["services"].get(name)
    assert service is not None, f"{name} is not in deploy/compose.yaml"
    assert isinstance(service, dict)
    return service


def _of_image(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if s.get("image") == "simpul:latest"}


def test_the_schema_is_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema["title"] == "Compose Specification"
    assert "compose-spec/compose-spec" in (SCHEMA.parent / "README.md").read_text()


def test_compose_validates_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_compose())]
    assert not errors, "\n".join(errors)


def test_the_schema_catches_a_mistake() -> None:
    """The validation above is not vacuous: a misspelt key is refused."""
    broken = _compose()
    broken["services"]["health"]["helthcheck"] = broken["services"]["health"].pop("healthcheck")
    schema = json.loads(SCHEMA.read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_every_service_runs_its_api_on_its_port_with_a_readyz_healthcheck(
    entry: ServiceEntry,
) -> None:
    service = _service(entry.name)
    assert service["command"] == ["api", entry.name]
    assert f"{entry.port}:{entry.port}" in service["ports"]
    test = " ".join(service["healthcheck"]["test"])
    assert f"127.0.0.1:{entry.port}/readyz" in test


@pytest.mark.parametrize("entry", STATEFUL, ids=lambda e: e.name)
def test_every_stateful_service_has_a_worker_on_its_side_port(entry: ServiceEntry) -> None:
    """The worker: `worker <service>`, checked on the side port's /readyz, published nowhere,
    started after the service's migration with the API's own environment and volumes."""
    worker = _service(f"{entry.name}-worker")
    assert worker["command"] == ["worker", entry.name]
    test = " ".join(worker["healthcheck"]["test"])
    assert f"127.0.0.1:{entry.worker_port}/readyz" in test
    assert entry.worker_port == entry.port + 1000
    assert "ports" not in worker
    assert worker["depends_on"][f"migrate-{entry.name}"]["condition"] == (
        "service_completed_successfully"
    )
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"
    api = _service(entry.name)
    assert worker["environment"] == api["environment"]
    assert worker.get("volumes") == api.get("volumes")


def test_only_stateful_services_have_workers() -> None:
    workers = {n for n in _compose()["services"] if n.endswith("-worker")}
    assert workers == {f"{e.name}-worker" for e in STATEFUL}


def test_api_and_worker_leave_the_migrations_to_the_one_shot() -> None:
    for entry in STATEFUL:
        for name in (entry.name, f"{entry.name}-worker"):
            assert _service(name)["environment"]["SIMPUL_MIGRATE_ON_START"] == "false", name


@pytest.mark.parametrize("entry", STATEFUL, ids=lambda e: e.name)
def test_a_service_starts_after_its_migration_completed(entry: ServiceEntry) -> None:
    migrate = _service(f"migrate-{entry.name}")
    assert migrate["command"] == ["migrate", entry.name]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    depends = _service(entry.name)["depends_on"]
    assert depends[f"migrate-{entry.name}"]["condition"] == "service_completed_successfully"
    assert depends["kafka"]["condition"] == "service_healthy"


@pytest.mark.parametrize("entry", STATEFUL, ids=lambda e: e.name)
def test_a_service_and_its_migration_use_its_own_database(entry: ServiceEntry) -> None:
    key = f"{entry.env_prefix}_DATABASE_URL"
    for name in (entry.name, f"{entry.name}-worker", f"migrate-{entry.name}"):
        url = _service(name)["environment"][key]
        assert url.startswith("postgresql+asyncpg://")
        assert url.endswith(f"@postgres:5432/{entry.database}")


def test_postgres_makes_one_database_per_service() -> None:
    postgres = _service("postgres")
    assert set(postgres["environment"]["SIMPUL_DATABASES"].split(",")) == {
        e.database for e in STATEFUL
    }
    init = [v for v in postgres["volumes"] if "/docker-entrypoint-initdb.d/" in v]
    assert len(init) == 1
    script = COMPOSE.parent / init[0].split(":")[0]
    assert script.is_file() and "CREATE DATABASE" in script.read_text()


def test_the_gateway_starts_once_the_field_services_are_healthy() -> None:
    depends = _service("gateway")["depends_on"]
    assert {n: d["condition"] for n, d in depends.items()} == {
        e.name: "service_healthy" for e in STATEFUL
    }


def test_kafka_runs_kraft_from_the_official_image_of_the_pom_version() -> None:
    kafka = _service("kafka")
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    found = re.search(r"<kafka\.version>(\d+)\.(\d+)\.\d+</kafka\.version>", pom)
    assert found is not None
    image, _, tag = kafka["image"].partition(":")
    assert image == "apache/kafka"
    major_minor = f"{found[1]}.{found[2]}"
    assert re.fullmatch(rf"{re.escape(major_minor)}\.\d+", tag), f"{tag} is not {major_minor}.x"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_images_are_pinned() -> None:
    for name, service in _compose()["services"].items():
        if service.get("image") == "simpul:latest":
            continue  # built from deploy/Dockerfile, whose base images are pinned
        image, _, tag = service["image"].partition(":")
        assert re.fullmatch(r"\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?", tag), f"{name}: {image}:{tag}"


def test_data_lives_in_named_volumes() -> None:
    compose = _compose()
    named = set(compose["volumes"])
    for name, mount in (("kafka", "/var/lib/kafka/data"), ("postgres", "/var/lib/postgresql/data")):
        mounts = [v.split(":") for v in _service(name)["volumes"]]
        assert [mount] == [m[1] for m in mounts if m[0] in named], f"{name}: {mount} is not named"
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in named or source.startswith("./"), volume


def test_no_secret_has_a_default() -> None:
    """Every secret comes from the environment as ${NAME:?message}: compose refuses to start
    without it, and nothing in this file could ever stand in for it."""
    text = COMPOSE.read_text()
    uses = list(INTERPOLATION.finditer(text))
    assert uses
    for use in uses:
        assert use["op"] in (":?", "?"), f"{use[0]}: an interpolation must be required, no default"
    for service in _compose()["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), f"{key} is not required"


def test_services_get_the_secrets_settings_refuse_as_defaults_in_production() -> None:
    for name, service in _of_image(_compose()).items():
        env = service["environment"]
        assert env["SIMPUL_ENVIRONMENT"] == "production", name
        for key in REFUSED_DEFAULTS:
            assert env[key].startswith(f"${{{key}:?"), f"{name}: {key}"
        assert env["SIMPUL_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_every_peer_url_names_its_service_and_port() -> None:
    env = _service("gateway")["environment"]
    for entry in SERVICES:
        if entry.name == "gateway":
            continue
        key = f"SIMPUL_{entry.name.replace('-', '_').upper()}_URL"
        assert env[key] == f"http://{entry.name}:{entry.port}"


def test_the_image_runs_read_only_as_non_root() -> None:
    services = _of_image(_compose())
    assert set(services) == {e.name for e in SERVICES} | {
        f"{prefix}{e.name}{suffix}"
        for e in STATEFUL
        for prefix, suffix in (("migrate-", ""), ("", "-worker"))
    }
    for name, service in services.items():
        assert service["read_only"] is True, name
        assert "/tmp" in service["tmpfs"], name
        uid = str(service["user"]).split(":")[0]
        assert uid.isdigit() and int(uid) != 0, f"{name} runs as {service['user']}"
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"


# Stand-ins for the environment a deployment sets: base64 of 32 bytes passes every secret's rule.
DEPLOYMENT_ENV = {
    "SIMPUL_JWT_SECRET": "c2ltcHVsLWRlcGxveS10ZXN0LWp3dC1zZWNyZXQtMzI=",
    "SIMPUL_PSEUDONYM_SECRET": "c2ltcHVsLWRlcGxveS10ZXN0LXBzZXVkb255bS0zMiE=",
    "SIMPUL_REPORTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "SIMPUL_POSTGRES_PASSWORD": "pw",
    "SIMPUL_KAFKA_CLUSTER_ID": "5L6g3nShT-eMCtK--X86sw",
}


def _interpolated(value: object) -> str:
    return INTERPOLATION.sub(lambda m: DEPLOYMENT_ENV[m["name"]], str(value))


CONTAINERS = [(e, "api") for e in SERVICES] + [(e, "worker") for e in STATEFUL]


@pytest.mark.parametrize(("entry", "role"), CONTAINERS, ids=lambda v: getattr(v, "name", v))
def test_each_service_accepts_its_compose_environment_in_production(
    entry: ServiceEntry, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's own settings, built from exactly the environment compose gives it (with
    secrets set) in the role its command gives it, pass their production checks (no
    development secret left) and reach the database and broker compose runs."""
    for key in [k for k in os.environ if k.startswith(("SIMPUL_", f"{entry.env_prefix}_"))]:
        monkeypatch.delenv(key)
    container = entry.name if role == "api" else f"{entry.name}-worker"
    for key, value in _service(container)["environment"].items():
        monkeypatch.setenv(key, _interpolated(value))
    monkeypatch.setenv(f"{entry.env_prefix}_ROLE", role)  # as the entry point sets it
    module, _, factory = entry.app.partition(":")
    app = getattr(importlib.import_module(module), factory)()
    settings = app.state.settings
    assert settings.environment == "production"
    assert settings.role == role
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    if entry.database:
        assert settings.resolved_database_url.endswith(f"/{entry.database}")


def test_every_required_variable_is_one_a_deployment_is_told_to_set() -> None:
    names = {m["name"] for m in INTERPOLATION.finditer(COMPOSE.read_text())}
    assert names == set(DEPLOYMENT_ENV)
    readme = (ROOT / "README.md").read_text()
    assert all(name in readme for name in names)
