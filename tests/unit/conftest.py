"""The contract tests read every service's ServiceSpec (from deploy/services.toml); the
Kubernetes tests read the overlays as kustomize renders them."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
import yaml

from simpul_platform.app import ServiceSpec
from simpul_platform.devstack.catalogue import service_specs
from simpul_platform.devstack.project import project_root
from simpul_platform.devstack.tools import tool_path


@pytest.fixture(scope="session")
def specs() -> dict[str, ServiceSpec]:
    return service_specs()


# The Kubernetes overlays (deploy/k8s/overlays/*), rendered once by the real kustomize.
K8S_OVERLAYS = ("kabupaten", "provinsi")


@pytest.fixture(scope="session")
def k8s_rendered() -> dict[str, list[dict[str, Any]]]:
    """Each overlay's resources as ``kustomize build`` prints them."""
    kustomize = str(tool_path("kustomize"))
    rendered: dict[str, list[dict[str, Any]]] = {}
    for overlay in K8S_OVERLAYS:
        path = project_root() / "deploy" / "k8s" / "overlays" / overlay
        out = subprocess.run([kustomize, "build", str(path)], capture_output=True, text=True)
        assert out.returncode == 0, f"kustomize build {overlay}: {out.stderr}"
        rendered[overlay] = [doc for doc in yaml.safe_load_all(out.stdout) if doc]
    return rendered
