"""Checks every source before anything runs, and stages each one once per run as parquet.

`validate` (and `run`, before any notebook starts) calls `check_sources`: each source is
reachable, its mapped columns are present, a sample of rows parses, and the unit column exists.
`stage_sources` then reads each source once into `<run>/_cache/<table>-<fingerprint>.parquet`,
which every unit's collect stage reads instead of the original (read once, not once per unit).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import sources
from .collect import unit_values
from .config import RunConfig
from .errors import InputError, ParameterError

SAMPLE_ROWS = 1000


def check_sources(cfg: RunConfig, sample_rows: int = SAMPLE_ROWS) -> dict[str, list[str]]:
    """Raise InputError on the first unusable source; return {table: mapped columns}."""
    columns: dict[str, list[str]] = {}
    for table in cfg.source_tables():
        spec = cfg.source(table)
        sources.sample_check(spec, cfg.mapping(table), n=sample_rows)
        frame = sources.read_table(spec, cfg.mapping(table), nrows=5)
        columns[table] = [c for c in frame.columns if c not in ("source_row", "source_file")]
    check_unit_column(cfg, columns)
    return columns


def check_unit_column(cfg: RunConfig, columns: dict[str, list[str]]) -> None:
    col = cfg.model.unit_column
    if col is None:
        return
    holders = [t for t in ("orders", "customers") if col in columns.get(t, [])]
    if not holders:
        have = sorted(set(columns.get("orders", [])) | set(columns.get("customers", [])))
        raise ParameterError(
            "unit_column",
            "a column of orders or customers (after the column mapping); they have: "
            + ", ".join(have),
            col, str(cfg.path))


def _cache_path(cache_dir: Path, table: str, fp: str) -> Path:
    return cache_dir / f"{table}-{fp.replace(':', '_')}.parquet"


def _to_parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed types (from Excel or JSON) are stored as text."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or (isinstance(v, float) and pd.isna(v))
                                else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
            out[c] = out[c].astype("string")
    return out


def stage_sources(cfg: RunConfig, cache_dir: Path, echo=print) -> dict[str, dict]:
    """Read each source once into the run's cache; return {table: meta} with fingerprints."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    meta: dict[str, dict] = {}
    for table in cfg.source_tables():
        spec = cfg.source(table)
        fp = sources.fingerprint(spec)
        path = _cache_path(cache_dir, table, fp)
        info = {"table": table, "location": spec.describe(), "fingerprint": fp, "cache": path.name}
        meta_path = path.with_suffix(".json")
        if path.exists() and meta_path.exists():
            info.update(json.loads(meta_path.read_text(encoding="utf-8")))
        else:
            echo(f"  reading {table}: {spec.describe()}")
            frame = sources.read_table(spec, cfg.mapping(table))
            info.update({"rows": int(len(frame)), "encoding": frame.attrs.get("encoding"),
                         "amount_derived": bool(frame.attrs.get("amount_derived", False)),
                         "format": _format_of(spec)})
            tmp = path.with_suffix(".tmp")
            _to_parquet_safe(frame).to_parquet(tmp, index=False)
            tmp.replace(path)
            meta_path.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        meta[table] = info
    return meta


def _format_of(spec) -> str:
    if spec.url:
        return "database"
    if spec.path is not None and spec.path.is_dir():
        return "folder"
    return spec.path.suffix.lstrip(".").lower() if spec.path is not None else "?"


def load_staged(cfg: RunConfig, cache_dir: Path, meta: dict[str, dict] | None = None
                ) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    """The staged tables (read from the cache; staged first when missing)."""
    meta = meta or stage_sources(cfg, cache_dir, echo=lambda *_: None)
    tables = {t: pd.read_parquet(cache_dir / m["cache"]) for t, m in meta.items()}
    return tables, meta


def resolve_units(cfg: RunConfig, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The units of this run: the unit column's values (or the ones asked for), plus total."""
    available = unit_values(tables, cfg.model.unit_column)
    wanted = cfg.model.units
    if cfg.model.unit_column is None:
        units: list[str] = []
    elif wanted == "all":
        units = available
    else:
        missing = [u for u in wanted if u not in available and u != "total"]
        if missing:
            raise ParameterError("units", "all or a list of values of the unit column "
                                 f"'{cfg.model.unit_column}': " + ", ".join(available),
                                 missing[0], str(cfg.path))
        units = [u for u in wanted if u != "total"]
    if cfg.model.include_total or not units or (wanted != "all" and "total" in wanted):
        units = units + ["total"]
    if not units:
        raise InputError("No units to run.")
    return units
