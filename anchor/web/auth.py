"""Who is calling: the account behind a bearer token (API) or a session cookie (pages).

- No ``ANCHOR_API_TOKEN`` and no accounts: the server is open to this machine only
  (the CLI refuses other binds) and everyone is the ``local`` admin.
- Otherwise every API call needs ``Authorization: Bearer <token>`` (an account's token,
  or the shared admin token), and every page a session from /login.
- Failed tokens and logins count per client address; past the limit the client gets
  429 with ``Retry-After`` until the oldest failure is a minute old.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .accounts import ADMIN, LOCAL, Account, AccountStore, Throttle

__all__ = ["AuthError", "Caller", "LoginRequired", "Throttled", "api_account", "auth_required",
           "check_secret", "client_of", "page_account"]

SESSION_COOKIE = "anchor_session"


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
    # The peer address; behind a proxy, uvicorn --proxy-headers puts the real one here.
    return request.client.host if request.client else "unknown"


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
    client = client_of(request)
    wait = throttle(request).retry_after(client)
    if wait:
        raise Throttled(wait)
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    account = check_secret(request, value.strip()) if scheme.lower() == "bearer" else None
    if account is None:
        throttle(request).failed(client)
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
