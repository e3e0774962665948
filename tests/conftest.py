"""Shared test set-up: no hidden ERROR logs, network tests skipped with a reason offline."""

from __future__ import annotations

import logging
import socket

import pytest


def _online() -> bool:
    try:
        socket.setdefaulttimeout(2)
        socket.getaddrinfo("speech.platform.bing.com", 443)
        return True
    except OSError:
        return False
    finally:
        socket.setdefaulttimeout(None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any("network" in item.keywords for item in items):
        return
    if _online():
        return
    skip = pytest.mark.skip(reason="needs the internet (edge-tts / model hub): offline here")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_error_logs(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest):
    """Fail a test that logged an ERROR it did not expect (PySceneDetect's habit)."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"unexpected ERROR logs: {[r.getMessage() for r in errors]}"
