"""The CloudWatch Logs provider: the operation groups assembled into one class.

Groups, streams and events live in ``LogStore``, which is also the ``runtime.api.LogSink``
the function runtime writes through (``provider.store``); closing the provider stores the
writes still buffered. The provider runs retention:
a thread sweeps expired events every ``sweep_interval_s``; reads never return them
anyway, so the sweep only reclaims space and any number of processes may run it.
"""

from __future__ import annotations

import logging
import threading
from typing import ClassVar

from nubes.services.base import Provider
from nubes.services.logs.events import EventOps
from nubes.services.logs.groups import GroupOps
from nubes.services.logs.store import LogStore
from nubes.services.logs.streams import StreamOps

log = logging.getLogger(__name__)


class RetentionSweeper:
    """A daemon thread calling ``store.sweep()`` periodically until stopped."""

    def __init__(self, store: LogStore, interval_s: float) -> None:
        self.store = store
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="logs-retention", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                removed = self.store.sweep()
            except Exception:  # a failed sweep must not end retention for good
                log.exception("logs: retention sweep failed")
                continue
            if removed:
                log.info("logs: retention removed %d events", removed)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


class LogsProvider(GroupOps, StreamOps, EventOps, Provider):
    service_name: ClassVar[str] = "logs"

    def __init__(self, store: LogStore, *, sweep_interval_s: float = 60.0) -> None:
        Provider.__init__(self)
        GroupOps.__init__(self, store)
        self._sweeper = RetentionSweeper(store, sweep_interval_s)

    def close(self) -> None:
        self._sweeper.stop()
        self.store.flush()  # the runtime's last log lines, still buffered
