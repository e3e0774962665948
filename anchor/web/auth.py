"""Who is calling: the account behind a bearer token (API) or a session cookie (pages).

- No ``ANCHOR_API_TOKEN`` and no accounts: the server is open to this machine only
  (the CLI refuses other binds) and everyone is the ``local`` admin.
- Otherwise every API call needs ``Authorization: Bearer <token>`` (an account's token,
  or the shared admin token), and every page a session from /login.
- Wrong tokens count per token and per address (generously: behind a proxy or NAT one
  address is many people); wrong passwords per account, except from a browser that
  signed in before. Past a limit the caller gets 429 with ``Retry-After``; a right token
  is never refused, and neither is a right password from a known browser.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .accounts import ADMIN, LOCAL, Account, AccountStore, Throttle

__all__ = ["AuthError", "Caller", "LoginRequired", "Throttled", "api_account", "auth_required",
           "check_secret", "client_of", "page_account", "token_key"]

SESSION_COOKIE = "anchor_session"
DEVICE_COOKIE = "anchor_device"  # a browser that signed in with a password before


class AuthError(Exception):
    """Missing or wrong bearer token (401)."""


class Throttled(Exception):
    """Too many failed attempts from this client (429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def client_of(request: Request) -> str:
    """The caller's address: the peer, or — when the peer is one of ``trusted_proxies`` —
    the last address in ``X-Forwarded-For`` that is not a trusted proxy itself (what the
    newsroom's proxy saw; anything left of it the client could have written)."""
    peer = request.client.host if request.client else "unknown"
    trusted: tuple[str, ...] = getattr(request.app.state.cfg, "trusted_proxies", ())
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _in(hop, trusted):
            return hop
    return peer


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def token_key(secret: str) -> str:
    """The throttle key of a presented token (its hash: the token itself is not kept)."""
    return "tok:" + hashlib.sha256(secret.encode()).hexdigest()[:16]


def _accounts(request: Request) -> AccountStore:
    store: AccountStore = request.app.state.accounts
    return store


def auth_required(request: Request) -> bool:
    """A token is configured, or at least one account exists (re-checked every 2 s)."""
    if request.app.state.cfg.token:
        return True
    # an app without accounts (a bare router under test) has only the token to go by
    exists = getattr(request.app.state, "accounts_exist", None)
    return bool(exists()) if exists is not None else False


def check_secret(request: Request, secret: str) -> Account | None:
    """The account a token belongs to (the shared admin token included), or None."""
    token: str = request.app.state.cfg.token
    if not secret:
        return None
    if token and hmac.compare_digest(secret.encode(), token.encode()):
        return ADMIN
    return _accounts(request).by_token(secret)


def throttle(request: Request) -> Throttle:
    t: Throttle = request.app.state.throttle
    return t


_bearer = HTTPBearer(auto_error=False,
                     description="an account's token (`anchor users add`) or ANCHOR_API_TOKEN")


def api_account(request: Request,
                creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                ) -> Account:
    if not auth_required(request):
        return LOCAL
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise AuthError  # no credential is no guess: nothing to count
    # A right token always passes, however many wrong ones others sent: tokens are 256
    # random bits, so the throttle is there to slow a broken client, not to stop a guess.
    account = check_secret(request, value)
    if account is None:
        keys = [f"addr:{client_of(request)}", token_key(value)]
        wait = throttle(request).wait(keys)
        if wait:
            raise Throttled(wait)
        throttle(request).failed(keys)
        raise AuthError
    request.state.account = account
    return account


def page_account(request: Request) -> Account:
    if not auth_required(request):
        request.state.account = LOCAL  # the pages offer the local admin what it may do
        return LOCAL
    sid = request.cookies.get(SESSION_COOKIE)
    account = _accounts(request).session(sid, bool(request.app.state.cfg.token))
    if account is None:
        raise LoginRequired(request.url.path)
    request.state.account = account
    return account


Caller = Annotated[Account, Depends(api_account)]
