"""Prometheus metrics shared by every service, labelled by service so one process can host
several (as the tests do).

The alert rules (deploy/monitoring/alerts.yaml) and the Grafana dashboard
(deploy/monitoring/grafana/simpul.json) query these names; the suite checks that every name
they use is one exported here, so renaming a metric means changing them too.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# The route label is the route's template (``/v1/children/{child_id}``), never the raw path,
# and "unmatched" for a path no route has: its values are bounded by the routes.
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
    "simpul_outbox_published_total", "Outbox events (rows) acknowledged by Kafka", ["service"]
)
OUTBOX_FAILURES = Counter(
    "simpul_outbox_failures_total", "Relay rounds that could not publish", ["service"]
)
OUTBOX_BATCH_SECONDS = Histogram(
    "simpul_outbox_publish_batch_seconds",
    "One relay round that found rows: claim, send, wait for the acks, mark sent, commit",
    ["service"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Both backlog gauges come from one query the relay runs every metrics_refresh_interval_s,
# also while it cannot publish (which is when they matter).
OUTBOX_PENDING = Gauge("simpul_outbox_pending", "Outbox events not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "simpul_outbox_oldest_unsent_age_seconds",
    "Age of the oldest outbox event not yet published (0 when none is waiting)",
    ["service"],
)
CONSUMED = Counter(
    "simpul_events_consumed_total",
    "Events handled by a consumer",
    ["service", "consumer", "outcome"],
)
# One series per partition the consumer is assigned; a partition it loses is removed.
CONSUMER_LAG = Gauge(
    "simpul_consumer_lag",
    "Records between a consumer's position and the end of a partition it is assigned",
    ["service", "consumer", "topic", "partition"],
)
DEAD_LETTERS = Counter(
    "simpul_dead_letters_total",
    "Records this process wrote to a consumer's dead-letter topic",
    ["service", "consumer"],
)
# The broker's count, so it survives restarts and covers every replica; a DLQ replay copies
# records back to their source topic and leaves this as it was.
DLQ_END_OFFSET = Gauge(
    "simpul_dlq_end_offset",
    "Sum of the end offsets of a consumer's dead-letter topic: dead letters ever written to it",
    ["service", "consumer"],
)
