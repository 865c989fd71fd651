"""Settings every Simpul service shares; each service subclasses with its own env prefix.

A value is read from ``<PREFIX>_<NAME>`` first (``HEALTH_DATABASE_URL``), then from
``SIMPUL_<NAME>`` so that deployment-wide values (broker address, JWT key, pseudonym secret)
are set once for all services.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request
from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEV_JWT_SECRET = "simpul-dev-jwt-secret-change-me-0123456789"
DEV_PSEUDONYM_SECRET = "simpul-dev-pseudonym-secret-change-me"

Environment = Literal["development", "test", "production"]
# What one process of a service runs: ``all`` (development: the API with its relay and
# consumers), ``api`` (the HTTP API only) or ``worker`` (relay, consumers, topic creation and
# housekeeping; only /healthz, /readyz and /metrics over HTTP, on the side port).
Role = Literal["all", "api", "worker"]
ROLES: tuple[Role, ...] = ("all", "api", "worker")
S = TypeVar("S", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """Base settings; a service sets ``service_name`` and ``model_config.env_prefix``."""

    model_config = SettingsConfigDict(extra="ignore", env_prefix="SIMPUL_")

    service_name: str = "simpul"
    environment: Environment = "development"
    log_level: str = "INFO"
    # The process's role (Role above), e.g. HEALTH_ROLE=worker; an unknown one stops start-up.
    # relay_enabled and consumers_enabled below are finer switches inside the roles that run
    # them: the role wins where they disagree (an api never relays, whatever relay_enabled says).
    role: Role = "all"
    # False where a one-shot migrate step (compose, the Kubernetes Job) already ran every
    # migration: the process then skips its own upgrade. When True, API and worker replicas
    # starting together are safe: the upgrade holds an advisory lock.
    migrate_on_start: bool = True

    # SQLite file by default (quick start); PostgreSQL in tests and production.
    database_url: str = ""
    database_pool_size: int = 10

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Prefix for every topic name; empty in production, unique per test for isolation.
    kafka_topic_namespace: str = ""
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    # Replicas that must have a write before acks=all succeeds: 2 of 3 on a cluster, so one
    # broker may fail without losing an acknowledged event; 1 on a single node.
    kafka_min_insync_replicas: int = Field(default=1, ge=1)
    # How the clients authenticate: PLAINTEXT in development; on Kubernetes the Strimzi
    # cluster's TLS listener with SCRAM-SHA-512 (SASL_SSL), the user and password of the
    # service's KafkaUser, and the cluster CA's certificate (a PEM file) to trust the brokers.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_ssl_cafile: str = ""  # empty: the system's trusted CAs

    relay_enabled: bool = True
    # Rows a relay round claims, sends and marks. Each round waits for the broker's acks of all
    # of them before the next claim, so fewer, larger rounds publish faster (bench.relay: 500 →
    # 2,000 took the relay from ~50 % to ~60 % of a raw producer's rate).
    relay_batch_size: int = Field(default=2000, ge=1)
    relay_poll_interval_s: float = Field(default=0.1, gt=0)
    relay_max_backoff_s: float = Field(default=10.0, gt=0)
    relay_retention_hours: float = Field(default=72.0, gt=0)
    # How often the relay counts its backlog and a consumer reads its dead-letter topic's end
    # offsets for /metrics (one query, one offsets request); Prometheus scrapes every 15 s.
    metrics_refresh_interval_s: float = Field(default=15.0, gt=0)

    consumers_enabled: bool = True
    consumer_max_attempts: int = Field(default=3, ge=1)
    # Records a consumer applies in one database transaction (1: one transaction per record).
    consumer_batch_size: int = Field(default=200, ge=1)
    # How long a consumer whose poll brought fewer records than a chunk waits for more before
    # applying them: events arriving a few at a time then come a chunk at a time (one
    # transaction, one offset commit), for at most this much latency per hop. An idle consumer
    # does not wait (the broker holds its empty fetches as before).
    consumer_linger_ms: int = Field(default=50, ge=0, le=1000)
    # Fault injection, test environment only: a consumer waits this long between committing a
    # chunk's effects and committing its offsets, so a fault test can kill it in that window.
    fault_hold_offset_commit_s: float = Field(default=0.0, ge=0)

    # OpenTelemetry: the OTLP/HTTP collector's base URL (traces go to its /v1/traces); None:
    # no export (spans still carry the trace context across HTTP and Kafka). tracing.py.
    otel_exporter_otlp_endpoint: str | None = None

    jwt_secret: str = DEV_JWT_SECRET
    # HS256 secrets that still verify (never sign) tokens: during a rotation the old secret
    # stays here while jwt_secret signs with the new one, e.g.
    # SIMPUL_JWT_PREVIOUS_SECRETS='["<old secret>"]'; removed once the old tokens have expired.
    jwt_previous_secrets: list[str] = Field(default_factory=list)
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_public_key: str = ""  # PEM, for RS256 tokens of an existing identity provider
    jwt_jwks_url: str = ""  # alternative to jwt_public_key
    # An unknown key id refetches the JWKS at most this often, so forged kids cannot flood the
    # identity provider; a rotated key is accepted at most this long after its first use.
    jwt_jwks_refresh_cooldown_s: float = Field(default=30.0, ge=0)
    jwt_issuer: str = "simpul"
    jwt_audience: str = "simpul"

    pseudonym_secret: str = DEV_PSEUDONYM_SECRET

    # How long an Idempotency-Key's first response is kept for replay (swept hourly).
    idempotency_retention_hours: float = Field(default=24.0, gt=0)

    # Largest request body a service reads; a larger one is answered 413 before any route runs.
    # The largest legitimate bodies are a registry CSV import at its row limit (5,000 rows of
    # at most ~520 bytes: ~2.6 MB) and a health bulk upload (1,000 items: well under 1 MB).
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)

    # Where a field service confirms a posyandu its replica does not know yet (read-your-writes
    # right after the registry created it). Empty: not configured, such a write is told to
    # retry (503). The start command and the test stack set SIMPUL_REGISTRY_URL.
    registry_url: str = ""
    registry_timeout_s: float = Field(default=2.0, gt=0)

    # The deployment's time zone: "today" for every "not in the future" rule and local dates.
    local_timezone: str = "Asia/Makassar"

    # The working-day calendar of due dates (simpul_platform.workdays): national holidays from
    # lokal-id (SKB 3 Menteri), cuti bersama counted as a holiday, and the deployment's own
    # regional holidays or corrections, e.g. SIMPUL_EXTRA_HOLIDAYS='["2026-09-21"]'.
    national_holidays: bool = True
    cuti_bersama_is_holiday: bool = True
    extra_holidays: list[date] = Field(default_factory=list)
    # Working days a referral's target field has, per field, when not the default 5
    # (simpul_platform.referrals): one deployment-wide policy, so that a source and its target
    # reckon the same due date, e.g. SIMPUL_REFERRAL_DUE_WORKING_DAYS='{"social": 10}'.
    referral_due_working_days: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _refuse_fault_injection_outside_tests(self) -> ServiceSettings:
        if self.fault_hold_offset_commit_s and self.environment != "test":
            raise ValueError("fault_hold_offset_commit_s: fault injection is for tests only")
        return self

    @model_validator(mode="after")
    def _known_time_zone(self) -> ServiceSettings:
        try:
            ZoneInfo(self.local_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"local_timezone: unknown time zone {self.local_timezone!r}") from exc
        return self

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> ServiceSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                "kafka_security_protocol: SASL needs kafka_sasl_username and kafka_sasl_password"
            )
        return self

    @model_validator(mode="after")
    def _isr_within_replicas(self) -> ServiceSettings:
        # More in-sync replicas than replicas would refuse every acks=all write.
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError("kafka_min_insync_replicas exceeds kafka_replication_factor")
        return self

    @model_validator(mode="after")
    def _require_a_key_for_rs256(self) -> ServiceSettings:
        if self.jwt_algorithm == "RS256" and not (self.jwt_public_key or self.jwt_jwks_url):
            raise ValueError("jwt_algorithm: RS256 needs jwt_public_key or jwt_jwks_url")
        return self

    @model_validator(mode="after")
    def _previous_secrets_only_for_hs256(self) -> ServiceSettings:
        if self.jwt_previous_secrets and self.jwt_algorithm != "HS256":
            raise ValueError(
                "jwt_previous_secrets: verify HS256 tokens only; an RS256 identity provider "
                "rotates its keys in its JWKS (kid)"
            )
        if any(not secret for secret in self.jwt_previous_secrets):
            raise ValueError("jwt_previous_secrets: an empty secret verifies nothing")
        return self

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> ServiceSettings:
        if self.environment != "development":
            if self.jwt_algorithm == "HS256" and self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError(
                    "jwt_secret: the development default is refused outside development"
                )
            if DEV_JWT_SECRET in self.jwt_previous_secrets:
                raise ValueError(
                    "jwt_previous_secrets: the development default is refused outside development"
                )
            if self.pseudonym_secret == DEV_PSEUDONYM_SECRET:
                raise ValueError(
                    "pseudonym_secret: the development default is refused outside development"
                )
        return self

    @property
    def serves_api(self) -> bool:
        """The process serves the domain routes (roles all and api)."""
        return self.role != "worker"

    @property
    def runs_background(self) -> bool:
        """The process creates topics and runs housekeeping (roles all and worker)."""
        return self.role != "api"

    @property
    def runs_relay(self) -> bool:
        return self.runs_background and self.relay_enabled

    @property
    def runs_consumers(self) -> bool:
        return self.runs_background and self.consumers_enabled

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.local_timezone)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        data_dir = Path(".data")
        data_dir.mkdir(exist_ok=True)
        return f"sqlite+aiosqlite:///{data_dir / self.service_name}.db"

    def topic(self, name: str) -> str:
        """The physical topic name of a logical one (``simpul.health.v1``)."""
        return f"{self.kafka_topic_namespace}{name}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        shared = EnvSettingsSource(settings_cls, env_prefix="SIMPUL_")
        return init_settings, env_settings, shared, dotenv_settings, file_secret_settings


def settings_dep(cls: type[S]) -> Any:
    """``SettingsDep = Annotated[HealthSettings, settings_dep(HealthSettings)]``: the running
    app's settings (``app.state.settings``), typed as the service's own class."""

    def current(request: Request) -> S:
        settings = request.app.state.settings
        if not isinstance(settings, cls):
            raise TypeError(f"app settings are {type(settings).__name__}, not {cls.__name__}")
        return settings

    return Depends(current)
