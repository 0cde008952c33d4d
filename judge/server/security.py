"""What stands between the web and the routes: body caps, the same-origin check, CSRF tokens, cookies.

``Guard`` is one ASGI middleware in front of every route. It reads a request's
body as it arrives, counting bytes, and answers 413 the moment the route's cap
is passed (nothing larger than the cap is ever held); the route then reads the
body from memory. Every state-changing request (POST, PUT, PATCH, DELETE) must
come from this site: its ``Origin`` (or, lacking one, its ``Referer``) names
this server's host. Exempt are API calls with no cookie (they act only by
the token they carry) and those with ``Authorization: Bearer`` and no cookie
(a header a page on another site cannot set on a request to us without a CORS
preflight, which this server never grants). HTML forms carry a CSRF token
too: the double-submit value of the ``mlj_csrf`` cookie (SameSite=Strict,
HttpOnly), compared in constant time.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

CSRF_COOKIE = "mlj_csrf"
CSRF_FIELD = "csrf"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SMALL_BODY = 64 * 1024  # a login, a logout, an admin form: far below this

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def submission_cap(max_upload: int) -> int:
    """The largest body that can hold a ``max_upload``-byte submission: JSON escapes and percent-encoding
    grow text, at worst six bytes (``\\u00e9``) or three (``%E9``) per byte."""
    return max_upload * 6 + SMALL_BODY


def body_cap(path: str, max_upload: int) -> int:
    if (path == "/api/submissions" or (path.startswith("/challenges/") and path.endswith("/submit"))
            or (path.startswith("/api/batches/") and path.endswith("/submissions"))):
        return submission_cap(max_upload)
    return SMALL_BODY


def request_host(headers: dict[str, str], trust_proxy: bool) -> str:
    """host[:port] the browser used to reach us (``X-Forwarded-Host`` only behind a configured proxy)."""
    if trust_proxy and headers.get("x-forwarded-host"):
        return headers["x-forwarded-host"].split(",")[0].strip().lower()
    return headers.get("host", "").lower()


def is_https(request: Request, *, secure_cookies: bool, trust_proxy: bool) -> bool:
    if secure_cookies or request.url.scheme == "https":
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return trust_proxy and proto == "https"


def same_origin(headers: dict[str, str], trust_proxy: bool) -> tuple[bool, str]:
    """Whether the request says it comes from a page of this site, and a reason when it does not."""
    host = request_host(headers, trust_proxy)
    for header in ("origin", "referer"):
        value = headers.get(header)
        if value is None:
            continue
        if value == "null":
            return False, f"{header} is 'null' (a sandboxed or privacy-stripped page)"
        seen = urlsplit(value).netloc.lower()
        if not host or seen != host:
            return False, f"{header} {value[:100]!r} is not this server ({host or 'no Host header'})"
        return True, ""
    return False, "the request names no Origin or Referer"


def _bearer_only(headers: dict[str, str]) -> bool:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip()) and "cookie" not in headers


class Guard:
    """The ASGI middleware: caps every body, refuses cross-site state changes (see the module docstring)."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, max_upload: int, trust_proxy: bool) -> None:
        self.app, self.max_upload, self.trust_proxy = app, max_upload, trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        method = scope["method"]
        # a cookie-less API call cannot act in anyone's name but its own token's; every page form is checked
        browser = "cookie" in headers or not scope["path"].startswith("/api/")
        if method in STATE_CHANGING and browser and not _bearer_only(headers):
            ok, reason = same_origin(headers, self.trust_proxy)
            if not ok:
                await _answer(send, 403, f"cross-site request refused: {reason}; submit from this site's "
                                         "pages, or send 'Authorization: Bearer TOKEN' without cookies")
                return
        cap = body_cap(scope["path"], self.max_upload)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await _answer(send, 413, f"the request is {int(declared)} bytes; this server accepts at most "
                                     f"{cap} bytes here")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > cap:
                await _answer(send, 413, f"the request is more than {cap} bytes; this server accepts at most "
                                         f"{cap} bytes here")
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _answer(send: Send, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


def csrf_token(request: Request) -> tuple[str, bool]:
    """The visitor's CSRF token and whether it is new (then the response must set the cookie)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(token) <= 100 and token.isascii():
        return token, False
    return secrets.token_urlsafe(32), True


def csrf_ok(request: Request, sent: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and isinstance(sent, str) and hmac.compare_digest(cookie.encode(), sent.encode())
