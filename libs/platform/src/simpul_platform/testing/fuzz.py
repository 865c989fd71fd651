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

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.python import asgi

from simpul_platform.referrals.catalogue import RELATION_RULES
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE

# A 503 with Retry-After is the platform's documented "retry later" (the database, the identity
# provider's keys, a posyandu the replica does not know yet), not a crash; every other 5xx is.
# status_code_conformance still fails a 503 that the operation does not document.
NOT_A_SERVER_ERROR = ["2xx", "3xx", "4xx", "503"]
ANSWER_SHOWN = 400  # bytes of a failing response's body shown in a finding
# The platform's own refusals that depend on stored state, which no schema says: a key reused
# with another request (the Idempotency-Key draft's 422), a posyandu the replica does not know
# or knows as inactive.
# A body declared as an Excel workbook is any bytes to a schema, which cannot say "a workbook
# whose first sheet has a header": its refusals (xlsx_body) are as schema-blind.
XLSX_RULES = frozenset({"xlsx_unreadable", "xls_not_supported", "xlsx_header"})
STATE_RULES = frozenset(
    {
        "reused_with_different_request",
        "unknown_posyandu",
        "posyandu_inactive",
        *RELATION_RULES,
        *XLSX_RULES,
    }
)
# A workbook goes on the wire as bytes; a media type with no serializer is skipped silently.
schemathesis.serializer.alias(XLSX_MEDIA_TYPE, "application/octet-stream")
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
    phases: set[str] = field(default_factory=set)  # the phases that ran scenarios
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


@dataclass(frozen=True)
class Options:
    max_examples: int = 10
    seed: int = 1
    # Parameters pinned by name ({"posyandu_id": pid}), so requests get past a 404.
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # Rule codes a schema-valid request may still break: a state (a key already used) or a
    # relation between fields that JSON Schema cannot say. Each is a 422 schemathesis' positive
    # data check would otherwise count as a refusal of valid data.
    state_rules: frozenset[str] = STATE_RULES


def fuzz_app(
    app: FastAPI,
    tokens: Mapping[str, str],
    *,
    max_examples: int = 10,
    seed: int = 1,
    parameters: Mapping[str, Any] | None = None,
    state_rules: Iterable[str] = (),
) -> FuzzReport:
    """Run schemathesis (every phase, every check) against ``app`` once per named token.

    ``parameters`` pins parameters by name (``{"posyandu_id": pid}``) so generated requests
    reach past a 404 into the route's own validation; ``state_rules`` names the service's rule
    codes that depend on stored state or on several fields at once (see ``Options``).
    """
    options = Options(
        max_examples, seed, dict(parameters or {}), STATE_RULES | frozenset(state_rules)
    )
    report = FuzzReport()
    with _quiet():
        try:
            for name, token in tokens.items():
                _run(app, name, token, options, report)
        finally:
            asgi.shutdown_lifespans()
    return report


def _run(app: FastAPI, name: str, token: str, options: Options, report: FuzzReport) -> None:
    settings: dict[str, Any] = {
        "seed": options.seed,
        "workers": 1,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": options.max_examples},
        "checks": {"not_a_server_error": {"expected-statuses": NOT_A_SERVER_ERROR}},
    }
    if options.parameters:
        settings["parameters"] = dict(options.parameters)
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return not (
            _broke_only(options.state_rules, failure, response) or _extra_header_only(failure)
        )

    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            report.scenarios += 1
            report.phases.add(event.phase.value)
            _collect(name, event, report)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"[{name}] {event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"[{name}] fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.errors += [f"[{name}] {f.title}: {f.message}" for f in event.failures]


def _broke_only(rules: frozenset[str], failure: Any, response: Any) -> bool:
    """A 422 refusing schema-valid data for nothing but the named rules."""
    if "positive_data_acceptance" not in getattr(failure, "checks", ()):
        return False
    if response.status_code != 422:
        return False
    try:
        errors = json.loads(response.content).get("errors") or [{}]
    except (ValueError, AttributeError):
        return False
    return all(isinstance(e, dict) and e.get("rule") in rules for e in errors)


def _extra_header_only(failure: Any) -> bool:
    """A request "negated" by nothing but an undeclared header, which a recipient should ignore
    (RFC 9110, section 5.1); schemathesis counts it as invalid data on some operations."""
    if "negative_data_rejection" not in getattr(failure, "checks", ()):
        return False
    negations = [line for line in failure.message.splitlines() if "Invalid component" in line]
    return negations == ["Invalid component: in header - object with unexpected properties"]


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
