"""Date parsing for input tables: ISO, YYYYMMDD, date with time, or an explicit format."""
from __future__ import annotations

import numpy as np
import pandas as pd


def parse_dates(values: pd.Series, date_format: str = "auto") -> pd.Series:
    """Parse a column into ``datetime64[ns]``; what does not parse becomes NaT.

    ``auto`` accepts ISO dates (``2026-07-01``, ``2026/07/01``), ISO date-times
    (``2026-07-01 13:45:00``, ``2026-07-01T13:45``), eight-digit ``YYYYMMDD`` strings or integers,
    and values that are already datetimes. Any other ``date_format`` is a strftime pattern.
    Time-zone aware values are converted to naive UTC.
    """
    s = values
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[ns]")
    if date_format != "auto":
        text = s.astype("string").str.strip()
        return pd.to_datetime(text, format=date_format, errors="coerce").astype("datetime64[ns]")

    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s.dtype):
        text = s.astype("Float64").round().astype("Int64").astype("string")
    else:
        # object columns may hold datetime/date objects (from Excel or a database) mixed with text
        if s.dtype == object:
            is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
            if is_dt.any():
                out[is_dt] = pd.to_datetime(s[is_dt], errors="coerce", utc=True).dt.tz_localize(None)
            s = s.where(~is_dt)
        text = s.astype("string").str.strip()
    text = text.str.replace("/", "-", regex=False).str.replace(".", "-", regex=False)
    todo = text.notna().to_numpy() & out.isna().to_numpy()
    # fast exact formats first (C parsers), then the slower general paths for what is left
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y%m%d"):
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        out[todo] = parsed
        todo = todo & out.isna().to_numpy()
    if todo.any():
        parsed = pd.to_datetime(text[todo], format="ISO8601", errors="coerce", utc=True)
        out[todo] = parsed.dt.tz_localize(None)
        todo = todo & out.isna().to_numpy()
    if todo.any():  # unpadded dates such as 2026-7-1 or 2026-7-1 9:05
        padded = text[todo].str.replace(r"^(\d{4})-(\d{1,2})-(\d{1,2})", _pad, regex=True)
        parsed = pd.to_datetime(padded, format="ISO8601", errors="coerce", utc=True)
        out[todo] = parsed.dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def _pad(m) -> str:
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def share_parsed(values: pd.Series, parsed: pd.Series) -> float:
    """Share of the non-empty values that parsed (1.0 for an empty column)."""
    present = values.notna() & (values.astype("string").str.strip() != "")
    n = int(present.sum())
    return 1.0 if n == 0 else float((parsed.notna() & present).sum()) / n


__all__ = ["parse_dates", "share_parsed", "np"]
