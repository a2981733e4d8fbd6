"""Stage 02: type coercion, row rejection with reasons, duplicates, returns and masking.

Every input row ends up either in ``kept`` or in ``rejected`` with one ``reason``; nothing is
dropped silently (``rows_in == len(kept) + len(rejected)``).

Reasons are checked in this fixed order; the first that applies wins:

1. ``missing_customer_id``: the customer id is missing or empty.
2. ``unparseable_date``: the event date (orders.order_date, feedback.response_date,
   complaints.opened_at, interactions.date) is missing or does not parse; for customers, a
   ``signup_date`` that is present but does not parse. Other date columns (``closed_at``,
   ``first_response_at``) that do not parse become NaT and the row is kept.
3. ``future_date``: the event date is after ``today`` (a date without time covers its whole day).
4. ``outside_window``: the event date is before ``window_start`` or after ``window_end`` (both
   inclusive; a ``window_end`` without time covers its whole day). customers, competitors and
   market are not windowed.
5. ``non_numeric_amount``: ``amount``, ``quantity`` or ``unit_price`` is present but not a
   number, or an order has no amount (neither ``amount`` nor ``quantity`` x ``unit_price``).
6. ``absurd_amount``: ``|amount| > max_amount``, ``quantity == 0`` or ``|quantity| >
   max_quantity``, or a negative ``unit_price``. A negative quantity is a return, not absurd
   (the UCI Online Retail layout: cancellations carry negative quantities).
7. ``rating_off_scale`` (feedback only): ``csat`` outside 1-5, ``nps`` outside 0-10, a
   ``rating_*`` outside 1-5, a non-integer score, or a score present but not a number.
8. ``unknown_customer`` (only with ``known_customers``; orders, feedback, complaints,
   interactions): the customer id is not among the known customers.
9. ``exact_duplicate``: identical (after type coercion) to an earlier row that passed 1-8, in
   every column except ``source_row`` / ``source_file``.
10. ``duplicate_key``: same dedupe key as an earlier kept row (the first one is kept). Key
    columns the table does not have are left out of the key; rows with a missing key value are
    never key duplicates. Default keys: orders ``order_id`` + ``product_id`` (when the table has
    product lines), customers ``customer_id``, complaints ``ticket_id``.

Orders whose ``status`` is cancelled/refunded/returned (also 取消, 已取消, 退款, 已退款, 退货,
已退货; case-insensitive) or whose amount is negative get ``is_return = True`` and are kept.
When an order has no ``amount`` it is ``quantity * unit_price``.

Personal data never leaves this module raw: ``name``, ``phone`` and ``email`` are masked and
free text (``comment``, ``text``) is scrubbed in both the kept and the rejected frames.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .dates import parse_dates
from .errors import ParameterError
from .privacy import FREE_TEXT_COLUMNS, PERSONAL_COLUMNS, mask_personal, scrub_text
from .schema import RATING_PREFIX, RATING_SCALE, TABLES
from .values import as_text, to_number

REASONS: tuple[str, ...] = (
    "missing_customer_id",
    "unparseable_date",
    "future_date",
    "outside_window",
    "non_numeric_amount",
    "absurd_amount",
    "rating_off_scale",
    "unknown_customer",
    "exact_duplicate",
    "duplicate_key",
)

REASON_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "missing_customer_id": "缺少客户编号",
        "unparseable_date": "日期缺失或无法解析",
        "future_date": "日期晚于今天",
        "outside_window": "不在复盘期内",
        "non_numeric_amount": "金额/数量不是数字",
        "absurd_amount": "金额/数量异常",
        "rating_off_scale": "评分超出量表",
        "unknown_customer": "客户表中无此客户",
        "exact_duplicate": "完全重复行",
        "duplicate_key": "编号重复",
    },
    "en": {
        "missing_customer_id": "Missing customer ID",
        "unparseable_date": "Date missing or unparseable",
        "future_date": "Date in the future",
        "outside_window": "Outside the review window",
        "non_numeric_amount": "Amount/quantity not a number",
        "absurd_amount": "Absurd amount/quantity",
        "rating_off_scale": "Rating off scale",
        "unknown_customer": "Customer not in customer table",
        "exact_duplicate": "Exact duplicate row",
        "duplicate_key": "Duplicate ID",
    },
}

ID_COLUMNS: tuple[str, ...] = ("customer_id", "order_id", "ticket_id", "product_id")
BOOL_COLUMNS: tuple[str, ...] = ("resolved",)
SOURCE_COLUMNS: tuple[str, ...] = ("source_row", "source_file")
RETURN_STATUSES: frozenset[str] = frozenset({
    "cancelled", "canceled", "refunded", "returned", "return", "refund",
    "取消", "已取消", "退款", "已退款", "退货", "已退货",
})
CUSTOMER_TABLES: tuple[str, ...] = ("orders", "feedback", "complaints", "interactions")
_TRUE = {"true", "t", "yes", "y", "1", "是", "已解决", "解决"}
_FALSE = {"false", "f", "no", "n", "0", "否", "未解决"}


def _default_keys() -> dict[str, tuple[str, ...]]:
    return {
        "orders": ("order_id", "product_id"),
        "customers": ("customer_id",),
        "complaints": ("ticket_id",),
    }


@dataclass(frozen=True)
class CleanSettings:
    """Limits and keys of the cleaning step (see the module docstring for their use)."""

    max_amount: float = 1_000_000
    max_quantity: float = 10_000
    dedupe_keys: Mapping[str, tuple[str, ...]] = field(default_factory=_default_keys)
    date_format: str = "auto"
    # identical rows are dropped unless the data has no transaction id to tell them apart and
    # identical purchases are legitimate (e.g. CDNOW): then set this False
    drop_exact_duplicates: bool = True

    def __post_init__(self) -> None:
        for name in ("max_amount", "max_quantity"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
                raise ParameterError(name, "a positive number", v, where="clean")


@dataclass
class CleanResult:
    kept: pd.DataFrame
    rejected: pd.DataFrame
    rows_in: int
    by_reason: dict[str, int]


# ---------------------------------------------------------------- coercion helpers


def as_id(values: pd.Series) -> pd.Series:
    """Ids as stripped strings (``123.0 -> "123"``, leading zeros kept); empty becomes NA."""
    text = as_text(values).str.strip()
    return text.mask((text == "").fillna(False))


def to_bool(values: pd.Series) -> pd.Series:
    """true/false, 1/0, yes/no, 是/否 (case-insensitive) as ``boolean``; anything else NA."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    text = as_text(values).str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    return out


def present(values: pd.Series) -> pd.Series:
    """True where a raw value is there: not missing and not blank."""
    dtype = values.dtype
    if (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)):
        return values.notna().astype(bool)
    text = (values if isinstance(dtype, pd.StringDtype) else as_text(values)).str.strip()
    return (text.notna() & (text != "")).fillna(False).astype(bool)


def _timestamp(value: Any, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(name, "a date such as 2026-09-30", value, where="clean") from None
    if pd.isna(ts):
        raise ParameterError(name, "a date such as 2026-09-30", value, where="clean")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def _day_end(ts: pd.Timestamp) -> pd.Timestamp:
    """The last instant a bound covers: a bare date covers its whole day."""
    if ts == ts.normalize():
        return ts + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return ts


def _rating_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if str(c).startswith(RATING_PREFIX)]


def coerce_types(df: pd.DataFrame, table: str, date_format: str = "auto") -> pd.DataFrame:
    """A typed copy: ids as strings, dates datetime64, numbers float64, booleans ``boolean``."""
    spec = TABLES.get(table)
    out = df.copy()
    dates = spec.dates if spec else ()
    numbers = list(spec.numbers) if spec else []
    for c in _rating_columns(out) + ["csat", "nps", "birth_year", "age"]:
        if c not in numbers:
            numbers.append(c)
    for col in out.columns:
        if col in SOURCE_COLUMNS:
            continue
        if col in ID_COLUMNS:
            out[col] = as_id(out[col])
        elif col in dates:
            out[col] = parse_dates(out[col], date_format)
        elif col in numbers:
            out[col] = to_number(out[col])
        elif col in BOOL_COLUMNS:
            out[col] = to_bool(out[col])
        elif table in ("competitors", "market") and spec and col not in spec.required:
            out[col] = _number_if_all(out[col])
        elif out[col].dtype == object:
            out[col] = as_text(out[col])
    return out


def _number_if_all(values: pd.Series) -> pd.Series:
    """Convert an extra indicator column to numbers when every present value is one."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("Float64").astype("float64")
    num = to_number(values)
    has = present(values)
    if has.any() and bool(num[has].notna().all()):
        return num
    return as_text(values) if values.dtype == object else values


# ---------------------------------------------------------------- the reasons


def _reason_masks(
    raw: pd.DataFrame,
    typed: pd.DataFrame,
    table: str,
    *,
    window_start: pd.Timestamp | None,
    window_end: pd.Timestamp | None,
    today: pd.Timestamp | None,
    known: set[str] | None,
    settings: CleanSettings,
) -> list[tuple[str, pd.Series]]:
    spec = TABLES.get(table)
    idx = raw.index
    false = pd.Series(False, index=idx)
    masks: list[tuple[str, pd.Series]] = []

    # 1 missing customer id
    if "customer_id" in typed.columns:
        masks.append(("missing_customer_id", typed["customer_id"].isna()))

    # 2-4 dates
    event = spec.event_date if spec else None
    if event and event in typed.columns:
        when = typed[event]
        masks.append(("unparseable_date", when.isna()))
        if today is not None:
            masks.append(("future_date", (when > _day_end(today)).fillna(False)))
        outside = false.copy()
        if window_start is not None:
            outside |= (when < window_start).fillna(False)
        if window_end is not None:
            outside |= (when > _day_end(window_end)).fillna(False)
        masks.append(("outside_window", outside))
    elif event:  # a table missing its event column entirely: every row lacks the date
        masks.append(("unparseable_date", pd.Series(True, index=idx)))
    elif table == "customers" and "signup_date" in typed.columns:
        masks.append(("unparseable_date", present(raw["signup_date"]) & typed["signup_date"].isna()))

    # 5-6 amounts
    if table == "orders":
        non_num = false.copy()
        for col in ("amount", "quantity", "unit_price"):
            if col in raw.columns:
                non_num |= present(raw[col]) & to_number(raw[col]).isna()
        non_num |= typed["amount"].isna()
        masks.append(("non_numeric_amount", non_num))
        absurd = (typed["amount"].abs() > settings.max_amount).fillna(False)
        if "quantity" in typed.columns:
            q = typed["quantity"]
            absurd |= ((q == 0) | (q.abs() > settings.max_quantity)).fillna(False)
        if "unit_price" in typed.columns:
            absurd |= (typed["unit_price"] < 0).fillna(False)
        masks.append(("absurd_amount", absurd))

    # 7 ratings
    if table == "feedback":
        off = false.copy()
        scales = [("csat", 1.0, 5.0), ("nps", 0.0, 10.0)]
        scales += [(c, *RATING_SCALE) for c in _rating_columns(typed)]
        for col, lo, hi in scales:
            if col not in typed.columns:
                continue
            v = typed[col]
            bad = v.notna() & ((v < lo) | (v > hi) | ((v % 1) != 0))
            off |= bad.fillna(False) | (present(raw[col]) & v.isna())
        masks.append(("rating_off_scale", off))

    # 8 unknown customer
    if known is not None and table in CUSTOMER_TABLES and "customer_id" in typed.columns:
        masks.append(("unknown_customer", ~typed["customer_id"].isin(known).fillna(False)))
    return masks


def _key_columns(table: str, df: pd.DataFrame, settings: CleanSettings) -> list[str]:
    keys = settings.dedupe_keys.get(table, ())
    if isinstance(keys, str):
        keys = (keys,)
    return [k for k in keys if k in df.columns]


def _raw_strings(df: pd.DataFrame) -> pd.DataFrame:
    """The input columns as strings (source_row stays an int) for the rejected frame."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        if col == "source_row":
            out[col] = df[col]
        else:
            out[col] = as_text(df[col])
    return out


def _protect(df: pd.DataFrame) -> pd.DataFrame:
    out = mask_personal(df, PERSONAL_COLUMNS)
    for col in FREE_TEXT_COLUMNS:
        if col in out.columns:
            out[col] = scrub_text(out[col])
    return out


def clean_table(
    df: pd.DataFrame,
    table: str,
    *,
    window_start: Any = None,
    window_end: Any = None,
    today: Any = None,
    known_customers: Iterable[object] | None = None,
    settings: CleanSettings | None = None,
) -> CleanResult:
    """Split one table into kept (typed, masked) and rejected (raw strings + reason) rows.

    ``window_start`` / ``window_end`` / ``today`` accept anything ``pd.Timestamp`` does; None
    leaves that side open. See the module docstring for the reasons and their order.

    ``kept``: typed columns (plus ``amount`` and ``is_return`` for orders), personal data masked.
    ``rejected``: the input columns as strings (``source_row`` stays an int; an input column
    called ``reason`` becomes ``reason_original``), personal data masked, and ``reason``.
    Without a ``source_row`` column, the 0-based position of each row is used.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError("df", "a pandas DataFrame", type(df).__name__, where="clean")
    if table not in TABLES:
        raise ParameterError("table", "one of " + ", ".join(TABLES), table, where="clean")
    settings = settings or CleanSettings()
    start = _timestamp(window_start, "window_start")
    end = _timestamp(window_end, "window_end")
    now = _timestamp(today, "today")

    raw = df.reset_index(drop=True)
    if "source_row" not in raw.columns:
        raw = raw.assign(source_row=np.arange(len(raw), dtype="int64"))
    typed = coerce_types(raw, table, settings.date_format)
    if table == "orders":
        typed = _order_amount(typed)

    known = None
    if known_customers is not None:
        known = set(as_id(pd.Series(list(known_customers), dtype=object)).dropna())
    masks = _reason_masks(raw, typed, table, window_start=start, window_end=end, today=now,
                          known=known, settings=settings)

    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    for code, mask in masks:
        reason = reason.mask(reason.isna() & mask.to_numpy(dtype=bool), code)

    compare = [c for c in df.columns if c not in SOURCE_COLUMNS]
    alive = reason.isna()
    if compare and alive.any() and settings.drop_exact_duplicates:
        dup = typed.loc[alive, compare].duplicated(keep="first")
        reason[dup[dup].index] = "exact_duplicate"
    keys = _key_columns(table, typed, settings)
    alive = reason.isna()
    if keys and alive.any():
        sub = typed.loc[alive, keys]
        dup = sub.duplicated(keep="first") & sub.notna().all(axis=1)
        reason[dup[dup].index] = "duplicate_key"

    is_rejected = reason.notna().to_numpy()
    kept = typed.loc[~is_rejected]
    if table == "orders":
        kept = kept.assign(is_return=_is_return(kept))
    kept = _protect(kept).reset_index(drop=True)

    rejected = _protect(_raw_strings(raw.loc[is_rejected]))
    if "reason" in rejected.columns:  # an input column of that name keeps its values
        rejected = rejected.rename(columns={"reason": "reason_original"})
    rejected = rejected.assign(reason=reason[is_rejected].astype("string")).reset_index(drop=True)

    counts = reason.value_counts()
    by_reason = {code: int(counts.get(code, 0)) for code in REASONS}
    return CleanResult(kept=kept, rejected=rejected, rows_in=len(raw), by_reason=by_reason)


def _order_amount(typed: pd.DataFrame) -> pd.DataFrame:
    """Fill a missing ``amount`` with ``quantity * unit_price`` (adding the column if needed)."""
    if {"quantity", "unit_price"} <= set(typed.columns):
        product = typed["quantity"] * typed["unit_price"]
        amount = typed["amount"].fillna(product) if "amount" in typed.columns else product
    elif "amount" in typed.columns:
        amount = typed["amount"]
    else:
        amount = pd.Series(np.nan, index=typed.index)
    return typed.assign(amount=amount.astype("float64"))


def _is_return(orders: pd.DataFrame) -> pd.Series:
    ret = (orders["amount"] < 0).fillna(False)
    if "quantity" in orders.columns:
        ret |= (orders["quantity"] < 0).fillna(False)
    if "status" in orders.columns:
        status = as_text(orders["status"]).str.strip().str.lower()
        ret |= status.isin(RETURN_STATUSES).fillna(False)
    return ret.astype(bool)


# ---------------------------------------------------------------- several tables


def clean_all(
    tables: Mapping[str, pd.DataFrame],
    *,
    window_start: Any = None,
    window_end: Any = None,
    today: Any = None,
    settings: CleanSettings | None = None,
) -> dict[str, CleanResult]:
    """Clean customers first, then every other table against the kept customers' ids."""
    settings = settings or CleanSettings()
    results: dict[str, CleanResult] = {}
    known = None
    if tables.get("customers") is not None:
        results["customers"] = clean_table(
            tables["customers"], "customers", window_start=window_start, window_end=window_end,
            today=today, settings=settings)
        known = set(results["customers"].kept["customer_id"].dropna())
    for name, frame in tables.items():
        if name == "customers" or frame is None:
            continue
        results[name] = clean_table(
            frame, name, window_start=window_start, window_end=window_end, today=today,
            known_customers=known, settings=settings)
    return results


def reconcile(results: Mapping[str, CleanResult]) -> dict[str, Any]:
    """Per table rows_in / rows_kept / rows_rejected / by_reason / balanced; overall balanced.

    A table is balanced when ``rows_in == rows_kept + rows_rejected`` and the reason counts add
    up to ``rows_rejected``. The result holds one entry per table and the key ``balanced``.
    """
    out: dict[str, Any] = {}
    for name, res in results.items():
        kept, rejected = len(res.kept), len(res.rejected)
        by_reason = {k: int(v) for k, v in res.by_reason.items()}
        out[name] = {
            "rows_in": int(res.rows_in),
            "rows_kept": kept,
            "rows_rejected": rejected,
            "by_reason": by_reason,
            "balanced": bool(res.rows_in == kept + rejected and sum(by_reason.values()) == rejected),
        }
    out["balanced"] = all(v["balanced"] for v in out.values())
    return out


def missing_by_column(df: pd.DataFrame) -> pd.DataFrame:
    """Per column (source_row / source_file left out): missing count and share (blank = missing)."""
    cols = [c for c in df.columns if c not in SOURCE_COLUMNS]
    n = len(df)
    missing = [int((~present(df[c])).sum()) for c in cols]
    return pd.DataFrame({
        "column": pd.Series([str(c) for c in cols], dtype="string"),
        "missing": pd.Series(missing, dtype="int64"),
        "share": pd.Series([m / n if n else 0.0 for m in missing], dtype="float64"),
    })


def before_after(results: Mapping[str, CleanResult]) -> pd.DataFrame:
    """One row per table: rows_in, rows_kept, rows_rejected, returns_kept."""
    rows = []
    for name, res in results.items():
        ret = int(res.kept["is_return"].sum()) if "is_return" in res.kept.columns else 0
        rows.append({"table": name, "rows_in": int(res.rows_in), "rows_kept": len(res.kept),
                     "rows_rejected": len(res.rejected), "returns_kept": ret})
    out = pd.DataFrame(rows, columns=["table", "rows_in", "rows_kept", "rows_rejected",
                                      "returns_kept"])
    return out.astype({"table": "string", "rows_in": "int64", "rows_kept": "int64",
                       "rows_rejected": "int64", "returns_kept": "int64"})


def reason_label(code: str, language: str = "zh") -> str:
    """The human label of a reason code (the code itself when unknown)."""
    return REASON_LABELS.get(language, REASON_LABELS["en"]).get(code, code)


__all__ = [
    "REASONS",
    "REASON_LABELS",
    "CleanResult",
    "CleanSettings",
    "as_id",
    "before_after",
    "clean_all",
    "clean_table",
    "coerce_types",
    "missing_by_column",
    "present",
    "reason_label",
    "reconcile",
    "to_bool",
    "to_number",
]
