"""The translation holds the cores alone; speech and renders share them."""

from __future__ import annotations

import threading
import time

from anchor.core.cpu_gate import CpuGate


def test_shared_holders_run_together_and_exclusive_waits_for_them() -> None:
    gate = CpuGate()
    log: list[str] = []
    both_in = threading.Barrier(2, timeout=5)

    def shared(name: str) -> None:
        with gate.shared():
            both_in.wait()  # two shared holders are inside at once
            log.append(f"{name} in")
            time.sleep(0.1)
            log.append(f"{name} out")

    def exclusive() -> None:
        time.sleep(0.03)
        with gate.exclusive():
            log.append("translate")

    threads = [threading.Thread(target=shared, args=(n,)) for n in ("a", "b")]
    threads.append(threading.Thread(target=exclusive))
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert log[-1] == "translate" and sorted(log[:4]) == ["a in", "a out", "b in", "b out"]


def test_a_waiting_translation_goes_before_new_shared_work() -> None:
    gate = CpuGate()
    log: list[str] = []
    first_in = threading.Event()

    def render() -> None:
        with gate.shared():
            first_in.set()
            time.sleep(0.15)
            log.append("render 1 done")

    def translate() -> None:
        first_in.wait(5)
        with gate.exclusive():
            log.append("translate")
            time.sleep(0.05)

    def later_render() -> None:
        first_in.wait(5)
        time.sleep(0.05)  # arrives while the translation waits for render 1
        with gate.shared():
            log.append("render 2")

    threads = [threading.Thread(target=f) for f in (render, translate, later_render)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert log == ["render 1 done", "translate", "render 2"]


def test_exclusive_holders_take_turns() -> None:
    gate = CpuGate()
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with gate.exclusive():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most == 1
