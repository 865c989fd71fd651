"""deploy/k8s: what a schema cannot say about the rendered overlays. Every service of
deploy/services.toml runs as the shared decisions say (an API Deployment on its port, a worker
on the side port, a migration Job; the gateway API only), every pod is probed, bounded and
locked down, secrets are only referenced, and each service's settings accept the environment
its pods get."""

from __future__ import annotations

import base64
import importlib
import os
import re
from pathlib import Path
from typing import Any

import pytest

from simpul_platform.devstack.services import ServiceEntry, load_services

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = load_services(ROOT / "deploy" / "services.toml")
STATEFUL = [e for e in SERVICES if e.database]
OVERLAYS = ("kabupaten", "provinsi")
ENTRY = ["python", "-m", "simpul_platform.deploy"]
SIDE_PORT_OFFSET = 1000
Doc = dict[str, Any]
# Secrets the operators write: the KafkaUsers' (named as the user) and the cluster CA.
OPERATOR_SECRETS = re.compile(r"^simpul-kafka-cluster-ca-cert$|^simpul-(?!db-|photos-|secrets$)")


def _find(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
    return found[0]


def _kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def _pod_spec(doc: Doc) -> Doc:
    spec: Doc = doc["spec"]["template"]["spec"]
    return spec


def _container(doc: Doc) -> Doc:
    containers = _pod_spec(doc)["containers"]
    assert len(containers) == 1, f"{doc['metadata']['name']}: one container expected"
    container: Doc = containers[0]
    return container


def _workloads(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d["kind"] in ("Deployment", "Job")]


@pytest.fixture(params=OVERLAYS)
def docs(request: pytest.FixtureRequest, k8s_rendered: dict[str, list[Doc]]) -> list[Doc]:
    rendered: list[Doc] = k8s_rendered[request.param]
    return rendered


@pytest.mark.parametrize("entry", STATEFUL, ids=lambda e: e.name)
def test_a_stateful_service_runs_an_api_a_worker_and_a_migration(
    entry: ServiceEntry, docs: list[Doc]
) -> None:
    api = _container(_find(docs, "Deployment", f"{entry.name}-api"))
    worker = _container(_find(docs, "Deployment", f"{entry.name}-worker"))
    migrate = _container(_find(docs, "Job", f"{entry.name}-migrate"))
    assert (api["command"], api["args"]) == (ENTRY, ["api", entry.name])
    assert (worker["command"], worker["args"]) == (ENTRY, ["worker", entry.name])
    assert (migrate["command"], migrate["args"]) == (ENTRY, ["migrate", entry.name])
    assert [p["containerPort"] for p in api["ports"]] == [entry.port]
    assert [p["containerPort"] for p in worker["ports"]] == [entry.port + SIDE_PORT_OFFSET]
    service = _find(docs, "Service", entry.name)
    assert [p["port"] for p in service["spec"]["ports"]] == [entry.port]
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "api"


def test_the_gateway_is_an_api_only(docs: list[Doc]) -> None:
    gateway = next(e for e in SERVICES if e.name == "gateway")
    api = _container(_find(docs, "Deployment", "gateway-api"))
    assert (api["command"], api["args"]) == (ENTRY, ["api", "gateway"])
    assert [p["containerPort"] for p in api["ports"]] == [gateway.port]
    names = {d["metadata"]["name"] for d in _workloads(docs)}
    assert not {"gateway-worker", "gateway-migrate"} & names
    # It has no Kafka client: given no broker settings, it needs no Kafka credentials.
    assert {"configMapRef": {"name": "simpul-kafka"}} not in api["envFrom"]


def test_every_workload_is_a_service_of_services_toml(docs: list[Doc]) -> None:
    expected = {f"{e.name}-{role}" for e in STATEFUL for role in ("api", "worker", "migrate")}
    expected.add("gateway-api")
    assert {d["metadata"]["name"] for d in _workloads(docs)} == expected


def _port_number(container: Doc, port: int | str) -> int:
    if isinstance(port, int):
        return port
    return int(next(p["containerPort"] for p in container["ports"] if p["name"] == port))


def test_every_deployment_is_probed_on_its_own_port(docs: list[Doc]) -> None:
    for deployment in _kind(docs, "Deployment"):
        container = _container(deployment)
        (served,) = [p["containerPort"] for p in container["ports"]]
        for probe, path in (
            ("startupProbe", "/healthz"),
            ("livenessProbe", "/healthz"),
            ("readinessProbe", "/readyz"),
        ):
            get = container[probe]["httpGet"]
            assert get["path"] == path, f"{deployment['metadata']['name']} {probe}"
            assert _port_number(container, get["port"]) == served


def test_every_worker_is_probed_on_its_side_port(docs: list[Doc]) -> None:
    for entry in STATEFUL:
        worker = _container(_find(docs, "Deployment", f"{entry.name}-worker"))
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            port = _port_number(worker, worker[probe]["httpGet"]["port"])
            assert port == entry.port + SIDE_PORT_OFFSET, f"{entry.name} worker {probe}"


def test_every_pod_is_bounded_and_locked_down(docs: list[Doc]) -> None:
    for workload in _workloads(docs):
        name, pod, container = (
            workload["metadata"]["name"],
            _pod_spec(workload),
            _container(workload),
        )
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{name} {bound}"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001, name  # the image's user
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        locked = container["securityContext"]
        assert locked["readOnlyRootFilesystem"] is True, name
        assert locked["allowPrivilegeEscalation"] is False, name
        assert locked["capabilities"] == {"drop": ["ALL"]}, name
        tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
        volume = next(v for v in pod["volumes"] if v["name"] == tmp["name"])
        assert "emptyDir" in volume, f"{name}: /tmp is not an emptyDir"


def test_every_container_runs_the_one_image_at_the_overlays_tag(docs: list[Doc]) -> None:
    images = {_container(w)["image"] for w in _workloads(docs)}
    assert len(images) == 1
    (image,) = images
    assert ":" in image and not image.endswith(":latest"), image


def test_migrations_are_jobs_that_run_once(docs: list[Doc]) -> None:
    for job in _kind(docs, "Job"):
        assert _pod_spec(job)["restartPolicy"] == "Never"
        assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"
        assert job["spec"]["backoffLimit"] >= 1


def test_every_deployment_has_an_autoscaler_and_a_disruption_budget(docs: list[Doc]) -> None:
    for deployment in _kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        assert "replicas" not in deployment["spec"], f"{name}: the HPA owns the replica count"
        hpa = _find(docs, "HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        pdb = _find(docs, "PodDisruptionBudget", name)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pdb["spec"]["maxUnavailable"] == 1  # one down at a time, never none (drains)


def _documented_name(secret: str) -> str:
    """A per-service Secret is documented once, as ``simpul-db-<service>``."""
    for entry in STATEFUL:
        if secret == f"simpul-db-{entry.name}":
            return "simpul-db-<service>"
    return secret


def test_no_secret_value_is_in_the_manifests(docs: list[Doc]) -> None:
    assert not _kind(docs, "Secret")
    documented = (ROOT / "deploy" / "k8s" / "README.md").read_text()
    for workload in _workloads(docs):
        for variable in _container(workload)["env"]:
            ref = variable.get("valueFrom", {}).get("secretKeyRef")
            if ref is None:
                assert not re.search(r"SECRET|PASSWORD|_KEY$", variable["name"]), variable
                continue
            if not OPERATOR_SECRETS.match(ref["name"]):
                name = _documented_name(ref["name"])
                assert f"`{name}`" in documented, f"{name} not in deploy/k8s/README"
                assert f"`{ref['key']}`" in documented, f"{ref['key']} not in deploy/k8s/README"


def _dummy_secret(key: str) -> str:
    if key == "reporter-key":
        return base64.b64encode(os.urandom(32)).decode()
    return "k8s-test-" + key + "-0123456789abcdefghijklmnopqrstuvwxyz"


def _environment(container: Doc, docs: list[Doc]) -> dict[str, str]:
    """The variables the container sees: its ConfigMaps, then its env with Secrets filled in
    and ``$(NAME)`` references expanded as the kubelet does."""
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        env.update(_find(docs, "ConfigMap", source["configMapRef"]["name"])["data"])
    for variable in container["env"]:
        if "value" in variable:
            value = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], variable["value"])
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            value = "simpul_db_user" if ref["key"] == "username" else _dummy_secret(ref["key"])
        env[variable["name"]] = value
    return env


@pytest.mark.parametrize("entry", SERVICES, ids=lambda e: e.name)
def test_each_service_accepts_its_pods_environment_in_production(
    entry: ServiceEntry, k8s_rendered: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = k8s_rendered["provinsi"]
    roles = ("api", "worker", "migrate") if entry.database else ("api",)
    for role in roles:
        kind = "Job" if role == "migrate" else "Deployment"
        container = _container(_find(docs, kind, f"{entry.name}-{role}"))
        for key in [k for k in os.environ if k.startswith(("SIMPUL_", f"{entry.env_prefix}_"))]:
            monkeypatch.delenv(key)
        for key, value in _environment(container, docs).items():
            monkeypatch.setenv(key, value)
        module, _, factory = entry.app.partition(":")
        settings = getattr(importlib.import_module(module), factory)().state.settings
        assert settings.environment == "production"
        if entry.database:
            url = settings.resolved_database_url
            assert url.startswith("postgresql+asyncpg://simpul_db_user:")
            assert url.endswith(f"@simpul-pg-rw:5432/{entry.database}?ssl=require")
        if entry.database and role != "migrate":
            assert settings.kafka_security_protocol == "SASL_SSL"
            assert settings.kafka_sasl_username == f"simpul-{entry.name}"
        if role == "migrate":  # no Kafka client: it need not wait for Strimzi's Secrets
            assert settings.kafka_security_protocol == "PLAINTEXT"
