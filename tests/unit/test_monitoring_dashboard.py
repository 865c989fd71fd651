"""deploy/monitoring/grafana/simpul.json: valid under the Grafana Foundation SDK's JSON schemas
of a dashboard, a time-series panel's options and a Prometheus query (vendored in
deploy/schemas/), every query accepted by the real promtool as PromQL, reading only metrics the
platform exports, and filtered by the dashboard's `service` variable on a `datasource`
variable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from monitoring_files import MONITORING, ROOT, exported_series, metric_names, promtool

pytestmark = pytest.mark.unit

DASHBOARD = MONITORING / "grafana" / "simpul.json"
SCHEMAS = ROOT / "deploy" / "schemas"
# Grafana's variables, replaced by what Grafana would put there, to hand promtool PromQL.
VARIABLES = {"$__rate_interval": "1m", "$service": ".*"}
PANELS = {
    "Request rate per route",
    "p95 latency per route",
    "5xx error rate",
    "4xx rate",
    "Outbox backlog",
    "Oldest unsent outbox event",
    "Relay rate",
    "Relay batch time p95",
    "Consumer lag per partition",
    "Events consumed",
    "Dead letters written",
    "Dead-letter topic end offsets",
}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def targets() -> list[tuple[str, dict[str, Any]]]:
    return [(panel["title"], target) for panel in panels() for target in panel["targets"]]


def validator(name: str, definition: str | None = None) -> jsonschema.Draft7Validator:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"grafana-{name}.jsonschema.json").read_text())
    if definition is not None:  # one definition of the file, its references resolved within it
        schema = {**schema, "$ref": f"#/definitions/{definition}"}
    return jsonschema.Draft7Validator(schema)


def problems(validating: jsonschema.Draft7Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validating.iter_errors(document)]


def test_the_schemas_are_the_grafana_foundation_sdks() -> None:
    readme = (SCHEMAS / "README.md").read_text()
    assert "grafana/grafana-foundation-sdk" in readme
    for name in ("dashboard", "timeseries", "prometheus"):
        assert f"grafana-{name}.jsonschema.json" in readme
    assert validator("dashboard").schema["$ref"] == "#/definitions/Dashboard"


def test_the_dashboard_validates_against_the_dashboard_schema() -> None:
    assert not problems(validator("dashboard"), dashboard())


def test_the_schema_refuses_what_grafana_would_not_read() -> None:
    """The schema is strict (no unknown keys), so a typo is an error, not a silent default."""
    broken = dashboard()
    broken["panels"][1]["gridpos"] = broken["panels"][1].pop("gridPos")
    broken["templating"]["list"][1]["type"] = "regex"
    assert len(problems(validator("dashboard"), broken)) == 2


def test_each_panel_is_a_time_series_with_valid_options() -> None:
    options = validator("timeseries", "Options")
    field_config = validator("timeseries", "FieldConfig")
    assert {panel["title"] for panel in panels()} == PANELS
    for panel in panels():
        assert panel["type"] == "timeseries"
        assert not problems(options, panel["options"]), panel["title"]
        custom = panel["fieldConfig"]["defaults"].get("custom", {})
        assert not problems(field_config, custom), panel["title"]


def test_each_query_is_a_valid_prometheus_query_on_the_chosen_datasource() -> None:
    query = validator("prometheus")
    source = {"type": "prometheus", "uid": "${datasource}"}
    for title, target in targets():
        assert not problems(query, target), title
        assert target["datasource"] == source, title
    assert all(panel["datasource"] == source for panel in panels())


def test_each_query_filters_by_the_service_variable() -> None:
    for title, target in targets():
        assert re.search(r'\bservice=~"\$service"', target["expr"]), title


def test_the_variables_pick_a_prometheus_datasource_and_the_services() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    service = variables["service"]
    assert service["type"] == "query" and service["multi"] and service["includeAll"]
    assert service["allValue"] == ".*"  # what "All" puts into service=~"$service"
    assert service["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert re.fullmatch(r"label_values\((\w+), service\)", service["query"])


def promql(expr: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable this test does not know: {expr}"
    return expr


def test_promtool_accepts_every_query(tmp_path: Path) -> None:
    """The queries as recording rules of a synthetic rule file: `promtool check rules`
    parses each as PromQL, as Prometheus would when Grafana sends it."""
    rules = [
        {"record": f"dashboard:panel_{index}", "expr": promql(target["expr"])}
        for index, (_, target) in enumerate(targets())
    ]
    path = tmp_path / "dashboard_queries.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in promtool("check", "rules", path)


def test_the_dashboard_reads_only_metrics_the_platform_exports() -> None:
    exported = exported_series()
    service_query = {v["name"]: v for v in dashboard()["templating"]["list"]}["service"]["query"]
    for title, target in [*targets(), ("service variable", {"expr": service_query})]:
        used = metric_names(target["expr"])
        assert used, title
        assert used <= exported, f"{title} reads {sorted(used - exported)}"
