"""One reader per source format, behind `sources.read_source`.

Text is read with every column as a string (only empty fields become NA), so the raw data is never
altered: leading zeros stay, nothing is guessed. Typed formats (xlsx, parquet, json, databases)
keep their own types. Each reader returns the frame as read; `sources` adds the bookkeeping columns.
"""
from __future__ import annotations

import codecs
import csv
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import SourceNotFoundError, SourceReadError

if TYPE_CHECKING:
    from .sources import SourceSpec

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES
DB_FILE_SUFFIXES = (".duckdb", ".db", ".sqlite", ".sqlite3")

WHITESPACE = r"\s+"
SNIFF_DELIMITERS = ",\t;|"
_CHUNK = 1 << 20
_SAMPLE_LINES = 50
_SQLITE_MAGIC = b"SQLite format 3\x00"
EXPECTED_ENCODINGS = "UTF-8, UTF-8 with BOM or GBK/GB18030"


# --- encoding and delimiter -------------------------------------------------------------------

def detect_encoding(path: Path | str, table: str | None = None) -> str:
    """``utf-8-sig`` when the file starts with a BOM, else ``utf-8`` or ``gb18030``, whichever
    decodes the whole file (streamed; a character split across chunks is handled by an incremental
    decoder). Raise SourceReadError when neither does."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    utf8_error = _first_undecodable(path, "utf-8")
    if utf8_error is None:
        return "utf-8"
    if _first_undecodable(path, "gb18030") is None:
        return "gb18030"
    hint = " (it looks like UTF-16)" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else ""
    raise SourceReadError(
        table or path.stem, str(path),
        f"the bytes near offset {utf8_error} are neither UTF-8 nor GBK/GB18030{hint}. "
        f"Expected text in {EXPECTED_ENCODINGS}: save the file in one of these, "
        "or set read.encoding to the file's encoding.")


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """Byte offset (approximate) of the first undecodable byte, or None when the file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + max(exc.start, 0)
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def sniff_delimiter(sample: str) -> str:
    """The delimiter among , tab ; | (csv.Sniffer); or ``\\s+`` when every line splits on runs of
    whitespace into the same number (>1) of fields; else a comma."""
    lines = [line for line in sample.splitlines() if line.strip()][:_SAMPLE_LINES]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=SNIFF_DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {len(line.split()) for line in lines}
    if len(counts) == 1 and counts.pop() > 1:
        return WHITESPACE
    return ","


def _delimiter(spec: SourceSpec, path: Path, encoding: str) -> str:
    if spec.delimiter is not None:
        return WHITESPACE if spec.delimiter in (" ", "whitespace", WHITESPACE) else spec.delimiter
    if path.suffix.lower() == ".tsv":
        return "\t"
    with open(path, encoding=encoding, newline="") as fh:
        sample = "".join(line for _, line in zip(range(_SAMPLE_LINES), fh, strict=False))
    return sniff_delimiter(sample)


# --- files ------------------------------------------------------------------------------------

def read_text(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    encoding = detect_encoding(path, spec.table) if spec.encoding == "auto" else spec.encoding
    try:
        sep = _delimiter(spec, path, encoding)
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                         encoding=encoding, header=0 if spec.header else None, nrows=nrows)
    except LookupError:
        raise SourceReadError(spec.table, str(path), f"unknown encoding {encoding!r}; expected "
                              f"auto or a Python codec name such as utf-8 or gb18030") from None
    except UnicodeDecodeError as exc:
        raise SourceReadError(spec.table, str(path),
                              f"not valid {encoding} text (byte {exc.start}: {exc.reason}). "
                              f"Expected {EXPECTED_ENCODINGS}; set read.encoding: auto "
                              "to detect it") from None
    except pd.errors.EmptyDataError:
        raise SourceReadError(spec.table, str(path), "the file is empty") from None
    except pd.errors.ParserError as exc:
        raise SourceReadError(spec.table, str(path), str(exc).strip()) from None
    df.attrs["encoding"] = encoding
    return _name_headerless(df, spec, path)


def read_excel(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # calamine (Rust) reads ~10x faster than openpyxl; dtype=object: cells keep their own
        # type (text "007" is not parsed into 7)
        df = pd.read_excel(path, sheet_name=spec.sheet, engine="calamine", dtype=object,
                           header=0 if spec.header else None, nrows=nrows).infer_objects()
    except (ValueError, IndexError, KeyError) as exc:
        if "worksheet" not in str(exc).lower():
            raise SourceReadError(spec.table, str(path),
                                  f"not a readable xlsx workbook ({exc})") from None
        raise SourceReadError(spec.table, str(path),
                              f"no sheet {spec.sheet!r} ({exc}); sheets: {_sheets(path)}") from None
    except (zipfile.BadZipFile, InvalidFileException, OSError) as exc:
        raise SourceReadError(spec.table, str(path),
                              f"not a readable xlsx workbook ({exc})") from None
    except Exception as exc:  # calamine's own errors (a corrupt or non-Excel file)
        raise SourceReadError(spec.table, str(path),
                              f"not a readable xlsx workbook ({type(exc).__name__}: {exc})") from None
    return _name_headerless(df, spec, path)


def _sheets(path: Path) -> str:
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return ", ".join(map(repr, book.sheet_names))
    except Exception:  # noqa: BLE001 - only for the message
        return "?"


def read_parquet(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if nrows is None:
            return pd.read_parquet(path)
        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=max(nrows, 1)), None)
        table = pf.schema_arrow.empty_table() if batch is None else pa.Table.from_batches([batch])
        return table.to_pandas().iloc[:nrows]
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SourceReadError(spec.table, str(path), f"not a readable parquet file ({exc})") from None


def read_json(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    """An array of records, or one JSON object per line (JSON lines)."""
    encoding = detect_encoding(path, spec.table) if spec.encoding == "auto" else spec.encoding
    expected = "expected an array of records or one JSON object per line"
    with open(path, encoding=encoding) as fh:
        first = fh.read(_CHUNK).lstrip()[:1]
        fh.seek(0)
        if first == "[":
            try:
                records = json.load(fh)
            except json.JSONDecodeError as exc:
                raise SourceReadError(spec.table, str(path), f"invalid JSON at line {exc.lineno}, "
                                      f"column {exc.colno}: {exc.msg}; {expected}") from None
            records = records if nrows is None else records[:max(nrows, 1)]
        else:
            records = []
            for number, line in enumerate(fh, 1):
                if nrows is not None and len(records) >= max(nrows, 1):
                    break
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise SourceReadError(spec.table, str(path), f"invalid JSON on line "
                                              f"{number}: {exc.msg}; {expected}") from None
    bad = next((r for r in records if not isinstance(r, dict)), None)
    if bad is not None:
        raise SourceReadError(spec.table, str(path), f"found {str(bad)[:40]!r}; {expected}")
    df = pd.DataFrame.from_records(records)
    df.attrs["encoding"] = encoding
    return df if nrows is None else df.iloc[:nrows]


def _name_headerless(df: pd.DataFrame, spec: SourceSpec, path: Path) -> pd.DataFrame:
    if spec.header:
        return df
    n = df.shape[1]
    names = list(spec.names) if spec.names else [f"column_{i}" for i in range(1, n + 1)]
    if len(names) != n:
        raise SourceReadError(spec.table, str(path), f"read.names gives {len(names)} names "
                              f"but the file has {n} columns")
    return df.set_axis(names, axis=1)


FILE_READERS = {
    **dict.fromkeys(TEXT_SUFFIXES, read_text),
    **dict.fromkeys(EXCEL_SUFFIXES, read_excel),
    **dict.fromkeys(PARQUET_SUFFIXES, read_parquet),
    **dict.fromkeys(JSON_SUFFIXES, read_json),
}


# --- databases --------------------------------------------------------------------------------

def db_file_kind(path: Path) -> str:
    """``sqlite`` or ``duckdb`` for a database file (by its first bytes, then its suffix)."""
    with open(path, "rb") as fh:
        if fh.read(16) == _SQLITE_MAGIC:
            return "sqlite"
    return "sqlite" if path.suffix.lower() in (".sqlite", ".sqlite3") else "duckdb"


def duckdb_path(url: str) -> Path | None:
    """The file of a ``duckdb:`` URL or a bare database file path; None for other URLs."""
    if url.startswith("duckdb:"):
        rest = url[len("duckdb:"):].removeprefix("//")
        return Path(rest[1:] if rest.startswith("//") else rest)
    if "://" not in url:
        return Path(url)
    return None


def read_duckdb(spec: SourceSpec, path: Path, nrows: int | None) -> pd.DataFrame:
    import duckdb

    location = spec.describe()
    if not path.is_file():
        raise SourceNotFoundError(spec.table, location, "no such database file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise SourceReadError(spec.table, location, f"not a readable DuckDB file ({exc})") from None
    try:
        rel = con.sql(spec.query) if spec.query else con.table(spec.db_table)
        if rel is None:
            raise SourceReadError(spec.table, location, "the query returns no rows")
        return (rel if nrows is None else rel.limit(nrows)).df()
    except duckdb.CatalogException as exc:
        tables = ", ".join(r[0] for r in con.sql("show tables").fetchall())
        raise SourceReadError(spec.table, location,
                              f"{_first_line(exc)}; tables present: {tables or 'none'}") from None
    except duckdb.Error as exc:
        raise SourceReadError(spec.table, location, _first_line(exc)) from None
    finally:
        con.close()


def engine_url(url: str):
    """A SQLAlchemy URL; plain ``postgresql://`` uses psycopg 3 when psycopg2 is not installed."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def read_sql(spec: SourceSpec, url: str, nrows: int | None) -> pd.DataFrame:
    """A table or query through SQLAlchemy; a refused connection is SourceNotFoundError."""
    import sqlalchemy as sa

    location = spec.describe()
    try:
        parsed = engine_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            if not Path(parsed.database).is_file():
                raise SourceNotFoundError(spec.table, location, "no such database file")
        engine = sa.create_engine(parsed)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise SourceReadError(spec.table, location, f"not a usable database URL ({exc})") from None
    try:
        try:
            conn = engine.connect()
        except sa.exc.OperationalError as exc:
            raise SourceNotFoundError(spec.table, location, _first_line(exc.orig)) from None
        with conn:
            return _fetch(spec, conn, nrows, location)
    except sa.exc.SQLAlchemyError as exc:
        raise SourceReadError(spec.table, location,
                              _first_line(getattr(exc, "orig", None) or exc)) from None
    finally:
        engine.dispose()


def _fetch(spec: SourceSpec, conn, nrows: int | None, location: str) -> pd.DataFrame:
    import sqlalchemy as sa

    if spec.query:
        stmt = sa.text(spec.query)
    else:
        schema, _, name = spec.db_table.rpartition(".")
        inspector = sa.inspect(conn)
        if not inspector.has_table(name, schema=schema or None):
            tables = ", ".join(inspector.get_table_names(schema=schema or None))
            raise SourceReadError(spec.table, location, f"no table {spec.db_table!r}; "
                                  f"tables present: {tables or 'none'}")
        stmt = sa.select(sa.text("*")).select_from(sa.table(name, schema=schema or None))
    streaming = conn.execution_options(stream_results=nrows is not None)
    with streaming.execute(stmt) as result:  # closes a server-side cursor early
        rows = result.fetchall() if nrows is None else result.fetchmany(nrows) if nrows else []
        columns = list(result.keys())
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
