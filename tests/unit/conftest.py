"""The contract tests read every service's ServiceSpec (from deploy/services.toml)."""

from __future__ import annotations

import pytest

from simpul_platform.app import ServiceSpec
from simpul_platform.devstack.catalogue import service_specs


@pytest.fixture(scope="session")
def specs() -> dict[str, ServiceSpec]:
    return service_specs()
