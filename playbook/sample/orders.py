"""The orders table: sales plus refund rows and the planted dirty rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import _cid, _take
from .calendar import _Calendar
from .constants import ABSURD_AMOUNT, BAD_DATES, CATEGORY_PRICE, DIRTY_FRACTIONS, N_PRODUCTS
from .vocab import STATUSES


def _orders_table(sales: dict, cust: dict, cal: _Calendar, lab: dict,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n_sales = len(sales["ts"])
    number = np.arange(1, n_sales + 1, dtype=np.int64)
    # refunds: separate rows R<number>, negative quantity and amount
    completed = np.flatnonzero(sales["status"] == 0)
    refund_src = completed[rng.random(len(completed)) < 0.02]
    lag = rng.integers(86400, 14 * 86400, size=len(refund_src))
    cols = {
        "prefix": np.concatenate([np.zeros(n_sales, np.int8), np.ones(len(refund_src), np.int8)]),
        "number": np.concatenate([number, number[refund_src]]),
        "cidx": np.concatenate([sales["cidx"], sales["cidx"][refund_src]]),
        "ts": np.concatenate([sales["ts"], np.minimum(sales["ts"][refund_src] + lag, cal.end_s)]),
        "cat": np.concatenate([sales["cat"], sales["cat"][refund_src]]),
        "prod": np.concatenate([sales["prod"], sales["prod"][refund_src]]),
        "channel": np.concatenate([sales["channel"], sales["channel"][refund_src]]),
        "qty": np.concatenate([sales["qty"], -sales["qty"][refund_src]]),
        "unit_price": np.concatenate([sales["unit_price"], sales["unit_price"][refund_src]]),
        "amount": np.concatenate([sales["amount"], -sales["amount"][refund_src]]),
        "status": np.concatenate([sales["status"], np.full(len(refund_src), 2, np.int8)]),
    }
    n_clean = len(cols["ts"])
    cols["region"] = cust["region"][cols["cidx"]]
    cols["sortkey"] = cols["ts"].astype(np.float64)

    # dirty rows, each from a distinct completed sale row and with exactly one defect
    counts = {k: max(1, int(round(f * n_clean))) for k, f in DIRTY_FRACTIONS.items()}
    total = sum(counts.values())
    templates = rng.choice(completed, size=total, replace=False)
    parts, start = {}, 0
    for k, c in counts.items():
        parts[k] = templates[start:start + c]
        start += c
    dirty = {k: {c: v[idx] for c, v in cols.items()} for k, idx in parts.items()}
    next_number = n_sales + 1

    def renumber(block: dict) -> None:
        nonlocal next_number
        m = len(block["number"])
        block["number"] = np.arange(next_number, next_number + m, dtype=np.int64)
        next_number += m

    d = dirty["duplicate_order_id"]
    d["qty"] = d["qty"] + 1
    d["amount"] = np.round(d["qty"] * d["unit_price"], 2)
    for k in ("missing_customer_id", "unparseable_date", "absurd_amount", "unknown_customer",
              "future_date"):
        renumber(dirty[k])
    dirty["missing_customer_id"]["cidx"] = np.full(counts["missing_customer_id"], -1, np.int64)
    d = dirty["absurd_amount"]
    d["qty"] = np.ones_like(d["qty"])
    d["unit_price"] = np.full(len(d["qty"]), ABSURD_AMOUNT)
    d["amount"] = np.full(len(d["qty"]), ABSURD_AMOUNT)
    c = counts["unknown_customer"]
    dirty["unknown_customer"]["cidx"] = cust["n"] + 1000 + rng.choice(10 * cust["n"], size=c,
                                                                      replace=False)
    d = dirty["future_date"]
    future_start = int(np.datetime64(f"{cal.end_year + 5}-01-01", "s").astype(np.int64))
    d["ts"] = future_start + rng.integers(0, 365 * 86400, size=len(d["ts"]))
    for k, block in dirty.items():
        block["sortkey"] = block["sortkey"] + 0.5 + rng.random(len(block["ts"])) * 0.4
        block["kind"] = np.full(len(block["ts"]), list(counts).index(k) + 1, np.int8)
    cols["kind"] = np.zeros(n_clean, np.int8)
    allc = {c: np.concatenate([cols[c]] + [dirty[k][c] for k in counts]) for c in cols}
    order = np.argsort(allc["sortkey"], kind="stable")
    allc = {c: v[order] for c, v in allc.items()}

    order_id = pc.binary_join_element_wise(
        _take(("O", "R"), allc["prefix"]),
        pc.utf8_lpad(pc.cast(pa.array(allc["number"]), pa.string()), 9, "0"), "")
    cid = _cid(cust, allc["cidx"])
    date = pa.array(allc["ts"].astype("datetime64[s]")).cast(pa.string())
    bad = np.flatnonzero(allc["kind"] == list(counts).index("unparseable_date") + 1)
    if len(bad):
        repl = pa.array([BAD_DATES[i % len(BAD_DATES)] for i in range(len(bad))], pa.string())
        mask = np.zeros(len(allc["ts"]), bool)
        mask[bad] = True
        date = pc.replace_with_mask(date, pa.array(mask), repl)
    prod_ids = [f"P{k + 1}{i:03d}" for k in range(len(CATEGORY_PRICE)) for i in range(N_PRODUCTS)]
    table = pa.table({
        "order_id": order_id,
        "customer_id": cid,
        "order_date": date,
        "region": _take(lab["regions"], allc["region"]),
        "category": _take(lab["categories"], allc["cat"]),
        "product_id": _take(prod_ids, allc["prod"]),
        "channel": _take(lab["order_channels"], allc["channel"]),
        "quantity": pa.array(allc["qty"]),
        "unit_price": pa.array(allc["unit_price"]),
        "amount": pa.array(allc["amount"]),
        "status": _take(STATUSES, allc["status"]),
    })
    return table.to_pandas(), counts
