"""Fuzz every service's API with schemathesis: no input may produce a 5xx.

Starts a real PostgreSQL and Kafka broker (``simpul_platform.devstack``), runs registry,
health, social and the gateway as uvicorn processes on loopback
(``simpul_platform.testing.stack.Stack``), loads each one's ``/openapi.json`` and sends
schemathesis-generated requests to every operation, both schema-conforming (positive) and
schema-violating (negative), with a bearer token of a role that may write there. Path
parameters are sometimes pinned to a posyandu that exists (registered through the registry
and replicated to health and social over Kafka), so generated bodies get past the 404s into
the services' own validation.

The check is schemathesis' ``not_a_server_error``; every 5xx is printed with the request that
caused it. The last line is ``cases: N, server errors: N``.

    uv run python bench/fuzz.py [--max-examples 10] [--services health,social] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from simpul_platform.auth import mint_token
from simpul_platform.devstack.kafka import KafkaBroker
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

SERVICES = ("registry", "health", "social", "gateway")
# A role that may write in each service (reads are allowed to it too).
ROLES = {
    "registry": ["dpmd"],
    "health": ["opd:health"],
    "social": ["opd:social"],
    "gateway": ["dpmd"],
}
WILAYAH = ["64"]
DESA = "64.02.07.2001"  # a real Kukar desa (the registry checks codes against its list)
SKIP = {"/metrics"}  # Prometheus text, nothing to fuzz


@dataclass
class Tally:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: dict[tuple[str, str, int], str] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def _settings() -> ServiceSettings:
    return ServiceSettings(
        environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
    )


def _token(service: str) -> str:
    return mint_token(_settings(), f"fuzz-{service}", ROLES[service], WILAYAH)


def _seed_posyandu(stack: Stack) -> str | None:
    """A posyandu taken through the registry to registered, serving health and social."""
    settings = _settings()
    dpmd = {"Authorization": f"Bearer {_token('registry')}"}
    tp = {"Authorization": f"Bearer {mint_token(settings, 'fuzz-tp', ['tp:kecamatan'], WILAYAH)}"}
    documents = {
        "sk_tp_number": "141/12/SK-TP/2025",
        "sk_tp_date": "2025-08-01",
        "sk_kepengurusan_number": "141/13/SK-KP/2025",
        "sk_kepengurusan_date": "2025-08-02",
        "rekap_number": "REKAP/2025/06",
        "rekap_date": "2025-08-05",
    }
    with httpx.Client(base_url=stack.url("registry"), timeout=30) as client:
        created = client.post(
            "/v1/posyandu",
            json={"name": "Posyandu Fuzz", "desa_code": DESA, "fields": ["health", "social"]},
            headers=dpmd,
        )
        if created.status_code != 201:
            print(f"seed: could not create a posyandu: {created.status_code} {created.text}")
            return None
        pid: str = created.json()["id"]
        steps = [
            ("submit", documents, dpmd),
            ("verify", {}, tp),
            ("register", {"registration_number": f"{DESA}.901"}, dpmd),
        ]
        for step, body, headers in steps:
            r = client.post(f"/v1/posyandu/{pid}/{step}", json=body, headers=headers)
            if r.status_code >= 300:
                print(f"seed: {step} answered {r.status_code}: {r.text[:300]}")
                break
    return pid


def _pinned(operation: Any, pid: str | None) -> dict[str, Any] | None:
    names = {p.name for p in operation.path_parameters}
    if pid is None or "posyandu_id" not in names:
        return None
    return {"posyandu_id": pid}


def fuzz_service(
    name: str, base_url: str, max_examples: int, pid: str | None, seed_value: int
) -> Tally:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {_token(name)}"}
    tally = Tally()
    session = requests.Session()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise SystemExit(f"{name}'s OpenAPI document is not valid: {result.err()}")
        operation = result.ok()
        if operation.path in SKIP:
            continue
        strategies = [
            operation.as_strategy(generation_mode=mode)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
        pinned = _pinned(operation, pid)
        if pinned:
            strategies += [
                operation.as_strategy(generation_mode=mode, path_parameters=pinned)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            ]

        @seed(seed_value)
        @settings(
            max_examples=max_examples * len(strategies),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
            print_blob=False,
        )
        @given(case=st.one_of(*strategies))
        def run(case: Any) -> None:
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
            tally.cases += 1
            tally.statuses[response.status_code] += 1
            if response.status_code >= 500:
                op = case.operation
                key = (op.method.upper(), op.path, response.status_code)
                if key not in tally.errors:
                    tally.errors[key] = (
                        f"{case.as_curl_command(headers=headers)}\n    -> "
                        f"{response.status_code} {response.text[:300]}"
                    )
            try:
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            except KeyboardInterrupt:
                raise
            except BaseException:  # a failure group: counted above; keep generating
                pass

        try:
            run()
        except Exception as exc:  # generation trouble on one operation must not stop the run
            print(f"  {operation.method.upper()} {operation.path}: {type(exc).__name__}: {exc}")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and mode")
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = [n for n in args.services.split(",") if n]
    logging.basicConfig(level=logging.WARNING)
    ensure_postgres_installed()
    started = time.monotonic()
    postgres = PostgresServer()
    broker = KafkaBroker(default_partitions=3)
    stack: Stack | None = None
    totals = Tally()
    try:
        postgres.start()
        broker.start()
        # The gateway needs the field services it composes over.
        wanted = list(dict.fromkeys([*names, *(SERVICES if "gateway" in names else ())]))
        stack = Stack(broker.bootstrap_servers, postgres, [n for n in SERVICES if n in wanted])
        stack.start()
        pid = _seed_posyandu(stack) if "registry" in wanted else None
        time.sleep(3)  # let the registry's events reach the health and social replicas
        for name in names:
            t0 = time.monotonic()
            tally = fuzz_service(name, stack.url(name), args.max_examples, pid, args.seed)
            statuses = dict(sorted(tally.statuses.items()))
            print(
                f"{name}: {tally.cases} cases, statuses {json.dumps(statuses)}, "
                f"{time.monotonic() - t0:.0f} s"
            )
            for (method, path, status), example in sorted(tally.errors.items()):
                print(f"  5xx {status} {method} {path}\n    {example}")
            totals.cases += tally.cases
            totals.statuses.update(tally.statuses)
        if stack is not None and totals.server_errors:
            print(f"service logs: {stack.log_dir}")
    finally:
        if stack is not None:
            stack.stop()
        broker.close()
        postgres.stop()
    print(f"({time.monotonic() - started:.0f} s, run id {uuid.uuid4().hex[:6]})", file=sys.stderr)
    print(f"cases: {totals.cases}, server errors: {totals.server_errors}")
    return 1 if totals.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
