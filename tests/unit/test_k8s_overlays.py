"""deploy/k8s/overlays: each overlay's sizes as its kustomization says (a kabupaten: one of
everything; a province: replicas, autoscaling, three Kafka brokers and controllers with
replication factor 3, three PostgreSQL instances), and PostgreSQL with one role and database
per service and its backups configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpul_platform.devstack.services import load_services

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
STATEFUL = [e for e in load_services(ROOT / "deploy" / "services.toml") if e.database]
Doc = dict[str, Any]


def _kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def _component(doc: Doc) -> str:
    return str(doc["metadata"]["labels"]["app.kubernetes.io/component"])


def _pool_nodes(docs: list[Doc], role: str) -> int:
    return sum(
        p["spec"]["replicas"] for p in _kind(docs, "KafkaNodePool") if role in p["spec"]["roles"]
    )


def _cluster(docs: list[Doc]) -> Doc:
    (cluster,) = _kind(docs, "Cluster")
    return cluster


def test_a_kabupaten_runs_one_of_everything(k8s_rendered: dict[str, list[Doc]]) -> None:
    docs = k8s_rendered["kabupaten"]
    for hpa in _kind(docs, "HorizontalPodAutoscaler"):
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 2)
    (pool,) = _kind(docs, "KafkaNodePool")
    assert pool["spec"]["replicas"] == 1
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    (kafka,) = _kind(docs, "Kafka")
    assert kafka["spec"]["kafka"]["config"]["min.insync.replicas"] == 1
    for topic in _kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 1
        assert topic["spec"]["config"]["min.insync.replicas"] == 1
    assert _cluster(docs)["spec"]["instances"] == 1


def test_a_province_runs_replicas_and_scales(k8s_rendered: dict[str, list[Doc]]) -> None:
    docs = k8s_rendered["provinsi"]
    for hpa in _kind(docs, "HorizontalPodAutoscaler"):
        name, spec = hpa["metadata"]["name"], hpa["spec"]
        assert spec["minReplicas"] >= 2, name
        assert 6 <= spec["maxReplicas"] <= 10, name
        if _component(hpa) == "worker":
            # More consumers in a group than partitions would idle.
            assert spec["maxReplicas"] <= min(
                t["spec"]["partitions"] for t in _kind(docs, "KafkaTopic")
            )
    for pdb in _kind(docs, "PodDisruptionBudget"):
        assert pdb["spec"]["maxUnavailable"] == 1


def test_a_province_runs_three_brokers_and_three_controllers(
    k8s_rendered: dict[str, list[Doc]],
) -> None:
    docs = k8s_rendered["provinsi"]
    assert _pool_nodes(docs, "broker") == 3
    assert _pool_nodes(docs, "controller") == 3
    pools = _kind(docs, "KafkaNodePool")
    assert all(len(p["spec"]["roles"]) == 1 for p in pools), "brokers and controllers apart"
    (kafka,) = _kind(docs, "Kafka")
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    for topic in _kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    kafka_config = next(
        c for c in _kind(docs, "ConfigMap") if c["metadata"]["name"] == "simpul-kafka"
    )
    assert kafka_config["data"]["SIMPUL_KAFKA_REPLICATION_FACTOR"] == "3"
    assert _cluster(docs)["spec"]["instances"] == 3


@pytest.mark.parametrize("overlay", ["kabupaten", "provinsi"])
def test_each_service_has_its_own_role_and_database(
    overlay: str, k8s_rendered: dict[str, list[Doc]]
) -> None:
    docs = k8s_rendered[overlay]
    cluster = _cluster(docs)["metadata"]["name"]
    roles = {r["spec"]["name"]: r for r in _kind(docs, "DatabaseRole")}
    databases = {d["spec"]["name"]: d for d in _kind(docs, "Database")}
    assert set(databases) == {e.database for e in STATEFUL}
    assert set(roles) == set(databases)
    for entry in STATEFUL:
        role, database = roles[entry.database], databases[entry.database]
        assert database["spec"]["owner"] == entry.database
        assert database["spec"]["cluster"]["name"] == cluster
        assert role["spec"]["cluster"]["name"] == cluster
        assert role["spec"]["login"] is True
        assert role["spec"]["passwordSecret"] == {"name": f"simpul-db-{entry.name}"}


@pytest.mark.parametrize("overlay", ["kabupaten", "provinsi"])
def test_postgres_is_backed_up(overlay: str, k8s_rendered: dict[str, list[Doc]]) -> None:
    docs = k8s_rendered[overlay]
    cluster = _cluster(docs)
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    for key in ("accessKeyId", "secretAccessKey"):
        assert store["s3Credentials"][key]["name"] == "simpul-pg-backup-s3"
    assert cluster["spec"]["backup"]["retentionPolicy"]
    (scheduled,) = _kind(docs, "ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert scheduled["spec"]["method"] == "barmanObjectStore"
