"""Reading the input sources: files, folders and databases into raw frames, then the column mapping.

`read_source` returns the source as read (text as strings, nothing converted) plus an int column
``source_row`` (the row's 0-based position in its file) and, for folders, ``source_file``, so that
cleaning can point every rejected row back at its origin. `apply_mapping` renames the source's
columns to the playbook's (CONTRACT section 3) and checks the required ones are there.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import readers
from .dates import parse_dates, share_parsed
from .errors import (
    BadValueError,
    MissingColumnError,
    ParameterError,
    SourceNotFoundError,
    SourceReadError,
)
from .readers import SUPPORTED_SUFFIXES, detect_encoding
from .schema import RATING_PREFIX, TABLES, check_columns
from .values import to_number

__all__ = [
    "SUPPORTED_SUFFIXES", "SourceSpec", "apply_mapping", "detect_encoding", "fingerprint",
    "read_source", "read_table", "sample_check", "source_columns", "to_number",
]

BOOKKEEPING = ("source_file", "source_row")
MIN_PARSED_SHARE = 0.5
DATE_EXPECTED = "a date such as 2026-07-01, 20260701 or 2026-07-01 13:45:00"
NUMBER_EXPECTED = "a number such as 12.5, 1,234.00 or ¥99"


@dataclass(frozen=True)
class SourceSpec:
    """Where one input table comes from and how to read it (paths absolute)."""

    table: str
    path: Path | None = None
    url: str | None = None
    db_table: str | None = None
    query: str | None = None
    sheet: str | int = 0
    encoding: str = "auto"
    delimiter: str | None = None
    header: bool = True
    names: tuple[str, ...] | None = None
    date_format: str = "auto"

    def describe(self) -> str:
        """The location for messages, with any password hidden."""
        if self.url is None:
            return str(self.path)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            where = make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            where = self.url
        if self.query:
            short = " ".join(self.query.split())
            return f"{where} (query: {short[:60]}{'…' if len(short) > 60 else ''})"
        return f"{where} (table {self.db_table})"


# --- reading ----------------------------------------------------------------------------------

def read_source(spec: SourceSpec, nrows: int | None = None) -> pd.DataFrame:
    """The raw frame of a source, with ``source_row`` (and ``source_file`` for folders).

    ``df.attrs["encoding"]`` holds the text encoding used (None for binary formats).
    """
    if nrows is not None and (not isinstance(nrows, int) or nrows < 0):
        raise ParameterError("nrows", "None or an integer >= 0", nrows)
    if spec.url is not None:
        if not (spec.db_table or spec.query):
            raise ParameterError(f"sources.{spec.table}.table", "given (or a query)", None)
        return _with_rows(_read_url(spec, spec.url, nrows))
    if spec.path is None:
        raise ParameterError(f"sources.{spec.table}", "a file, a folder or {url, table|query}",
                             None)
    path = Path(spec.path)
    if path.is_dir():
        return _read_folder(spec, path, nrows)
    if not path.is_file():
        raise SourceNotFoundError(spec.table, str(path), "no such file or folder")
    if path.suffix.lower() in readers.DB_FILE_SUFFIXES and (spec.db_table or spec.query):
        return _with_rows(_read_url(spec, str(path), nrows))
    return _read_file(spec, path, nrows)


def _read_url(spec: SourceSpec, url: str, nrows: int | None) -> pd.DataFrame:
    db_file = readers.duckdb_path(url)
    if db_file is not None and db_file.is_file() and readers.db_file_kind(db_file) == "sqlite":
        return readers.read_sql(spec, f"sqlite:///{db_file.resolve()}", nrows)
    if db_file is not None:
        return readers.read_duckdb(spec, db_file, nrows)
    return readers.read_sql(spec, url, nrows)


def _read_file(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    reader = readers.FILE_READERS.get(path.suffix.lower())
    if reader is None:
        raise SourceReadError(spec.table, str(path), f"unknown file type {path.suffix!r}; "
                              f"expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    df = reader(spec, path, nrows)
    if not isinstance(df.index, pd.RangeIndex):  # e.g. a parquet file saved with its index
        df = df.reset_index()
    return _with_rows(df)


def _with_rows(df: pd.DataFrame) -> pd.DataFrame:
    attrs = dict(df.attrs)
    out = df.reset_index(drop=True)
    out["source_row"] = pd.Series(range(len(out)), dtype="int64")
    out.attrs = {"encoding": None, **attrs}
    return out


def _folder_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def _read_folder(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    files = _folder_files(path)
    if not files:
        raise SourceNotFoundError(spec.table, str(path), "the folder has no "
                                  f"{', '.join(SUPPORTED_SUFFIXES)} files")
    frames, encodings = [], set()
    for file in files:
        left = None if nrows is None else nrows - sum(len(f) for f in frames)
        if left == 0 and nrows:
            break
        df = _read_file(spec, file, left)
        encodings.add(df.attrs.get("encoding"))
        frames.append(df.assign(source_file=file.name)[[*df.columns[:-1], *BOOKKEEPING]])
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {"encoding": ", ".join(sorted(e for e in encodings if e)) or None}
    return out


# --- mapping ----------------------------------------------------------------------------------

def apply_mapping(df: pd.DataFrame, mapping: dict[str, str], table: str,
                  location: str) -> pd.DataFrame:
    """Rename the source's columns to the playbook's and check the table's required columns.

    ``mapping`` is {playbook name: source column}. Headers are stripped; an unmapped header that
    matches a playbook name case-insensitively takes that name (``Customer_ID`` -> customer_id).
    Orders without ``amount`` but with ``quantity`` and ``unit_price`` get amount = quantity x
    unit_price, and ``attrs["amount_derived"] = True``.
    """
    if table not in TABLES:
        raise ParameterError("table", f"one of {', '.join(TABLES)}", table)
    headers = [str(c).strip() for c in df.columns]
    targets: dict[int, list[str]] = {}
    for name, source in mapping.items():
        pos = _find_column(headers, str(source).strip())
        if pos is None:
            raise MissingColumnError(table, location, name, headers, hint=_mapping_hint(
                table, name, str(source), headers))
        targets.setdefault(pos, []).append(name)

    known = {n.lower(): n for n in _playbook_names(table)}
    exact = {h for i, h in enumerate(headers) if i not in targets}
    names, positions = [], []
    for i, header in enumerate(headers):
        if i in targets:
            names += targets[i]
            positions += [i] * len(targets[i])
            continue
        canon = known.get(header.lower())
        if header.lower().startswith(RATING_PREFIX) and table in ("feedback", "competitors"):
            canon = header.lower()
        if canon and canon not in mapping and canon not in exact:
            header = canon
        if header in mapping:  # an unmapped column bearing a mapped name: keep it, renamed
            header = f"{header}_unmapped"
        names.append(header)
        positions.append(i)
    out = df.iloc[:, positions].set_axis(names, axis=1)
    out.attrs = dict(df.attrs)
    if table == "orders" and "amount" not in out.columns and {"quantity", "unit_price"} <= set(names):
        out = out.assign(amount=to_number(out["quantity"]) * to_number(out["unit_price"]))
        out.attrs = {**df.attrs, "amount_derived": True}
    check_columns(table, list(out.columns), location)
    return out


def _find_column(headers: list[str], source: str) -> int | None:
    if source in headers:
        return headers.index(source)
    folded = [i for i, h in enumerate(headers) if h.casefold() == source.casefold()]
    return folded[0] if len(folded) == 1 else None


def _mapping_hint(table: str, name: str, source: str, headers: list[str]) -> str:
    close = difflib.get_close_matches(source, headers, n=1)
    guess = f" Did you mean {close[0]!r}?" if close else ""
    return f"columns.{table}.{name} maps it to source column {source!r}, which is not there.{guess}"


def _playbook_names(table: str) -> list[str]:
    spec = TABLES[table]
    return [*spec.required, *spec.optional, *(c for g in spec.any_of for c in g),
            *spec.dates, *spec.numbers]


def read_table(spec: SourceSpec, mapping: dict[str, str] | None = None,
               nrows: int | None = None) -> pd.DataFrame:
    """`read_source` then `apply_mapping`."""
    return apply_mapping(read_source(spec, nrows), mapping or {}, spec.table, spec.describe())


# --- checks -----------------------------------------------------------------------------------

def source_columns(spec: SourceSpec) -> list[str]:
    """The source's own column names (header only; bookkeeping columns left out)."""
    return [str(c) for c in read_source(spec, nrows=0).columns if c not in BOOKKEEPING]


def sample_check(spec: SourceSpec, mapping: dict[str, str] | None = None, n: int = 1000) -> None:
    """Read and map the first ``n`` rows; raise BadValueError when a date or numeric column
    parses for less than half of its non-empty values."""
    df = read_table(spec, mapping, nrows=n)
    table = TABLES[spec.table]
    if spec.date_format == "auto":
        date_expected = DATE_EXPECTED
    else:
        date_expected = f"a date in the format {spec.date_format!r} (read.date_format)"
    for col in table.dates:
        if col in df.columns:
            _require_parsed(spec, df, col, parse_dates(df[col], spec.date_format), date_expected)
    ratings = [c for c in df.columns if str(c).startswith(RATING_PREFIX)]
    for col in [*table.numbers, *ratings]:
        if col in df.columns:
            _require_parsed(spec, df, col, to_number(df[col]), NUMBER_EXPECTED)


def _require_parsed(spec: SourceSpec, df: pd.DataFrame, col: str, parsed: pd.Series,
                    expected: str) -> None:
    values = df[col]
    if share_parsed(values, parsed) >= MIN_PARSED_SHARE:
        return
    present = values.notna() & (values.astype("string").str.strip() != "")
    bad = (present & parsed.isna()).to_numpy().nonzero()[0][0]
    location = spec.describe()
    if "source_file" in df.columns:
        location = str(Path(location) / str(df["source_file"].iloc[bad]))
    raise BadValueError(location, col, values.iloc[bad], expected)


# --- fingerprints -----------------------------------------------------------------------------

def fingerprint(spec: SourceSpec) -> str:
    """``sha256:<16 hex>`` of a file's bytes, a folder's names and bytes, or a database source's
    address (password hidden), table or query, and rows."""
    digest = hashlib.sha256()
    if spec.url is not None or spec.db_table or spec.query:
        digest.update(f"{spec.describe()}\0{spec.db_table}\0{spec.query}\0".encode())
        df = read_source(spec)
        digest.update("\0".join(map(str, df.columns)).encode())
        digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
        return f"sha256:{digest.hexdigest()[:16]}"
    path = Path(spec.path) if spec.path is not None else None
    if path is None or not path.exists():
        raise SourceNotFoundError(spec.table, str(path), "no such file or folder")
    files = _folder_files(path) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:16]}"
