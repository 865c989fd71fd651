"""What a consumer runner reports to /metrics: lag per assigned partition and the depth of
its dead-letter topic. Kept apart from the runner so the consume loop stays about applying
records; the runner calls these after each poll."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from simpul_platform import metrics
from simpul_platform.settings import ServiceSettings

logger = logging.getLogger("simpul.consumer")
# A look-up the broker does not answer in this long is skipped, not waited for: it runs
# between polls, and consuming matters more than a gauge.
OFFSETS_TIMEOUT_S = 5.0


class ConsumerMetrics:
    """The gauges of one consumer (``name``) of one service."""

    def __init__(self, settings: ServiceSettings, name: str, dead_letter_topic: str) -> None:
        self.settings = settings
        self.name = name
        self.dead_letter_topic = dead_letter_topic
        self._lag_series: set[TopicPartition] = set()
        self._last_dead_letter_check = -float("inf")
        # The series exists at 0 from the start, so the first dead letter is an increase an
        # alert sees, not a series that appears already at 1.
        metrics.DEAD_LETTERS.labels(settings.service_name, name)

    async def observe_lag(self, kafka: AIOKafkaConsumer) -> int | None:
        """Records between the consumer's position and the end of its partitions, exported
        per partition whose end is known; the total is None (unknown) until it has
        partitions and has fetched from each, so 0 means caught up."""
        partitions = kafka.assignment()
        lags: dict[TopicPartition, int] = {}
        for partition in partitions:
            highwater = kafka.highwater(partition)  # the end as of the last fetch: no request
            if highwater is not None:
                lags[partition] = max(highwater - await kafka.position(partition), 0)
        self._export_lag(lags)
        complete = bool(partitions) and len(lags) == len(partitions)
        return sum(lags.values()) if complete else None

    def stopped(self) -> None:
        """The consumer stopped: its partitions' lag is not known here any more."""
        self._export_lag({})

    def _export_lag(self, lags: dict[TopicPartition, int]) -> None:
        """Set the per-partition series, dropping those of partitions no longer assigned (a
        rebalance moved them to another replica, which reports them now)."""
        service = self.settings.service_name
        for gone in self._lag_series - lags.keys():
            metrics.CONSUMER_LAG.remove(service, self.name, gone.topic, str(gone.partition))
        for partition, lag in lags.items():
            metrics.CONSUMER_LAG.labels(
                service, self.name, partition.topic, str(partition.partition)
            ).set(lag)
        self._lag_series = set(lags)

    def dead_lettered(self) -> None:
        """A record went to the dead-letter topic: count it, and read the new end offsets
        at the next refresh rather than an interval later."""
        metrics.DEAD_LETTERS.labels(self.settings.service_name, self.name).inc()
        self._last_dead_letter_check = -float("inf")

    async def observe_dead_letters(self, kafka: AIOKafkaConsumer, producer: Any) -> None:
        """Every ``metrics_refresh_interval_s``, the sum of the dead-letter topic's end
        offsets (one metadata look-up, one offsets request): the broker's count, so a
        restarted process, or another replica, shows the same. Broker trouble skips one."""
        now = time.monotonic()
        if now - self._last_dead_letter_check < self.settings.metrics_refresh_interval_s:
            return
        self._last_dead_letter_check = now
        try:
            ids = await asyncio.wait_for(
                producer.partitions_for(self.dead_letter_topic), OFFSETS_TIMEOUT_S
            )
            partitions = [TopicPartition(self.dead_letter_topic, i) for i in sorted(ids)]
            ends = await asyncio.wait_for(kafka.end_offsets(partitions), OFFSETS_TIMEOUT_S)
        except (KafkaError, TimeoutError) as exc:
            logger.info(
                "dead-letter offsets unavailable",
                extra={"consumer": self.name, "error": f"{type(exc).__name__}: {exc}"},
            )
            return
        total = sum(ends.values())
        metrics.DLQ_END_OFFSET.labels(self.settings.service_name, self.name).set(total)
