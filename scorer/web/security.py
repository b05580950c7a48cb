"""What keeps the page safe on a shared laptop: one ASGI layer in front of every route.

- ``Host`` must name the served host (a page of another site that rebinds
  its DNS name to 127.0.0.1 sends its own name, and is refused: 403).
- ``/`` and ``/api/*`` need the token, as ``?token=`` or
  ``Authorization: Bearer`` (401); the static files hold no data and need none.
- A POST whose ``Origin`` is not the served origin is refused (403); scripts
  send no ``Origin`` and pass on their token.
- A request body over :data:`BODY_LIMIT` bytes is refused (413): by its
  declared length before any of it is read, else as soon as it passes the limit.
- Every answer carries a Content-Security-Policy that allows the page's own
  origin only (no inline script, no other host), and is never cached.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

# The largest request body read (bytes): a settings object is well under 4 KiB.
BODY_LIMIT = 64 * 1024
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token is in the page's address
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def served_hosts(host: str, port: int, names: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` header values that name this server: ``host:port``, and loopback's names when loopback.

    ``names`` adds the names a server bound to every interface is reached by.
    """
    loopback = {"127.0.0.1", "localhost", "::1", "[::1]"}
    bare = {host, *names}
    if host in loopback:
        bare |= loopback
    out = set()
    for name in bare:
        shown = f"[{name}]" if ":" in name and not name.startswith("[") else name
        out.add(f"{shown}:{port}".lower())
    return frozenset(out)


class Guard:
    """The ASGI layer of the module's rules around ``app``.

    Parameters
    ----------
    app : ASGI application
    token : str
        The secret every data request must carry.
    hosts : collection of str
        The accepted ``Host`` values (:func:`served_hosts`).
    """

    def __init__(self, app: Any, token: str, hosts: Iterable[str]) -> None:
        self.app = app
        self.token = token.encode()
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        body = await _read_body(receive)
        if body is None:  # sent without its length (or a wrong one): refused once it passes the limit
            await _answer(send, 413, f"refused: a request body over {BODY_LIMIT} bytes")
            return
        await self.app(scope, _replay(body, receive), _with_headers(send))

    def _refusal(self, scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return 403, f"refused: Host '{host}' is not this server's (a DNS rebinding page?)"
        origin = headers.get("origin")
        if scope["method"] not in ("GET", "HEAD") and origin is not None and origin.lower() != f"http://{host}":
            return 403, f"refused: a request from another origin ({origin})"
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > BODY_LIMIT:
            return 413, f"refused: a request body over {BODY_LIMIT} bytes"
        path = scope["path"]
        if (path == "/" or path.startswith("/api/")) and not self._has_token(scope, headers):
            return 401, "refused: no valid token (open the address coprod serve printed)"
        return None

    def _has_token(self, scope: dict, headers: dict[str, str]) -> bool:
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            given.append(auth[7:].strip())
        return any(hmac.compare_digest(t.encode(), self.token) for t in given)


async def _read_body(receive: Any) -> bytes | None:
    """The whole request body, read before any route sees it; None past :data:`BODY_LIMIT`."""
    parts, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)  # the client went away: the route sees an empty body
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > BODY_LIMIT:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def wrapped() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # then wait for the disconnect, as the server would say it

    return wrapped


def _with_headers(send: Any) -> Any:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
        await send(message)

    return wrapped


async def _answer(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *HEADERS]})
    await send({"type": "http.response.body", "body": body})
