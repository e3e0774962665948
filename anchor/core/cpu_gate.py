"""Who may use the cores while the translation model runs.

llama.cpp splits every operator across its threads and makes them wait for each other
(spinning) at the end of each one. On two cores, one other busy thread (a voice, an
encoder, another article in a batch) keeps preempting one of them, and the other spins:
translation then takes many times longer while the other work gains little. So the
translation holds the cores alone (``exclusive``), and speech, rendering and the thumbnail
share them with each other (``shared``). A waiting translation goes first: new shared work
waits for it, so a stream of renders in a batch cannot starve it.

Shared holders must not wait on other pipeline work while they hold the gate (a render waits
for its voice *before* entering), or a waiting translation could deadlock them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CPU", "CpuGate"]


class CpuGate:
    """A readers–writer lock with writer preference: ``exclusive`` for the translation
    model, ``shared`` for everything else that keeps a core busy."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False
        self._waiting = 0  # translations waiting for the cores

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            try:
                self._cond.wait_for(lambda: not self._exclusive and self._shared == 0)
            finally:
                self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._exclusive and self._waiting == 0)
            self._shared += 1
        try:
            yield
        finally:
            with self._cond:
                self._shared -= 1
                self._cond.notify_all()


CPU = CpuGate()  # one per process: every article and worker thread shares the cores
