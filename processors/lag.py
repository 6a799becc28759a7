"""Consumer lag per assigned partition, exported as a Prometheus gauge every few seconds."""

from __future__ import annotations

import logging

import faust

from processors.metrics import CONSUMER_LAG

log = logging.getLogger("sitrep.worker")


class LagMonitor:
    def __init__(self, app: faust.App, interval: float = 5.0) -> None:
        self.app = app
        self.interval = interval

    def install(self) -> None:
        @self.app.timer(self.interval, name="sitrep.lag")  # type: ignore[untyped-decorator]
        async def sample() -> None:
            await self.sample()

    async def sample(self) -> None:
        consumer = self.app.consumer
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            if position is None:
                continue
            CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))
