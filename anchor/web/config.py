"""Settings of the submission service itself (where jobs live, who may call, limits).

Render options (avatar, voices, languages...) are not here: they come from
``anchor.core.settings.load_settings`` like everywhere else. Layers, later wins:
built-in defaults → ``[serve]`` in anchor.toml → ``ANCHOR_SERVE_*`` / ``ANCHOR_API_TOKEN``
environment → ``anchor serve`` flags.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from anchor.core.errors import ConfigError

__all__ = ["LOOPBACK", "ServeConfig", "is_loopback", "load_serve_config", "queue_kind"]

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True, slots=True)
class ServeConfig:
    data: Path = Path("output/serve")  # jobs.sqlite + one folder of outputs per job
    token: str = ""  # bearer token for the API; empty: local-only, no auth
    workers: int = 1  # renders at once per process; the models are shared by them
    queue: str = ""  # "" / "sqlite": in-process workers; "huey-redis://host:port/db"
    config: Path | None = None  # anchor.toml with the render defaults
    max_upload_bytes: int = 1_000_000  # an article file; a 200k-char text fits in ~600 kB
    max_text_chars: int = 200_000  # same bound as ingest, checked before any work
    # a running job's worker renews its lease every lease_s/4 (its heartbeat); one that
    # stops for lease_s is marked "worker lost" and re-queued: within 15 s all told
    lease_s: float = 12.0
    max_attempts: int = 3  # claims per phase before a job that kills workers is failed
    pipeline: str = ""  # "module:attr" of a Pipeline factory; "" = the real pipeline
    allowed_hosts: tuple[str, ...] = ()  # Host headers accepted; () = loopback names only
    # when no token is set, anything when one is (a proxy in front decides)
    keep_days: float = 0.0  # retention: delete finished jobs older than this; 0 = keep
    keep_gb: float = 0.0  # retention: oldest finished jobs go until clips fit; 0 = no cap
    webhook_url: str = ""  # POSTed a signed JSON event on done / failed / approved
    webhook_secret: str = ""  # HMAC-SHA256 key for X-Anchor-Signature (env only)
    login_limit: int = 5  # wrong passwords per account (5 min), or one wrong token (1 min)
    address_limit: int = 60  # wrong credentials per address per minute: generous (NAT)
    trusted_proxies: tuple[str, ...] = ()  # proxies whose X-Forwarded-For names the client
    public_url: str = ""  # how receivers reach this server (absolute URLs in webhooks);
    # "" = http://HOST:PORT of `anchor serve`
    webhook_retry_hours: float = 24.0  # keep retrying an undelivered event this long
    webhook_max_interval_s: float = 300.0  # backoff doubles from 2 s up to this

    @property
    def db_path(self) -> Path:
        return self.data / "jobs.sqlite"

    @property
    def jobs_dir(self) -> Path:
        return self.data / "jobs"


def queue_kind(spec: str) -> str:
    """``sqlite`` or ``huey-redis``; anything else is a ConfigError with the forms we take."""
    if spec in ("", "sqlite"):
        return "sqlite"
    if spec.startswith(("huey-redis://", "huey-rediss://")):
        return "huey-redis"
    raise ConfigError(f"queue: {spec!r} is not a queue Anchor knows",
                      hint="use sqlite (default, one machine) or huey-redis://HOST:6379/0")


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK or host.startswith("127.")


_ENV = {
    "ANCHOR_API_TOKEN": "token",
    "ANCHOR_SERVE_DATA": "data",
    "ANCHOR_SERVE_WORKERS": "workers",
    "ANCHOR_SERVE_QUEUE": "queue",
    "ANCHOR_SERVE_LEASE": "lease_s",
    "ANCHOR_SERVE_PIPELINE": "pipeline",
    "ANCHOR_SERVE_MAX_UPLOAD": "max_upload_bytes",
    "ANCHOR_SERVE_KEEP_DAYS": "keep_days",
    "ANCHOR_SERVE_KEEP_GB": "keep_gb",
    "ANCHOR_WEBHOOK_URL": "webhook_url",
    "ANCHOR_WEBHOOK_SECRET": "webhook_secret",
    "ANCHOR_PUBLIC_URL": "public_url",
    "ANCHOR_SERVE_TRUSTED_PROXIES": "trusted_proxies",
}
# The token is never read from anchor.toml: config files get committed, secrets must not.
_TOML_KEYS = {"data", "workers", "queue", "lease_s", "max_upload_bytes", "max_attempts",
              "keep_days", "keep_gb", "webhook_url", "login_limit", "public_url",
              "webhook_retry_hours", "webhook_max_interval_s", "address_limit",
              "trusted_proxies"}


def _coerce(name: str, value: Any, like: Any) -> Any:
    try:
        if isinstance(like, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            out = tuple(str(x).strip() for x in items if str(x).strip())
            if name == "trusted_proxies":
                for net in out:
                    ipaddress.ip_network(net, strict=False)
            return out
        if isinstance(like, Path) or name in ("data", "config"):
            return Path(str(value)) if value not in (None, "") else like
        if isinstance(like, bool):
            return bool(value)
        if isinstance(like, int):
            return int(value)
        if isinstance(like, float):
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"serve {name}: {value!r} is not a valid {type(like).__name__}") from exc
    return str(value)


def load_serve_config(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> ServeConfig:
    env = os.environ if env is None else env
    cfg = ServeConfig(config=config_file)
    defaults = {f.name: getattr(cfg, f.name) for f in fields(ServeConfig)}
    values: dict[str, Any] = {}

    path = config_file or (Path(env["ANCHOR_CONFIG"]) if env.get("ANCHOR_CONFIG") else None)
    if path is None and Path("anchor.toml").is_file():
        path = Path("anchor.toml")
    if path is not None and path.is_file():
        try:
            section = tomllib.loads(path.read_text("utf-8")).get("serve", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}", hint="check the TOML syntax") from exc
        for key, value in section.items():
            if key not in _TOML_KEYS:
                raise ConfigError(f"{path}: unknown key [serve] {key}",
                                  hint=f"known keys: {', '.join(sorted(_TOML_KEYS))} "
                                       "(the token comes from ANCHOR_API_TOKEN or --token)")
            values[key] = value
    for var, key in _ENV.items():
        if env.get(var):
            values[key] = env[var]
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value

    for key, value in values.items():
        values[key] = _coerce(key, value, defaults[key])
    cfg = replace(cfg, **values)
    queue_kind(cfg.queue)
    if cfg.workers < 0:
        raise ConfigError("serve workers: must be 0 or more")
    if cfg.keep_days < 0 or cfg.keep_gb < 0:
        raise ConfigError("serve keep_days / keep_gb: must be 0 (keep everything) or more")
    if cfg.webhook_url and not cfg.webhook_url.startswith(("http://", "https://")):
        raise ConfigError(f"serve webhook_url: {cfg.webhook_url!r} is not an http(s) URL")
    if cfg.webhook_url and not cfg.webhook_secret:
        raise ConfigError("a webhook needs a secret to sign with",
                          hint="set ANCHOR_WEBHOOK_SECRET (the receiver checks "
                               "X-Anchor-Signature with it)")
    if cfg.public_url and not cfg.public_url.startswith(("http://", "https://")):
        raise ConfigError(f"serve public_url: {cfg.public_url!r} is not an http(s) URL",
                          hint="e.g. https://anchor.newsroom.example (what the CMS can reach)")
    if cfg.webhook_retry_hours <= 0 or cfg.webhook_max_interval_s < 1:
        raise ConfigError("serve webhook_retry_hours must be above 0 and "
                          "webhook_max_interval_s at least 1")
    if cfg.max_upload_bytes < 1024:
        raise ConfigError("serve max_upload_bytes: must be at least 1024")
    return cfg
