"""Prometheus metrics shared by every service, labelled by service so one process can host
several (as the tests do)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "simpul_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "simpul_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_PUBLISHED = Counter(
    "simpul_outbox_published_total", "Outbox events acknowledged by Kafka", ["service"]
)
OUTBOX_FAILURES = Counter(
    "simpul_outbox_failures_total", "Relay rounds that could not publish", ["service"]
)
OUTBOX_PENDING = Gauge("simpul_outbox_pending", "Outbox events not yet published", ["service"])
CONSUMED = Counter(
    "simpul_events_consumed_total",
    "Events handled by a consumer",
    ["service", "consumer", "outcome"],
)
CONSUMER_LAG = Gauge(
    "simpul_consumer_lag", "Records behind the end of the log", ["service", "consumer"]
)
