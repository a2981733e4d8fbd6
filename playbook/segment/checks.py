"""Argument checks shared by the segment modules, each raising the one error form
"The 'name' parameter must be … Got … instead." (``ParameterError``)."""
from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import pandas as pd

from ..errors import ParameterError


def need_columns(frame: pd.DataFrame, name: str, columns: Sequence[str],
                 what: str = "a frame", where: str | None = None) -> None:
    """``frame`` must have every one of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(name, f"{what} with columns {', '.join(columns)}",
                             f"a frame without {', '.join(missing)}", where=where)


def whole_number(name: str, value: Any, low: int = 1, allowed: str | None = None,
                 where: str | None = None) -> int:
    """``value`` as an int; it must be a whole number (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ParameterError(name, allowed or f"a whole number >= {low}", value, where=where)
    return int(value)


def as_day(value: Any, name: str = "as_of") -> pd.Timestamp:
    """``value`` as a normalized Timestamp (a calendar day)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(name, "a date such as 2026-09-30", value) from None
    if pd.isna(ts):
        raise ParameterError(name, "a date such as 2026-09-30", value)
    return ts.normalize()
