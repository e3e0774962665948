"""Consoles and progress that behave in a terminal and in CI logs alike."""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable

from rich.console import Console
from rich.logging import RichHandler

__all__ = ["console", "err_console", "is_tty", "progress_printer", "setup_logging"]


def is_tty() -> bool:
    return sys.stderr.isatty()


@functools.cache
def console() -> Console:
    return Console(highlight=False)


@functools.cache
def err_console() -> Console:
    # no colours or animation when stderr is not a terminal (CI logs stay plain text)
    # soft_wrap: an error message stays one line, whatever the width of a CI log
    return Console(stderr=True, highlight=False, no_color=not is_tty(), soft_wrap=True,
                   force_terminal=None if is_tty() else False)


def setup_logging(level: int) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    if is_tty():
        handler: logging.Handler = RichHandler(console=err_console(), show_path=False,
                                               show_time=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("anchor").setLevel(level)
    for noisy in ("httpx", "urllib3", "numba", "jieba", "faster_whisper", "PIL"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def progress_printer(prefix: str = "") -> Callable[[str], None]:
    """A stage-progress callback: one plain line per stage with elapsed time."""
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        elapsed = time.perf_counter() - t0
        err_console().print(f"[dim]{elapsed:6.1f}s[/] {prefix}{msg}", highlight=False)

    return say
