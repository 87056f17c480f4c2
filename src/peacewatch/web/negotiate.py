"""One handler, two representations: the rule that picks HTML or JSON (or CSV).

The rule, in order:

1. ``?format=json`` / ``?format=html`` / ``?format=csv`` (where offered) in the query string wins;
2. otherwise JSON when the ``Accept`` header names ``application/json`` and not ``text/html``
   (so ``curl -H 'Accept: application/json'`` and ``fetch`` get JSON, browsers get HTML);
3. otherwise HTML.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Request


def wanted_format(request: Request, offered: tuple[str, ...] = ("html", "json")) -> str:
    """Return ``html``, ``json`` or ``csv`` for ``request`` (see the module docstring)."""
    fmt = (request.query_params.get("format") or "").lower()
    if fmt in offered:
        return fmt
    accept = request.headers.get("accept", "").lower()
    if "application/json" in accept and "text/html" not in accept:
        return "json"
    return "html"


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, NaN and dates to plain JSON values, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT or isinstance(value, (str, bool)):
        return None if value is pd.NA or value is pd.NaT else value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
