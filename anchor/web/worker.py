"""Entry point for Huey's own consumer, for sites that manage workers with it:

    ANCHOR_SERVE_QUEUE=huey-redis://10.0.0.5:6379/0 ANCHOR_SERVE_DATA=/mnt/anchor \\
        huey_consumer anchor.web.worker.huey -w 2 -k process

``anchor serve --worker-only`` does the same without the extra command. Settings come
from the same layers as ``anchor serve`` (anchor.toml [serve], ANCHOR_SERVE_* env).
"""

from __future__ import annotations

import functools

from .config import load_serve_config, queue_kind
from .job_store import RedisJobStore
from .queues import attach_webhooks, make_huey, redis_url
from .runner import JobRunner, load_pipeline

__all__ = ["huey"]

_cfg = load_serve_config()
if queue_kind(_cfg.queue) != "huey-redis":
    raise SystemExit("anchor.web.worker: set ANCHOR_SERVE_QUEUE=huey-redis://HOST:6379/0")


@functools.cache
def _runner() -> JobRunner:
    # Built on first task, i.e. in the worker process after any fork.
    store = RedisJobStore(redis_url(_cfg.queue))
    runner = JobRunner(store, load_pipeline(_cfg.pipeline), _cfg)
    attach_webhooks(_cfg, store)  # events go to the outbox; a web server delivers them
    return runner


huey = make_huey(_cfg.queue, _runner)
