"""Raw cell values as text and as numbers: the one place the playbook parses them.

Sources, cleaning, collection and masking all read raw cells through these two functions, so
an id, an amount or a phone is read the same way everywhere (see dates.py for dates).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def as_text(values: pd.Series) -> pd.Series:
    """Values as a ``string`` Series; integral floats lose their ``.0`` (``123.0 -> "123"``)."""
    s = values
    if isinstance(s.dtype, pd.StringDtype):
        return s.astype("string")
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("string")
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64").astype("string")
    if pd.api.types.is_float_dtype(s.dtype):
        f = s.astype("Float64")
        out = f.astype("string")
        integral = ((f % 1) == 0).fillna(False) & (f.abs() < 2.0**63).fillna(False)
        if integral.any():
            out[integral] = f[integral].astype("Int64").astype("string")
        return out
    if s.dtype == object:
        return s.map(_one_text, na_action="ignore").astype("string")
    return s.astype("string")


def _one_text(v: object) -> object:
    if isinstance(v, float | np.floating):
        if np.isnan(v):
            return pd.NA
        if float(v).is_integer() and abs(v) < 2.0**63:
            return str(int(v))
    if v is pd.NaT:
        return pd.NA
    return str(v)


def to_number(values: pd.Series) -> pd.Series:
    """Numbers as float64; ``¥1,234.50``, ``1 234``, ``(12)`` and ``−5`` parse; the rest NaN."""
    s = values
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("Float64").astype("float64")
    text = as_text(s).str.strip()
    fast = pd.to_numeric(text, errors="coerce")
    todo = fast.isna() & text.notna()
    if not todo.any():  # plain numbers: no regex work
        return fast.astype("Float64").astype("float64")
    text = text[todo]
    text = text.str.replace("\u2212", "-", regex=False)
    text = text.str.replace(r"(?i)^(?:rmb|cny|usd|eur)|元$", "", regex=True)
    text = text.str.replace(r"[¥￥$€£\s\u00a0\u3000,，]", "", regex=True)
    text = text.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    out = fast.astype("Float64").astype("float64")
    out[todo] = pd.to_numeric(text, errors="coerce").astype("Float64").astype("float64")
    return out
