"""A daemon thread that runs a loop until it is stopped: the shape of the outbox relay, the event
consumer and the clock scheduler. Subclasses write ``_run`` (checking ``self._stop``) and may say
when there is nothing to run (``_has_work``) or what to release on the way out (``_on_stop``)."""
from __future__ import annotations

import threading


class BackgroundLoop:
    def __init__(self, name: str):
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None and self._has_work():
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake_up()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._on_stop()

    def _run(self) -> None:
        raise NotImplementedError

    def _has_work(self) -> bool:
        return True

    def _wake_up(self) -> None:
        """Interrupt a wait other than ``self._stop`` so the loop sees it must end."""

    def _on_stop(self) -> None:
        """Release what the loop held, after it ended."""
