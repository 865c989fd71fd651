"""Schemathesis with all its checks against one service app, in-process, once per token.

What an outside probe would run (``st run`` with every phase: examples, coverage, fuzzing and
stateful over the document's links), bounded for a CI suite by ``max_examples``. Each token is
a separate run, so an OPD token and a kader token both reach the routes their roles open.
The app's lifespan (database, relay, consumers) runs in schemathesis' own event loop; call
this from a synchronous test.

    report = fuzz_app(create_app(settings), {"opd": opd_token, "kader": kader_token})
    report.assert_clean()
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.python import asgi

# A 503 with Retry-After is the platform's documented "retry later" (the database, the identity
# provider's keys, a posyandu the replica does not know yet), not a crash; every other 5xx is.
# status_code_conformance still fails a 503 that the operation does not document.
NOT_A_SERVER_ERROR = ["2xx", "3xx", "4xx", "503"]
ANSWER_SHOWN = 400  # bytes of a failing response's body shown in a finding
# Loggers that write a line per request: thousands of lines of noise in a test's output.
QUIET_LOGGERS = ("simpul.access", "simpul.app", "simpul.errors")


@dataclass
class Finding:
    """One kind of failure on one operation: what check, how often, one example."""

    token: str
    operation: str
    check: str
    title: str
    message: str
    example: str
    count: int = 1

    def __str__(self) -> str:
        return (
            f"[{self.token}] {self.operation}: {self.check} — {self.title} (x{self.count})\n"
            f"    {self.message.strip().replace(chr(10), chr(10) + '    ')}\n"
            f"    {self.example}"
        )


@dataclass
class FuzzReport:
    scenarios: int = 0
    findings: dict[tuple[str, str, str, str], Finding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        key = (finding.token, finding.operation, finding.check, finding.title)
        if key in self.findings:
            self.findings[key].count += 1
        else:
            self.findings[key] = finding

    def summary(self) -> str:
        lines = [f"{self.scenarios} scenarios, {len(self.findings)} kinds of failure"]
        lines += [str(f) for f in sorted(self.findings.values(), key=lambda f: f.operation)]
        lines += [f"error: {e}" for e in self.errors]
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert self.scenarios > 0, "schemathesis ran nothing"
        assert not self.findings and not self.errors, self.summary()


def fuzz_app(
    app: FastAPI,
    tokens: Mapping[str, str],
    *,
    max_examples: int = 10,
    seed: int = 1,
    parameters: Mapping[str, Any] | None = None,
) -> FuzzReport:
    """Run schemathesis (every phase, every check) against ``app`` once per named token.

    ``parameters`` pins parameters by name (``{"posyandu_id": pid}``) so generated requests
    reach past a 404 into the route's own validation.
    """
    report = FuzzReport()
    with _quiet():
        try:
            for name, token in tokens.items():
                _run(app, name, token, max_examples, seed, parameters or {}, report)
        finally:
            asgi.shutdown_lifespans()
    return report


def _run(
    app: FastAPI,
    name: str,
    token: str,
    max_examples: int,
    seed: int,
    parameters: Mapping[str, Any],
    report: FuzzReport,
) -> None:
    settings: dict[str, Any] = {
        "seed": seed,
        "workers": 1,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": max_examples},
        "checks": {"not_a_server_error": {"expected-statuses": NOT_A_SERVER_ERROR}},
    }
    if parameters:
        settings["parameters"] = dict(parameters)
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            report.scenarios += 1
            _collect(name, event, report)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"[{name}] {event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"[{name}] fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.errors += [f"[{name}] {f.title}: {f.message}" for f in event.failures]


def _collect(token: str, event: events.ScenarioFinished, report: FuzzReport) -> None:
    recorder = event.recorder
    for case_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            report.add(
                Finding(
                    token=token,
                    operation=failure.operation or recorder.label,
                    check=check.name,
                    title=failure.title,
                    message=failure.message,
                    example=f"{info.code_sample}\n    -> {_answer(recorder, case_id)}",
                )
            )


def _answer(recorder: Any, case_id: str) -> str:
    interaction = recorder.interactions.get(case_id)
    response = getattr(interaction, "response", None)
    if response is None:
        return "no response"
    body = response.content[:ANSWER_SHOWN].decode("utf-8", errors="replace")
    return f"{response.status_code} {body}"


@contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
