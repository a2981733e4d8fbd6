"""Stage 01: scope the tables to one business unit, take stock of them, say what is missing.

Unit scoping rules (``scope_to_unit``), unit values compared as stripped strings:

- orders: rows whose own unit column equals the unit when orders has that column; otherwise
  rows whose customer belongs to the unit in the customers table. Orders with a missing unit
  value, and (without a unit column) orders with a missing customer id, cannot be assigned to a
  unit: they appear only in the unit ``total``.
- customers: rows whose own unit column equals the unit when present; otherwise the customers
  having orders in the unit.
- feedback, complaints, interactions (and any other table with ``customer_id``): rows of the
  unit's customers, i.e. customers of the unit in the customers table plus customers with orders
  in the unit.
- competitors, market (and any other table): rows of the unit when they have the unit column,
  otherwise all rows (market-wide data is shared by every unit).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .clean import as_id
from .dates import parse_dates, share_parsed
from .errors import ParameterError
from .schema import RATING_PREFIX, TABLE_NAMES, TABLES
from .values import as_text

TOTAL = "total"
META_FIELDS: tuple[str, ...] = ("location", "fingerprint", "encoding", "format")
# the date that places a table's rows in time; customers by their signup date
DATE_COLUMNS: dict[str, str] = {
    name: spec.event_date for name, spec in TABLES.items() if spec.event_date
} | {"customers": "signup_date"}


def _unit_mask(df: pd.DataFrame, unit_column: str, unit: str) -> pd.Series:
    values = as_text(df[unit_column]).str.strip()
    return (values == str(unit).strip()).fillna(False).astype(bool)


def _ids(values: Iterable[Any]) -> set[str]:
    return set(as_id(pd.Series(list(values), dtype=object)).dropna())


def scope_to_unit(
    tables: Mapping[str, pd.DataFrame | None], unit_column: str | None, unit: str
) -> dict[str, pd.DataFrame]:
    """The rows of each table that belong to ``unit`` (copies; see the module docstring).

    ``unit == "total"`` or ``unit_column is None`` returns copies of every table. Raises
    ParameterError when neither orders nor customers has ``unit_column``.
    """
    present = {k: v for k, v in tables.items() if v is not None}
    if unit_column is None or str(unit).strip() == TOTAL:
        return {k: v.copy() for k, v in present.items()}
    orders = present.get("orders")
    customers = present.get("customers")
    in_orders = orders is not None and unit_column in orders.columns
    in_customers = customers is not None and unit_column in customers.columns
    if not (in_orders or in_customers):
        raise ParameterError(
            "unit_column", "a column of the orders or customers table", unit_column,
            where="scope")

    unit_customers: set[str] = set()
    if in_customers:
        unit_customers |= _ids(customers.loc[_unit_mask(customers, unit_column, unit),
                                             "customer_id"])

    out: dict[str, pd.DataFrame] = {}
    if orders is not None:
        if in_orders:
            keep = _unit_mask(orders, unit_column, unit)
        else:
            keep = as_id(orders["customer_id"]).isin(unit_customers).fillna(False)
        out["orders"] = orders.loc[keep.to_numpy(dtype=bool)].copy()
        unit_customers |= _ids(out["orders"]["customer_id"])

    for name, df in present.items():
        if name == "orders":
            continue
        if name == "customers" and not in_customers:
            keep = as_id(df["customer_id"]).isin(unit_customers).fillna(False)
        elif unit_column in df.columns:
            keep = _unit_mask(df, unit_column, unit)
        elif "customer_id" in df.columns:
            keep = as_id(df["customer_id"]).isin(unit_customers).fillna(False)
        else:
            out[name] = df.copy()
            continue
        out[name] = df.loc[keep.to_numpy(dtype=bool)].copy()
    return {k: out[k] for k in present}


def unit_values(tables: Mapping[str, pd.DataFrame | None], unit_column: str | None) -> list[str]:
    """Distinct non-empty unit values (stripped, sorted) found in customers and orders."""
    if unit_column is None:
        return []
    found: set[str] = set()
    for name in ("customers", "orders"):
        df = tables.get(name)
        if df is not None and unit_column in df.columns:
            values = as_text(df[unit_column]).str.strip().dropna()
            found |= set(values[values != ""])
    return sorted(found)


def _ordered(tables: Mapping[str, Any]) -> list[str]:
    known = [t for t in TABLE_NAMES if tables.get(t) is not None]
    return known + [t for t in tables if t not in TABLE_NAMES and tables[t] is not None]


def inventory(
    tables: Mapping[str, pd.DataFrame | None],
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    date_format: str = "auto",
) -> pd.DataFrame:
    """One row per table: rows, columns, date range and share of dates parsed, plus meta fields.

    Columns: table, rows, columns (count, source_row / source_file left out), column_names,
    date_column, date_from, date_to, dates_parsed (share of non-empty dates that parse; NaN
    without a date column), then location, fingerprint, encoding, format and any other key the
    ``meta`` entries carry.
    """
    meta = meta or {}
    extra = [k for m in meta.values() for k in m if k not in META_FIELDS]
    extra = list(dict.fromkeys(extra))
    rows = []
    for name in _ordered(tables):
        df = tables[name]
        cols = [str(c) for c in df.columns if c not in ("source_row", "source_file")]
        date_col = DATE_COLUMNS.get(name)
        row: dict[str, Any] = {"table": name, "rows": len(df), "columns": len(cols),
                               "column_names": ", ".join(cols), "date_column": None,
                               "date_from": pd.NaT, "date_to": pd.NaT, "dates_parsed": float("nan")}
        if date_col and date_col in df.columns:
            parsed = parse_dates(df[date_col], date_format)
            row.update(date_column=date_col, date_from=parsed.min(), date_to=parsed.max(),
                       dates_parsed=share_parsed(df[date_col], parsed))
        m = meta.get(name, {})
        for key in (*META_FIELDS, *extra):
            value = m.get(key)
            row[key] = None if value is None else str(value)
        rows.append(row)
    columns = ["table", "rows", "columns", "column_names", "date_column", "date_from", "date_to",
               "dates_parsed", *META_FIELDS, *extra]
    out = pd.DataFrame(rows, columns=columns)
    types = {"rows": "int64", "columns": "int64", "dates_parsed": "float64",
             "date_from": "datetime64[ns]", "date_to": "datetime64[ns]"}
    types |= {c: "string" for c in ("table", "column_names", "date_column", *META_FIELDS, *extra)}
    return out.astype(types)


def monthly_coverage(
    tables: Mapping[str, pd.DataFrame | None],
    date_format: str = "auto",
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Rows per month per table with an event date; months without rows are 0.

    The index (named ``month``) holds ``YYYY-MM`` strings from the first to the last month seen
    in any table, clipped to ``start`` / ``end`` when given. Customers (signup dates) are left
    out: signups reach years back and say nothing about the coverage of the period.
    """
    counts: dict[str, pd.Series] = {}
    for name in _ordered(tables):
        spec = TABLES.get(name)
        col = spec.event_date if spec else None
        df = tables[name]
        if not col or col not in df.columns:
            continue
        when = parse_dates(df[col], date_format).dropna()
        if start is not None:
            when = when[when >= pd.Timestamp(start).normalize().replace(day=1)]
        if end is not None:
            when = when[when.dt.to_period("M") <= pd.Timestamp(end).to_period("M")]
        counts[name] = when.dt.to_period("M").value_counts()
    months = [p for s in counts.values() for p in s.index]
    if not months:
        empty = pd.DataFrame({k: pd.Series(dtype="int64") for k in counts})
        empty.index = pd.Index([], dtype="string", name="month")
        return empty
    idx = pd.period_range(min(months), max(months), freq="M")
    out = pd.DataFrame({k: s.reindex(idx, fill_value=0).astype("int64") for k, s in counts.items()},
                       index=idx)
    out.index = pd.Index(idx.strftime("%Y-%m"), dtype="string", name="month")
    return out


# ---------------------------------------------------------------- what is missing

# (table, column or None, stages, zh text, en text); a column entry may name alternatives "a|b"
_NEEDS: tuple[tuple[str, str | None, str, str, str], ...] = (
    ("customers", None, "03_segment, 04_feedback, 06_trends",
     "客户画像与人口属性、潜在客户识别、未知客户检查、获客渠道与客户类型分析",
     "customer profiles and demographics, potential customers, the unknown-customer check, "
     "acquisition channel and customer type analysis"),
    ("feedback", None, "04_feedback, 07_strategy",
     "满意度（CSAT）与净推荐值（NPS）、满意度驱动因素分析、评价文本分析",
     "CSAT and NPS, satisfaction driver analysis, review text analysis"),
    ("complaints", None, "04_feedback, 07_strategy",
     "投诉率、投诉分类、服务标准（响应与解决时长）",
     "complaint rate, complaint categories, service standards (response and resolution times)"),
    ("interactions", None, "03_segment",
     "互动与活跃度分析、基于行为的潜在客户识别",
     "engagement analysis, potential customers from behaviour"),
    ("competitors", None, "05_competition, 07_strategy",
     "竞争对手对比（满意度、价格、份额）",
     "the competitor comparison (satisfaction, price, share)"),
    ("market", None, "05_competition",
     "市场份额与市场规模、市场增长",
     "market share, market size and growth"),
    ("orders", "category", "03_segment, 06_trends",
     "品类偏好与品类趋势", "category preferences and category trends"),
    ("orders", "channel", "03_segment, 06_trends",
     "渠道分析", "channel analysis"),
    ("orders", "order_id", "02_clean, 03_segment",
     "按订单去重、客单价（按订单）", "de-duplication by order, basket value per order"),
    ("orders", "status", "02_clean, 06_trends",
     "按状态识别退货（负金额仍算退货）",
     "returns by status (negative amounts still count as returns)"),
    ("customers", "birth_year|age", "03_segment",
     "年龄段、30岁以下客户偏好分析", "age bands, the under-30 preference analysis"),
    ("customers", "gender", "03_segment",
     "性别分布", "gender distribution"),
    ("customers", "signup_date", "03_segment, 06_trends",
     "新客户获取与注册队列", "new customer acquisition and signup cohorts"),
    ("customers", "acquisition_channel", "03_segment",
     "获客渠道分析", "acquisition channel analysis"),
    ("customers", "customer_type", "03_segment",
     "客户类型（个人/企业/政府）分析", "customer type (individual / enterprise / government) analysis"),
    ("feedback", "csat", "04_feedback",
     "满意度（CSAT）", "CSAT"),
    ("feedback", "nps", "04_feedback",
     "净推荐值（NPS）", "NPS"),
    ("feedback", "comment", "04_feedback",
     "评价文本分析", "review text analysis"),
    ("feedback", RATING_PREFIX + "*", "04_feedback, 05_competition",
     "分项评分与满意度驱动因素分析", "aspect ratings and the satisfaction driver analysis"),
    ("complaints", "category", "04_feedback",
     "投诉分类", "complaint categories"),
    ("complaints", "first_response_at", "04_feedback",
     "首次响应时长（服务标准）", "first response time (service standard)"),
    ("complaints", "closed_at", "04_feedback",
     "解决时长（服务标准）", "resolution time (service standard)"),
    ("complaints", "resolved", "04_feedback",
     "投诉解决率", "complaint resolution rate"),
    ("competitors", "price_index", "05_competition",
     "价格对比", "price comparison"),
    ("competitors", "market_share", "05_competition",
     "竞争对手份额对比", "competitor share comparison"),
    ("competitors", "csat|nps", "05_competition",
     "竞争对手满意度对比", "competitor satisfaction comparison"),
    ("market", "market_size", "05_competition",
     "市场规模与我方份额", "market size and our share"),
)

_TABLE_WORD = {"zh": "表", "en": "table"}


def missing_inputs(tables: Mapping[str, pd.DataFrame | None], language: str = "zh") -> pd.DataFrame:
    """Absent optional tables and important absent optional columns, and what they disable.

    Columns: missing (``feedback`` or ``orders.category``), kind (table / column), stages, and
    disables (text in ``language``, zh or en). Columns of an absent table are not listed again.
    """
    if language not in ("zh", "en"):
        raise ParameterError("language", "zh or en", language, where="missing_inputs")
    rows = []
    for table, column, stages, zh, en in _NEEDS:
        df = tables.get(table)
        text = zh if language == "zh" else en
        if column is None:
            if df is None:
                rows.append({"missing": table, "kind": "table", "stages": stages, "disables": text})
            continue
        if df is None:
            continue
        cols = [str(c) for c in df.columns]
        if column.endswith("*"):
            there = any(c.startswith(column[:-1]) for c in cols)
        else:
            there = any(alt in cols for alt in column.split("|"))
        if not there:
            shown = " / ".join(f"{table}.{alt}" for alt in column.split("|"))
            rows.append({"missing": shown, "kind": "column", "stages": stages, "disables": text})
    return pd.DataFrame(rows, columns=["missing", "kind", "stages", "disables"]).astype("string")


def collect_metrics(
    tables: Mapping[str, pd.DataFrame | None],
    coverage: pd.DataFrame | None = None,
    missing: pd.DataFrame | None = None,
) -> dict[str, float | int]:
    """Plain numbers for findings/collect.json.

    ``rows_<table>`` per present table, ``tables_present``, ``tables_absent`` (of the seven),
    ``rows_total``; with ``coverage``: ``months_covered`` (months with any row) and
    ``months_empty`` (months inside the range without any row); with ``missing``:
    ``inputs_missing``.
    """
    out: dict[str, float | int] = {}
    present = _ordered(tables)
    for name in present:
        out[f"rows_{name}"] = int(len(tables[name]))
    out["tables_present"] = sum(1 for t in TABLE_NAMES if tables.get(t) is not None)
    out["tables_absent"] = len(TABLE_NAMES) - out["tables_present"]
    out["rows_total"] = int(sum(len(tables[n]) for n in present))
    if coverage is not None:
        any_rows = coverage.sum(axis=1) > 0 if len(coverage.columns) else pd.Series(dtype=bool)
        out["months_covered"] = int(any_rows.sum())
        out["months_empty"] = int((~any_rows).sum())
    if missing is not None:
        out["inputs_missing"] = int(len(missing))
    return out


__all__ = [
    "DATE_COLUMNS",
    "TOTAL",
    "collect_metrics",
    "inventory",
    "missing_inputs",
    "monthly_coverage",
    "scope_to_unit",
    "unit_values",
]
