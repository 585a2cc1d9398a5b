"""The SNS provider: the operation groups assembled into one class.

Topics and subscriptions live in ``SnsStore`` (SQLite). A Publish writes its deliveries
in the same transaction: bus events for sqs and lambda subscriptions, ``sns_http`` rows
for http(s) ones, which ``HttpDeliveryOps`` POSTs with retries.
"""

from __future__ import annotations

from typing import ClassVar

from nubes.events.bus import EventBus
from nubes.services.base import Provider
from nubes.services.sns.core import SnsOptions
from nubes.services.sns.deliveries import HttpDeliveryOps
from nubes.services.sns.publish import ServicePublishOps
from nubes.services.sns.store import SnsStore
from nubes.services.sns.subscriptions import SubscriptionOps
from nubes.services.sns.topics import TopicOps


class SnsProvider(TopicOps, SubscriptionOps, ServicePublishOps, HttpDeliveryOps, Provider):
    service_name: ClassVar[str] = "sns"

    def __init__(self, store: SnsStore, bus: EventBus | None, options: SnsOptions) -> None:
        Provider.__init__(self)
        TopicOps.__init__(self, store, bus, options)

    def signing_certificate(self, name: str) -> bytes | None:
        """The certificate messages are signed with, by its SigningCertURL file name."""
        return self.signer.certificate if name == self.signer.cert_name else None

    async def start(self) -> None:
        self.start_http()

    async def aclose(self) -> None:
        await self.close_http()
