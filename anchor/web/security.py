"""Who may call, and how much they may send.

- API: ``Authorization: Bearer <token>`` when a token is configured.
- Pages: a signed, expiring session cookie, given by /login for the same token
  (HttpOnly, SameSite=Strict). With no token the service is local-only (the CLI
  refuses other binds) and pages and API are open to this machine's users.
- Every state-changing request that carries an ``Origin`` must come from this
  site: a page elsewhere cannot submit forms to a reporter's local server.
- Request bodies over the limit get 413 before the app reads them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "SESSION_COOKIE",
    "BodyLimit",
    "HostCheck",
    "SameOrigin",
    "SecurityHeaders",
    "bearer_ok",
    "make_session",
    "session_ok",
]

SESSION_COOKIE = "anchor_session"
SESSION_SECONDS = 12 * 3600  # a working day; rotating the token ends every session at once

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def bearer_ok(header: str | None, token: str) -> bool:
    if not token:
        return True
    scheme, _, value = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())


def _sign(token: str, expires: int) -> str:
    return hmac.new(token.encode(), f"anchor-session:{expires}".encode(),
                    hashlib.sha256).hexdigest()


def make_session(token: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    return f"{expires}.{_sign(token, expires)}"


def session_ok(cookie: str | None, token: str, now: float | None = None) -> bool:
    if not token:
        return True
    expires_s, _, sig = (cookie or "").partition(".")
    if not expires_s.isdigit() or int(expires_s) < (now or time.time()):
        return False
    return hmac.compare_digest(sig, _sign(token, int(expires_s)))


async def _json(send: Send, status: int, error: str, hint: str) -> None:
    body = json.dumps({"error": error, "hint": hint}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by header or while reading.

    The body is read here (at most ``limit`` bytes) and replayed to the app, so an
    oversized chunked upload is cut off before the multipart parser spools it to disk.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        hint = f"the limit is {self.limit:,} bytes: send the article text, not attachments"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _json(send, 413, "request too large", hint)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _json(send, 413, "request too large", hint)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for disconnect as usual

        await self.app(scope, replay, send)


class SameOrigin:
    """403 for a state-changing request whose ``Origin`` is another site (CSRF)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(scope.get("headers", []))
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            # Browsers send Origin on cross-site POSTs; API clients send none, and a
            # privacy-preserving "null" from a sandboxed page is refused too.
            if origin and urlsplit(origin).netloc != host:
                await _json(send, 403, "cross-site request refused",
                            "submit from the Anchor page itself, or call the API without "
                            "an Origin header")
                return
        await self.app(scope, receive, send)


class HostCheck:
    """Answer only to the listed host names (DNS-rebinding defence for a local server).

    A page on evil.example that resolves its own name to 127.0.0.1 can make the browser
    talk to us, but it cannot make the browser send ``Host: 127.0.0.1``.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = {h.strip("[]").lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            name = (urlsplit(f"//{host}").hostname or "").lower()
            if name not in self.allowed:
                await _json(send, 400, f"this server does not answer to {name or 'no host'!r}",
                            "open it as http://127.0.0.1:PORT/, or set a token "
                            "(ANCHOR_API_TOKEN) to serve other names")
                return
        await self.app(scope, receive, send)


_CSP = ("default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'")


class SecurityHeaders:
    """nosniff, no framing, no referrer leaks; a strict CSP except on the API docs page,
    whose Swagger UI needs its CDN scripts and an inline bootstrap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "").startswith("/docs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"same-origin")]
                if not docs:
                    headers += [(b"content-security-policy", _CSP.encode()),
                                (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
