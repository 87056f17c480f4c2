"""A crawl of the public pages (shared by the crawl and readability tests).

Starting from the home page it follows every internal link. The sample fetches at most
:data:`PER_SHAPE` addresses of one shape (the same path pattern and query parameter names: the
26 years of the map are one shape), so every page type is covered in a few hundred requests for the
browser checks; the full crawl (``per_shape=None``) fetches every address.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

PER_SHAPE = 4
MAX_PAGES = 1500
#: Not followed: the registry API (JSON for programs), logging out, static files (fetched, not parsed).
SKIP_PREFIXES = ("/api/", "/registry/logout")

_HREF = re.compile(r'href="([^"]+)"')


def shape(url: str) -> tuple:
    """What makes two addresses the same kind of page: path pattern and query parameter names."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    pattern = [segments[0]] if segments else []
    if len(segments) > 1:
        pattern.append(segments[1] if segments[0] in ("scorecards", "methods", "registry", "static") else "*")
    if len(segments) > 2:
        pattern.append("*")
    names = tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    fmt = dict(parse_qsl(parts.query)).get("format", "")
    return (*pattern, len(segments), names, fmt)


def internal_links(base: str, page_url: str, text: str) -> list[str]:
    """Internal links of a page (absolute path + query, fragment dropped)."""
    out = []
    for href in _HREF.findall(text):
        href = html.unescape(href)
        if href.startswith(("mailto:", "javascript:", "data:")):
            continue
        url = urldefrag(urljoin(page_url, href))[0]
        if not url.startswith(base):
            continue
        path = url[len(base) :] or "/"
        if path.startswith(SKIP_PREFIXES):
            continue
        out.append(path)
    return out


def crawl(
    client,
    base: str,
    start: str | list[str] = "/",
    per_shape: int | None = PER_SHAPE,
    max_pages: int = MAX_PAGES,
    on_page: Callable[[str, Any], None] | None = None,
) -> dict[str, Any]:
    """Fetch pages breadth-first from ``start`` (one address or several); returns ``{path: response}``
    (redirects not followed).

    ``per_shape``: at most this many addresses of one shape (None: every address, a full crawl).
    ``on_page``: called with each path and response; the crawl then keeps only each answer's status
    and headers (:class:`Answer`), not its body, so thousands of pages fit in memory.
    """
    starts = [start] if isinstance(start, str) else list(start)
    seen_shapes: dict[tuple, int] = defaultdict(int)
    queue, fetched = deque(starts), {}
    queued = set(starts)
    while queue and len(fetched) < max_pages:
        path = queue.popleft()
        r = client.get(path, follow_redirects=False)
        targets = []
        if r.status_code in (301, 302, 303, 307, 308):
            targets = [r.headers["location"]]
        elif "text/html" in r.headers.get("content-type", ""):
            targets = internal_links(base, base + path, r.text)
        if on_page is None:
            fetched[path] = r
        else:
            on_page(path, r)
            fetched[path] = Answer(r.status_code, r.headers)
        for t in targets:
            t = t.removeprefix(base)
            if t in queued:
                continue
            key = shape(t)
            if per_shape is not None and seen_shapes[key] >= per_shape:
                continue
            seen_shapes[key] += 1
            queued.add(t)
            queue.append(t)
    return fetched


@dataclass(frozen=True)
class Answer:
    """What a full crawl keeps of a response: its status and headers."""

    status_code: int
    headers: Any


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))
