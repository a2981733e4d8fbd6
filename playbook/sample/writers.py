"""Table files: names per format, CSV and parquet bytes, atomic writes."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .constants import MIXED_FILES, TABLE_ORDER
from .xlsx import _xlsx_bytes


def _file_names(fmt: str) -> dict[str, str]:
    if fmt == "parquet":
        return {t: f"{t}.parquet" for t in TABLE_ORDER}
    return dict(MIXED_FILES)


def _write_table(df: pd.DataFrame, path: Path, table: str, language: str) -> None:
    suffix = path.suffix
    if suffix == ".parquet":
        data = _parquet_bytes(df)
    elif suffix == ".xlsx":
        data = _xlsx_bytes(df, sheet=table)
    else:
        encoding = "gb18030" if (table == "customers" and language == "zh") else "utf-8"
        date_only = table in ("customers", "interactions")
        data = _csv_bytes(df, date_only=date_only, encoding=encoding)
    _atomic_write(path, data)


def _csv_bytes(df: pd.DataFrame, *, date_only: bool, encoding: str) -> bytes:
    """CSV like a spreadsheet export: quotes only when some text needs them (pyarrow: fast)."""
    import pyarrow.csv as pa_csv

    arrays = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            a = pa.array(s.to_numpy().astype("datetime64[s]"), pa.timestamp("s"))
            a = a.cast(pa.date32()).cast(pa.string()) if date_only else a.cast(pa.string())
        else:
            a = pa.Array.from_pandas(s)
        arrays[str(col)] = a
    table = pa.table(arrays)
    needs_quotes = any(
        (pa.types.is_string(a.type) or pa.types.is_large_string(a.type))
        and pc.any(pc.match_substring(a, ch)).as_py()
        for a in arrays.values() for ch in ',"\r\n'
    )
    buf = io.BytesIO()
    buf.write((",".join(arrays) + "\n").encode("utf-8"))
    options = pa_csv.WriteOptions(include_header=False,
                                  quoting_style="needed" if needs_quotes else "none")
    pa_csv.write_csv(table, buf, options)
    data = buf.getvalue()
    return data if encoding == "utf-8" else data.decode("utf-8").encode(encoding)


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow", compression="snappy")
    return buf.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
