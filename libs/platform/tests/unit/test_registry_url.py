"""Every service started by ``./simpul up`` or the test stack knows where the registry is, so
a field service can confirm a posyandu its replica has not heard of yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from simpul_platform.devstack.cli import _service_env
from simpul_platform.devstack.services import load_services
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.unit


def settings_of(prefix: str) -> ServiceSettings:
    class Settings(ServiceSettings):
        model_config = SettingsConfigDict(extra="ignore", env_prefix=f"{prefix}_")

    return Settings()


@pytest.mark.parametrize("entry", load_services(), ids=lambda entry: entry.name)
def test_the_start_command_gives_every_service_the_registrys_url(entry, monkeypatch, tmp_path):
    env = _service_env(entry, None, "127.0.0.1:9092", tmp_path, offset=7)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    registry = next(e for e in load_services() if e.name == "registry")
    assert settings_of(entry.env_prefix).registry_url == f"http://127.0.0.1:{registry.port + 7}"


def test_the_test_stack_gives_every_service_the_registrys_url(monkeypatch):
    stack = Stack("127.0.0.1:9092", postgres=None, names=["registry", "gateway"])
    gateway = next(e for e in stack.entries if e.name == "gateway")
    for name, value in stack.env(gateway).items():
        monkeypatch.setenv(name, value)
    assert settings_of(gateway.env_prefix).registry_url == stack.url("registry")
    Path(stack.log_dir).rmdir()
