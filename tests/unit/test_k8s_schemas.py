"""deploy/k8s: both overlays, as the real kustomize renders them, are valid — core resources
under the Kubernetes API's schemas (kubernetes-validate, strict: an unknown field is an error),
the operators' resources under the openAPIV3Schema of their CRDs vendored in
deploy/schemas/crds/ (with unknown fields refused, as the API server's strict field validation
does). A resource of any other API group fails: nothing goes unvalidated."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CRDS = ROOT / "deploy" / "schemas" / "crds"
# The newest Kubernetes minor whose schemas kubernetes-validate ships (1.37.0 of the package).
KUBERNETES_VERSION = "1.37"
OPERATOR_GROUPS = ("kafka.strimzi.io", "postgresql.cnpg.io")
Doc = dict[str, Any]


def _strict(schema: Any) -> Any:
    """The CRD schema with unknown fields refused wherever the CRD does not keep them
    (``x-kubernetes-preserve-unknown-fields``), and OpenAPI's ``nullable`` as JSON Schema's
    null type. Other ``x-kubernetes-*`` keys (CEL rules, list types) are left unchecked."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@cache
def _crd_schemas() -> dict[tuple[str, str], Doc]:
    """(apiVersion, kind) → the validating schema, for every vendored CRD's served versions."""
    schemas: dict[tuple[str, str], Doc] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = _strict(version["schema"]["openAPIV3Schema"])
                # metadata is the API server's ObjectMeta; apiVersion and kind are fixed.
                schema["properties"]["metadata"] = {"type": "object"}
                schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def _is_operator_resource(doc: Doc) -> bool:
    return str(doc["apiVersion"]).split("/")[0] in OPERATOR_GROUPS


def crd_errors(doc: Doc) -> list[str]:
    schema = _crd_schemas().get((doc["apiVersion"], doc["kind"]))
    if schema is None:
        return [f"no vendored CRD for {doc['apiVersion']} {doc['kind']}"]
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def core_errors(doc: Doc) -> list[str]:
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{list(exc.absolute_path)}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"no Kubernetes {KUBERNETES_VERSION} schema for {doc['apiVersion']} {doc['kind']}"]
    return []


def errors(doc: Doc) -> list[str]:
    return crd_errors(doc) if _is_operator_resource(doc) else core_errors(doc)


def _name(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("overlay", ["kabupaten", "provinsi"])
def test_every_rendered_resource_is_valid(overlay: str, k8s_rendered: dict[str, list[Doc]]) -> None:
    found = {_name(doc): errors(doc) for doc in k8s_rendered[overlay]}
    bad = {name: problems for name, problems in found.items() if problems}
    assert not bad, "\n".join(f"{overlay} {name}: {p}" for name, p in bad.items())


@pytest.mark.parametrize("overlay", ["kabupaten", "provinsi"])
def test_both_kinds_of_validation_ran(overlay: str, k8s_rendered: dict[str, list[Doc]]) -> None:
    kinds = {doc["kind"] for doc in k8s_rendered[overlay]}
    core = {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job"}
    operators = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster", "Database"}
    assert core | operators | {"ConfigMap", "NetworkPolicy", "Namespace"} <= kinds
    assert {"ScheduledBackup", "DatabaseRole"} <= kinds


def _first(docs: list[Doc], kind: str) -> Doc:
    return copy.deepcopy(next(doc for doc in docs if doc["kind"] == kind))


def test_a_wrong_field_in_a_deployment_fails(k8s_rendered: dict[str, list[Doc]]) -> None:
    deployment = _first(k8s_rendered["kabupaten"], "Deployment")
    assert core_errors(deployment) == []
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    assert core_errors(deployment)
    wrong_type = _first(k8s_rendered["kabupaten"], "Deployment")
    wrong_type["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "x"
    assert core_errors(wrong_type)


@pytest.mark.parametrize(
    ("kind", "path", "field", "value"),
    [
        ("KafkaTopic", ("spec",), "partition", 6),  # a misspelled field
        ("KafkaTopic", ("spec",), "partitions", "six"),  # a wrong type
        ("KafkaUser", ("spec", "authentication"), "type", "scram-sha-256"),  # not an enum value
        ("Kafka", ("spec", "kafka"), "listener", []),
        ("KafkaNodePool", ("spec",), "roles", ["leader"]),
        ("Cluster", ("spec",), "instance", 3),
        ("Cluster", ("spec", "backup", "barmanObjectStore"), "destination", "s3://x"),
        ("Database", ("spec",), "owners", "x"),
        ("ScheduledBackup", ("spec",), "method", "tape"),
    ],
)
def test_a_wrong_field_in_an_operator_resource_fails(
    kind: str, path: tuple[str, ...], field: str, value: Any, k8s_rendered: dict[str, list[Doc]]
) -> None:
    doc = _first(k8s_rendered["provinsi"], kind)
    assert crd_errors(doc) == []
    target = doc
    for key in path:
        target = target[key]
    target[field] = value
    assert crd_errors(doc), f"{kind}: {'.'.join(path)}.{field}={value!r} passed its CRD schema"


def test_a_resource_of_an_unknown_api_is_not_waved_through() -> None:
    assert errors({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaBridge", "metadata": {}})
    assert errors({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})


def test_the_crds_are_vendored_with_their_provenance() -> None:
    readme = (CRDS / "README.md").read_text()
    for path in sorted(CRDS.glob("*.yaml")):
        assert path.name in readme, f"{path.name} has no provenance in deploy/schemas/crds/"
    for fact in ("strimzi/strimzi-kafka-operator", "cloudnative-pg/cloudnative-pg", "Apache"):
        assert fact in readme
