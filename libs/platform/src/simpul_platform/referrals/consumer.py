"""What a field consumes for referrals: requests addressed to it, answers to the ones it sent."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.events import Envelope
from simpul_platform.referrals import ops
from simpul_platform.referrals.events import (
    AnswerView,
    RequestedView,
    answer_views,
    requested_views,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.subscription import Consumer, Subscription


def referral_consumer(name: str, field: str, settings: ServiceSettings) -> Consumer:
    """Consumer ``name`` (its group id and inbox key: never rename it) of every other served
    field's referral requests and answers; each handler keeps what concerns ``field``."""

    async def on_request(session: AsyncSession, view: RequestedView, event: Envelope) -> None:
        await ops.receive(session, settings, field, view)

    async def on_answer(session: AsyncSession, view: AnswerView, event: Envelope) -> None:
        await ops.hear_answer(session, field, view, event)

    subscriptions: list[Subscription[Any]] = [
        Subscription(view, on_request) for view in requested_views(field)
    ]
    subscriptions += [Subscription(view, on_answer) for view in answer_views(field)]
    return Consumer(name, subscriptions)
