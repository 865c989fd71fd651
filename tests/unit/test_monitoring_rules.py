"""deploy/monitoring: the alert rules pass the real promtool (`check rules`, and `test rules`
with alerts_test.yaml, where each alert fires above its threshold and not below), read only
metrics the platform exports, and link the runbook; the Prometheus scrape config passes
`promtool check config` and scrapes every service of deploy/services.toml, API and worker."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from monitoring_files import (
    MONITORING,
    PROMETHEUS_OWN,
    exported_series,
    metric_names,
    promtool,
)

from simpul_platform.devstack.services import load_services

pytestmark = pytest.mark.unit

ALERTS = MONITORING / "alerts.yaml"
RUNBOOK_ANCHORS = {"outbox-backlog", "dead-letters", "consumer-lag", "error-rate", "service-down"}
SEVERITIES = {"warning", "critical"}
WORKER_PORT_OFFSET = 1000  # the worker's side port: the service's port + 1000


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_promtool_accepts_the_alert_rules() -> None:
    assert "SUCCESS: 6 rules found" in promtool("check", "rules", ALERTS)


def test_each_alert_fires_above_its_threshold_and_not_below() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yaml")


def test_the_rule_tests_cover_every_alert() -> None:
    tests = yaml.safe_load((MONITORING / "alerts_test.yaml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"]}
    quiet = {
        case["alertname"]
        for test in tests
        for case in test["alert_rule_test"]
        if not case.get("exp_alerts")
    }
    alerts = {rule["alert"] for rule in alert_rules()}
    assert tested == alerts and quiet == alerts


def test_the_alerts_read_only_metrics_the_platform_exports() -> None:
    exported = exported_series() | PROMETHEUS_OWN
    for rule in alert_rules():
        used = metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} reads {sorted(used - exported)}"


def test_every_alert_says_how_bad_what_and_where_the_runbook_is() -> None:
    anchors = set()
    for rule in alert_rules():
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], rule["alert"]
        page, _, anchor = annotations["runbook_url"].partition("#")
        assert page == "docs/operations.md", rule["alert"]
        anchors.add(anchor)
    assert anchors == RUNBOOK_ANCHORS


def test_promtool_accepts_the_scrape_config_and_its_rule_file() -> None:
    output = promtool("check", "config", "prometheus.yaml")
    assert "is valid prometheus config file syntax" in output
    assert "SUCCESS: 6 rules found" in output  # alerts.yaml, loaded through rule_files


def test_the_scrape_config_scrapes_every_api_and_every_worker() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yaml").read_text())
    assert config["rule_files"] == ["alerts.yaml"]
    scraped = {
        (job["job_name"], target, group["labels"]["simpul_service"], group["labels"]["role"])
        for job in config["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    expected = set()
    for entry in load_services():
        expected.add(("simpul-api", f"{entry.name}:{entry.port}", entry.name, "api"))
        if entry.database:  # a stateless service (the gateway) has no worker
            worker = f"{entry.name}-worker:{entry.port + WORKER_PORT_OFFSET}"
            expected.add(("simpul-worker", worker, entry.name, "worker"))
    assert scraped == expected
