"""http(s) deliveries: POSTed from the ``sns_http`` queue, claimed with leases in the
store, retried per the subscription's delivery policy.

A 2xx answer is delivered. A 5xx (or 429, or a status outside 200-599), a timeout or no
connection is retried after the policy's next delay; once the policy is spent, or at
once for another 3xx or 4xx answer (the endpoint refused it), a notification goes to the
subscription's dead-letter queue (``RedrivePolicy``) if it has one, else it is dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from collections import deque

from nubes.events.claims import ClaimLoop
from nubes.events.event import Event
from nubes.services.sns.core import SnsCore
from nubes.services.sns.models import retry_delays, retry_policy, throttle_rate
from nubes.services.sns.store import HttpDelivery

log = logging.getLogger(__name__)

# No proxy: endpoints are reached directly, as SNS reaches them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: str, headers: dict[str, str], timeout_s: float) -> int:
    """POST and answer the status (0: no answer, a timeout or no connection)."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)
    except (OSError, ValueError):
        return 0


def retryable(status: int) -> bool:
    return status >= 500 or status == 429 or not 200 <= status <= 599


class HttpDeliveryOps(SnsCore):
    _claims: ClaimLoop[HttpDelivery] | None = None
    # Recent send times per subscription, for throttle policies (maxReceivesPerSecond).
    # Per process: with several processes each keeps the rate on its own.
    _recent: dict[str, deque[float]]

    def start_http(self) -> None:
        self._recent = {}
        self._claims = ClaimLoop(
            lambda room: self.store.claim_http(self.options.lease_s, room),
            self.store.next_http_due, self._send, max_in_flight=32, idle_poll_s=1.0,
            renew=lambda held: self.store.renew_http(held, self.options.lease_s),
            renew_every_s=self.options.lease_s / 3)
        self._claims.start()

    async def close_http(self) -> None:
        if self._claims is not None:
            await self._claims.close()
            self._claims = None

    def wake_http(self) -> None:
        if self._claims is not None:
            self._claims.wake()

    async def _send(self, delivery: HttpDelivery) -> None:
        sub = self.store.get_subscription(delivery.subscription_arn)
        if sub is None:  # unsubscribed (or its topic deleted) meanwhile
            self.store.http_done(delivery)
            return
        wait = self._throttled(sub.arn, throttle_rate(sub, self.store.get_topic(sub.topic_arn)))
        if wait > 0:
            self.store.http_defer(delivery, wait)
            if self._claims is not None:
                self._claims.poke()
            return
        status = await asyncio.to_thread(post, sub.endpoint, delivery.body, delivery.headers,
                                         self.options.http_timeout_s)
        if 200 <= status < 300:
            self.store.http_done(delivery)
        else:
            topic = self.store.get_topic(sub.topic_arn)
            delays = retry_delays(retry_policy(sub, topic))
            if retryable(status) and delivery.attempts < len(delays):
                self.store.http_retry(
                    delivery, delays[delivery.attempts] * self.options.retry_delay_scale)
            else:
                log.warning("sns: %s answered %s; %s dropped after %d attempts",
                            sub.endpoint, status or "nothing",
                            delivery.headers.get("x-amz-sns-message-id"),
                            delivery.attempts + 1)
                self._dead_letter(delivery, sub.attributes.get("RedrivePolicy"))
                self.store.http_done(delivery)
        if self._claims is not None:
            self._claims.poke()

    def _throttled(self, subscription_arn: str, rate: int | None) -> float:
        """Seconds to wait before sending to a subscription at ``rate`` per second (0:
        send now, counted)."""
        if rate is None:
            return 0.0
        now = time.monotonic()
        recent = self._recent.setdefault(subscription_arn, deque())
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= rate:
            return recent[0] + 1.0 - now
        recent.append(now)
        return 0.0

    def _dead_letter(self, delivery: HttpDelivery, redrive: str | None) -> None:
        """Send an undeliverable notification to the subscription's dead-letter queue."""
        if not redrive or self.bus is None or \
                delivery.headers.get("x-amz-sns-message-type") != "Notification":
            return
        queue = json.loads(redrive).get("deadLetterTargetArn")
        topic = self.store.get_topic(delivery.topic_arn)
        if not queue or topic is None:
            return
        self.bus.publish(Event("sns", topic.account_id, topic.region, "Notification",
                               str(queue), topic.arn, delivery.body))
