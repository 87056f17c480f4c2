"""HEAD answered like GET without the body, on every page (FastAPI routes declare GET only).

Link checkers, uptime monitors and caches send HEAD; a 405 there reads as a broken page. The
middleware runs the GET handler and drops the body, keeping status and headers (Content-Length
included), as RFC 9110 asks.
"""

from __future__ import annotations


class HeadAsGet:
    """ASGI middleware: serve ``HEAD`` requests with the ``GET`` handler and no body."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def send_without_body(message):
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
