"""CSV exports for CRM import (``exports/``): identifiers and labels only, safe to open in Excel.

- Personal columns (name, phone, e-mail and free text) are never written: ``write_export``
  refuses a frame that carries one.
- Spreadsheet formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with ``'`` so Excel shows it as text instead of evaluating it
  (OWASP's advice). Numeric columns are written as numbers, untouched.
- UTF-8 with a BOM, so Excel opens Chinese labels correctly.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import ParameterError
from .privacy import FREE_TEXT_COLUMNS, PERSONAL_COLUMNS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORBIDDEN_COLUMNS = PERSONAL_COLUMNS + FREE_TEXT_COLUMNS


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would evaluate starts with ``'``."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_datetime64_any_dtype(s):
            continue
        text = s.astype("string")
        risky = text.str.startswith(_FORMULA_START).fillna(False)
        if risky.any():
            out[col] = text.where(~risky, "'" + text)
    return out


def write_export(df: pd.DataFrame, path: Path) -> Path:
    """Write an export CSV (formula-safe, UTF-8 with BOM); refuse personal columns."""
    personal = [c for c in df.columns if str(c).lower() in FORBIDDEN_COLUMNS]
    if personal:
        raise ParameterError("export columns", "identifiers and labels only (no "
                             + ", ".join(FORBIDDEN_COLUMNS) + ")", personal, where=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    neutralize_formulas(df).to_csv(tmp, index=False, encoding="utf-8-sig")
    tmp.replace(path)
    return path
