"""Pure logic of the platform: no broker, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from simpul_platform.auth import Principal, covers
from simpul_platform.errors import validation_errors
from simpul_platform.events import Envelope
from simpul_platform.indicators import PERIOD_PATTERN, PeriodQuery
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit


def test_a_wilayah_code_covers_everything_beneath_it():
    assert covers("64.02", "64.02.06.2001")
    assert covers("64.02", "64.02")
    assert not covers("64.02", "64.020")  # a prefix of digits is not an ancestor
    assert not covers("64.02.06", "64.02")
    assert covers("*", "11.01")


def test_list_scopes_narrow_to_what_the_caller_may_see():
    tp = Principal("tp", frozenset({"tp:kecamatan"}), ("64.02.06",))
    assert tp.visible_scopes(None) == ["64.02.06"]
    assert tp.visible_scopes("64.02") == ["64.02.06"]
    assert tp.visible_scopes("64.02.06.2001") == ["64.02.06.2001"]
    with pytest.raises(Exception, match="outside your scope"):
        tp.visible_scopes("64.03")


def test_pseudonyms_are_stable_keyed_and_kind_separated():
    nik = "6402065505200001"
    assert person_ref("s1", nik) == person_ref("s1", "6402 0655 0520 0001")
    assert person_ref("s1", nik) != person_ref("s2", nik)
    assert person_ref("s1", nik) != household_ref("s1", nik)
    assert len(person_ref("s1", nik)) == 64 and nik not in person_ref("s1", nik)
    with pytest.raises(ValueError, match="16 digits"):
        person_ref("s1", "123")


def test_development_secrets_are_refused_outside_development():
    ServiceSettings(environment="development")
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment="production")
    with pytest.raises(ValidationError, match="pseudonym_secret"):
        ServiceSettings(environment="test", jwt_secret="x" * 40)


def test_fault_injection_is_refused_outside_tests():
    secrets = {"jwt_secret": "x" * 40, "pseudonym_secret": "y" * 40}
    assert ServiceSettings(environment="test", fault_hold_offset_commit_s=1, **secrets)
    for environment in ("development", "production"):
        with pytest.raises(ValidationError, match="fault injection is for tests only"):
            ServiceSettings(environment=environment, fault_hold_offset_commit_s=1, **secrets)


def test_service_prefix_wins_over_the_shared_prefix(monkeypatch):
    class HealthSettings(ServiceSettings):
        model_config = {**ServiceSettings.model_config, "env_prefix": "HEALTH_"}

    monkeypatch.setenv("SIMPUL_KAFKA_BOOTSTRAP_SERVERS", "shared:9092")
    assert HealthSettings().kafka_bootstrap_servers == "shared:9092"
    monkeypatch.setenv("HEALTH_KAFKA_BOOTSTRAP_SERVERS", "own:9092")
    assert HealthSettings().kafka_bootstrap_servers == "own:9092"


def test_envelope_round_trips_through_binary_mode():
    envelope = Envelope(
        id="e-1",
        type="health.child.measured.v1",
        source="/simpul/health",
        time=datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        data={"haz": -2.33},
        subject="m-1",
        posyandu_id="pos-9",
        wilayah="64.02.06.2001",
    )
    key, value, headers = envelope.to_kafka()
    assert key == b"pos-9"
    assert dict(headers)["ce_time"] == b"2026-11-01T08:30:00Z"
    assert Envelope.from_kafka(key, value, headers) == envelope


def test_a_record_without_cloudevent_headers_is_rejected():
    with pytest.raises(ValueError, match="not a CloudEvent"):
        Envelope.from_kafka(b"k", b"{}", [("content-type", b"application/json")])


def test_validation_locations_read_like_paths():
    errors = validation_errors(
        [
            {"loc": ("body", "items", 3, "weight_kg"), "type": "less_than_equal", "msg": "too big"},
        ]
    )
    assert errors[0].field == "body.items[3].weight_kg"
    assert errors[0].rule == "less_than_equal"


def test_periods_cover_months_quarters_and_years():
    from simpul_platform.indicators import Period

    assert Period.parse("2024-02").end == datetime(2024, 2, 29).date()
    q4 = Period.parse("2026-Q4")
    assert (q4.start.isoformat(), q4.end.isoformat()) == ("2026-10-01", "2026-12-31")
    assert Period.parse("2026").contains(datetime(2026, 7, 1).date())
    for bad in ("2026-13", "2026-Q5", "26-01", "2026-1", "0000", "0000-01"):
        with pytest.raises(ValueError, match="period must be"):
            Period.parse(bad)


async def test_a_period_query_parameter_carries_the_periods_pattern_in_the_openapi():
    app = FastAPI()

    @app.get("/count")
    def count(period: PeriodQuery) -> str:
        return period

    [parameter] = app.openapi()["paths"]["/count"]["get"]["parameters"]
    assert (parameter["required"], parameter["schema"]["pattern"]) == (True, PERIOD_PATTERN)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/count", params={"period": "2026-Q4"})).status_code == 200
        assert (await client.get("/count", params={"period": "2026-13"})).status_code == 422


def test_indicator_percent_is_null_without_a_denominator():
    from simpul_platform.indicators import IndicatorValue

    value = IndicatorValue.of("health.balita", "health", "Balita", 0, 0, "d", "s")
    assert value.percent is None
    assert IndicatorValue.of("x", "social", "x", 1, 3, "d", "s").percent == 33.33


def test_free_ports_stay_out_of_the_range_outgoing_connections_take_theirs_from():
    import socket

    from simpul_platform.devstack.ports import _ephemeral_start, free_port

    for _ in range(50):
        port = free_port()
        assert 20000 <= port < _ephemeral_start()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # and it is free to listen on
