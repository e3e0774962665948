"""What may reach the app: host names, origins, body sizes and shapes; response headers.

- Every state-changing request that carries an ``Origin`` must come from this
  site: a page elsewhere cannot submit forms to a reporter's local server.
- Request bodies over the limit get 413 before the app reads them; JSON nested deeper
  than any Anchor request needs gets 400 before a parser recurses into it.
- A browser that is refused here gets a small HTML page with the reason, not JSON.
  (Who is calling is auth.py's business.)
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "MAX_JSON_DEPTH",
    "BodyLimit",
    "HostCheck",
    "SameOrigin",
    "SecurityHeaders",
    "json_too_deep",
]

MAX_JSON_DEPTH = 32  # a script is 3 deep; anything near this is an attack, not a request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``body`` opens more than ``limit`` nested arrays/objects (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if m.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _wants_html(scope: Scope) -> bool:
    if scope.get("path", "").startswith("/api/"):
        return False
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept", b"").decode("latin-1")
    ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
    # a form posted to a page comes from a browser, whatever it says it accepts
    return "text/html" in accept or ctype.startswith(("multipart/form-data",
                                                      "application/x-www-form-urlencoded"))


async def _refuse(scope: Scope, send: Send, status: int, error: str, hint: str,
                  extra: str = "") -> None:
    """A refusal in the caller's language: JSON for the API, a page for a browser."""
    if _wants_html(scope):
        body = _PAGE.format(status=status, error=html.escape(error), hint=html.escape(hint),
                            extra=extra).encode()
        ctype = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"error": error, "hint": hint}).encode()
        ctype = b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# Self-contained (the app's templates are not reachable from here); same look as the site.
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} · Anchor newsroom</title><link rel="stylesheet" href="/static/style.css">
</head><body><main class="wrap"><section class="card narrow"><h1>Something is not right</h1>
<div class="alert" role="alert"><strong>{error}</strong><div class="alert-hint">{hint}</div>
</div>{extra}<p><a href="/">New story</a> · <a href="/jobs">All jobs</a></p></section></main>
</body></html>"""


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by header or while reading.

    The body is read here (at most ``limit`` bytes) and replayed to the app, so an
    oversized chunked upload is cut off before the multipart parser spools it to disk.
    The story form (``page_paths``) may send up to ``page_limit``: an oversize paste is
    read whole so the page can hand it back with the reason instead of losing it.
    """

    def __init__(self, app: ASGIApp, limit: int, page_limit: int = 0,
                 page_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = limit
        self.page_limit = max(page_limit, limit)
        self.page_paths = page_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.page_limit if scope.get("path") in self.page_paths else self.limit
        hint = (f"the limit is {limit:,} bytes (an article is at most 200,000 characters): "
                "send the article text, not attachments")
        extra = ("<p>What you typed is kept in this browser: go back to the "
                 "<a href=\"/\">story form</a> and it is there again (the file is not).</p>"
                 if _wants_html(scope) else "")
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(scope, send, 413, "request too large", hint, extra)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(scope, send, 413, "request too large", hint, extra)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        ctype = dict(scope.get("headers", [])).get(b"content-type", b"")
        if b"json" in ctype and json_too_deep(body):
            await _refuse(scope, send, 400, "the JSON is nested too deeply",
                          f"Anchor's requests are flat; at most {MAX_JSON_DEPTH} levels")
            return
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
                await _refuse(scope, send, 403, "cross-site request refused",
                            "submit from the Anchor page itself, or call the API without "
                            "an Origin header")
                return
        await self.app(scope, receive, send)


class HostCheck:
    """Answer only to the listed host names (DNS-rebinding defence for a local server).

    A page on evil.example that resolves its own name to 127.0.0.1 can make the browser
    talk to us, but it cannot make the browser send ``Host: 127.0.0.1``.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...],
                 unless: Callable[[], bool] | None = None) -> None:
        self.app = app
        self.allowed = {h.strip("[]").lower() for h in allowed}
        self.unless = unless  # e.g. "accounts exist": then sign-in guards every name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not (self.unless and self.unless()):
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            name = (urlsplit(f"//{host}").hostname or "").lower()
            if name not in self.allowed:
                await _refuse(scope, send, 400,
                              f"this server does not answer to {name or 'no host'!r}",
                              "open it as http://127.0.0.1:PORT/, or set a token "
                            "(ANCHOR_API_TOKEN) to serve other names")
                return
        await self.app(scope, receive, send)


_CSP = ("default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
        "font-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
# Swagger UI sets inline styles on its elements; its scripts are still only our own files.
_DOCS_CSP = _CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """nosniff, no framing, no referrer leaks, and a CSP that allows only this site's
    files (the API docs page too: Swagger UI is served from the package, not a CDN)."""

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
                csp = _DOCS_CSP if docs else _CSP
                headers += [(b"content-security-policy", csp.encode()),
                            (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
