"""The bundled sample company: a fictional Chinese retailer with three planted stories.

``generate(out_dir)`` writes the seven input tables of CONTRACT section 3 (orders, customers,
feedback, complaints, interactions, competitors, market) for twelve quarters ending with
``end_period``; everything is drawn from ``numpy.random.default_rng(seed)`` (no network) and the
files are byte-identical for the same arguments (same library versions). ``_manifest.json``
records the arguments, row counts, dirty-row counts and file hashes; a second call with the
same arguments finds it and returns the existing paths without rewriting anything.

Shape (``customers=N``; figures in brackets are for the defaults N=20,000, seed 42)
------------------------------------------------------------------------------------
* customers: N rows; ids ``C0000001`` …; regions 华东/华北/华南/西南 (East/North/South/Southwest)
  with shares 35/25/22/18 %; 90 % individual, 8 % enterprise, 2 % government customers
  (个人/企业/政府; company and agency names for the latter two); 35 % signed up in the four
  years before the history window, the rest during it, more and more each quarter; 5 % signed
  up but never bought (potential customers). ``birth_year`` and ``gender`` only for
  individuals (3 % of birth years missing), ``email`` missing for 15 %; phones ``1[3-9]`` + 9
  digits.
* orders: 12.5·N sale orders on average [250.4k; 256.7k rows with refunds and dirty rows]
  (status ``completed``, 1 % ``cancelled``) from the first day of the quarter eleven quarters
  before ``end_period`` to its last day, times ``YYYY-MM-DD HH:MM:SS``. Per-customer rates are
  log-normal (σ = 1, capped), so many customers order once or twice (29 % of buyers) and a few
  every week (median 6, max ≈275 orders); organisations order 1.5× as often; 3 % of the active
  customers churn per quarter. Seasonality: 618 (June 1-18), 双11 (Nov 1-11, peak on the 11th),
  双12, a weaker January/February and a dip of −55 % in the fortnight around Chinese New Year,
  so Q4 is the peak and Q1 the trough. Refunds are separate rows: 2 % of the completed orders
  get a row ``R<same number>`` dated 1-14 days later with negative ``quantity`` and ``amount``
  and status ``refunded`` (refunds are not dirty). ``order_id`` is ``O`` + 9 digits in time
  order; ``status`` and ``interactions.type`` are English codes in both languages. Seven
  categories with their own price levels (median list price, CNY): 服饰 189, 数码 1299,
  美妆 229, 家居 329, 食品 59, 母婴 169, 运动 279 (40 products each, ``P<k><nnn>``); promotion
  days sell at −15 %; organisations buy larger quantities (clean orders stay far below the
  cleaning limit of 1,000,000 CNY: max ≈43k at the default size, ≈110k at a million customers).
* feedback: round(1.2·N) survey responses [24,000], each 0.5-10 days after a random completed
  order, channel 短信/邮件/App/电话回访.
  Aspect ratings (1-5): latent means product 4.1, service 4.0, after-sales 3.9, price 3.75,
  delivery 4.0, plus a shared per-response mood N(0, 0.45²) and an own N(0, 0.7²), rounded;
  2 % of each aspect left blank. With the rounded ratings r::

      csat_latent = 0.25·product + 0.20·service + 0.25·after_sales + 0.15·price
                    + 0.15·delivery + N(0, 0.35²)
      csat = round(csat_latent) clipped to 1-5
      nps  = round(2.5·(csat_latent − 1) + 0.8 + N(0, 1)) clipped to 0-10

  (``CSAT_WEIGHTS``; a regression of csat on the five ratings recovers roughly these
  weights). 70 % of responses (90 % of the unhappy ones) carry a comment whose sentiment follows
  csat (≥4 positive, 3 neutral, ≤2 negative) and which names the best (positive) or worst
  (negative) rated aspect: 质量/客服/售后/价格/物流.
* complaints [≈5.0k]: each completed sale order opens a ticket (``T`` + 8 digits) with
  probability 2 %, 0.5-15 days after the order; categories 售后/物流/质量/价格/服务 = 25/30/20/10/15 %; severity 低/中/高 = 50/35/15 %;
  first response after Exp(8 h), closed Exp(2.5 days) later, 90 % of closed tickets resolved;
  tickets not closed by the end of the window (and 2 % at random) are open (``closed_at`` NaT,
  ``resolved`` False). round(2 %) of the texts end with the customer's phone or e-mail.
* interactions [≈132k]: per customer Poisson(1 + 0.45·orders) rows of visit/click/like/share/
  email_open/call (35/28/10/5/15/7 %) with a count and a channel, dated (``YYYY-MM-DD``) over
  the customer's active span (potential customers browse too).
* competitors: 3 competitors × 12 quarters × 4 regions: 优选商城/PriceMart (the price player,
  price_index ≈ 0.99), 品质汇/QualityHub (premium, ≈ 1.12), 快购网/QuickBuy (fast delivery,
  ≈ 1.03). ``price_index`` is their price level with ours = 1.0; ``csat`` and ``rating_*`` are
  means on 1-5; ``nps`` is a net promoter score (−100…100; ours is ≈22); ``sales`` =
  market_size × market_share.
* market: 12 quarters × 4 regions; ``market_size`` (CNY, about nine times our revenue, Q4
  peak, +6 % a year) and ``growth`` (year-on-year).

The three planted stories (``story_facts()`` returns them as a dict)
-------------------------------------------------------------------
Names below are for ``language="zh"`` / ``"en"``; "latest quarter" is ``end_period``.

(A) After-sales in 华南 / South falls in the latest quarter. For responses from South
    customers dated in the latest quarter the latent after-sales rating is 1.1 lower, so the
    mean ``rating_after_sales`` drops by about 1 point (3.87 → 2.88 at the default size) and,
    through the weights, mean csat by ≈0.25 (3.94 → 3.69) and mean nps by ≈0.6 (8.0 → 7.4);
    the other regions stay flat. South sale orders of the latest quarter open an extra
    售后/after-sales ticket with probability 1 % (twice the base rate of that category), so
    after-sales complaints per order triple there (measured ×3.1-3.8 over seeds 1-4 at 12,000
    customers; in counts ×3.2-3.9 the mean of the previous four quarters) while other regions
    stay within ≈±30 % (small counts; demo 华南: 33 → 76 tickets, 2026Q2 → 2026Q3). South
    after-sales tickets opened in the latest quarter get a first response after Exp(24 h) instead of Exp(8 h), close after Exp(7 days)
    instead of Exp(2.5 days), are resolved 65 % (not 90 %) of the time when closed and are
    more severe (低/中/高 = 30/45/25 %).
(B) Young customers move to 美妆 / Beauty. Individuals with ``end_year − birth_year < 30``
    (born in or after 1997 for 2026Q3; ≈29 % of individuals) choose 美妆 for 15 % of their orders
    until five quarters before the end; over the last four quarters that share rises to 20, 25,
    30 and 35 % (the other categories shrink in proportion). Older individuals keep 12 %.
(C) Price-sensitive customers in 华北 / North buy less while the price player cuts prices.
    A hidden trait of ≈15 % of customers (individuals only: 42 % of North individuals, 7.5 %
    elsewhere, so two thirds of them live in North; ids in ``_truth_price_sensitive.parquet``).
    They pick the cheaper products of each category (AOV ≈380 against ≈740), put twice the
    share of their orders on promotion days (weight × 2.5 on 618, 双11 and 双12: 31 % of their
    orders against 15 %) and rate price 0.4 lower. In the latest quarter their expected order
    count is × 0.55. Measured on customers who signed up before the same quarter a year
    earlier (default size): their orders per customer fall 52 % against that quarter (others:
    −14 %, churn), i.e. −45 % relative to the other customers, and 63 % against the mean of
    the previous four quarters (others: −15 %; that mean includes 双11, where they are
    heavier). In the same quarter 优选商城 / PriceMart cuts its ``price_index`` in North from
    ≈0.99 to 0.82 and its market share there rises by 5 points (≈0.17 → ≈0.22); elsewhere
    nothing changes.

Dirty rows (for the cleaning stage; counts are recorded in the manifest under ``dirty``)
-------------------------------------------------------------------------------------
Added on top of the clean orders, each row with exactly one defect, where n is the number of
clean order rows (sales and refunds) and each count is ``max(1, round(f·n))`` (each of the
other six kinds [128]):

* ``exact_duplicate`` f = 0.2 % [511]: a copy of a completed order row;
* ``duplicate_order_id`` f = 0.05 %: same ``order_id`` and ``product_id`` as a completed order,
  quantity + 1 (amount recomputed);
* ``missing_customer_id`` f = 0.05 %: a new order without ``customer_id``;
* ``unparseable_date`` f = 0.05 %: ``order_date`` one of ``2026-13-45 10:00:00``,
  ``not a date``, ``2025-02-30 12:00:00``, ``20251340``, ``yesterday``;
* ``absurd_amount`` f = 0.05 %: quantity 1, unit_price = amount = 99999999;
* ``unknown_customer`` f = 0.05 %: a ``customer_id`` beyond the customers table;
* ``future_date`` f = 0.05 %: an ``order_date`` five years after the end year (e.g. 2031).

Apart from the duplicates, dirty rows have new order ids after the last clean one. In feedback,
``max(2, round(0.1 % of the responses))`` rows [24] have ``csat`` 7 and as many others
``nps`` 11.

Files: ``fmt="mixed"`` (the demo default) writes orders.csv (UTF-8), customers.csv (GB18030
for zh, UTF-8 for en), feedback.xlsx, complaints.parquet, interactions.csv, competitors.csv,
market.csv; ``fmt="parquet"`` writes ``<table>.parquet`` for all seven (use it for millions
of customers). ``order_date`` stays text in both formats (the dirty dates cannot be dates).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import _Calendar, _quarters
from .checks import _check_arguments, _check_language
from .complaints import _complaints_table
from .constants import (
    ASPECTS,
    CATEGORY_MIX,
    CSAT_WEIGHTS,
    DIRTY_FRACTIONS,
    GENERATOR_VERSION,
    MANIFEST_NAME,
    PRICE_PLAYER,
    STORY_A_REGION,
    STORY_B_CATEGORY,
    STORY_C_REGION,
    TABLE_ORDER,
    TRUTH_FILE,
    YOUNG_AGE,
    YOUNG_BEAUTY_SHIFT,
)
from .constants import BAD_DATES as BAD_DATES  # re-exported: tests read sample.BAD_DATES
from .customers import _customer_text, _customers_table, _draw_customers
from .feedback import _feedback_table
from .interactions import _interactions_table
from .manifest import _read_manifest, _sha256, _up_to_date
from .market import _competitors_table, _market_table
from .orders import _orders_table
from .sales import _draw_orders
from .texts import _COMMENTS as _COMMENTS  # re-exported: tests read sample._COMMENTS
from .vocab import _LABELS
from .writers import _atomic_write, _file_names, _parquet_bytes, _write_table


def story_facts(language: str = "zh", end_period: str = "2026Q3") -> dict:
    """The planted facts of the three stories (see the module docstring), as plain values."""
    _check_language(language)
    quarters = _quarters(end_period)
    lab = _LABELS[language]
    latest = str(quarters[-1])
    end_year = quarters[-1].year
    return {
        "latest_period": latest,
        "periods": [str(q) for q in quarters],
        "A": {
            "region": lab["regions"][STORY_A_REGION],
            "period": latest,
            "aspect": "rating_after_sales",
            "latent_drop": 1.1,
            "expected_rating_drop": 1.0,
            "complaint_category": lab["complaint_categories"][0],
            "complaint_factor": 3.0,
            "first_response_hours": {"before": 8.0, "story": 24.0},
            "close_days": {"before": 2.5, "story": 7.0},
            "resolved_share": {"before": 0.9, "story": 0.65},
        },
        "B": {
            "young_rule": f"end_year - birth_year < {YOUNG_AGE}",
            "min_birth_year": end_year - YOUNG_AGE + 1,
            "category": lab["categories"][STORY_B_CATEGORY],
            "share_before": float(CATEGORY_MIX[1, STORY_B_CATEGORY]),
            "share_by_period": {str(q): s for q, s in zip(quarters[-4:], YOUNG_BEAUTY_SHIFT,
                                                          strict=True)},
            "older_share": float(CATEGORY_MIX[0, STORY_B_CATEGORY]),
            "shift_periods": [str(q) for q in quarters[-4:]],
        },
        "C": {
            "region": lab["regions"][STORY_C_REGION],
            "period": latest,
            "order_rate_factor": 0.55,
            "competitor": lab["competitors"][PRICE_PLAYER],
            "price_index_before": 0.99,
            "price_index_after": 0.82,
            "market_share_gain": 0.05,
            "truth_file": TRUTH_FILE,
        },
    }


def story_truth(out_dir: Path | str) -> dict:
    """``story_facts`` for the data in ``out_dir`` plus the hidden price-sensitive customer ids.

    For tests only: the ids come from ``_truth_price_sensitive.parquet``, which no stage reads.
    """
    out = Path(out_dir)
    manifest = _read_manifest(out)
    if manifest is None:
        raise FileNotFoundError(f"{out / MANIFEST_NAME}: no sample company here; run generate() first.")
    args = manifest["arguments"]
    facts = story_facts(args["language"], args["end_period"])
    ids = pd.read_parquet(out / TRUTH_FILE)["customer_id"]
    facts["C"]["customer_ids"] = [str(v) for v in ids]
    facts["dirty"] = manifest["dirty"]
    facts["rows"] = manifest["rows"]
    return facts


def generate(
    out_dir: Path | str,
    *,
    customers: int = 20_000,
    seed: int = 42,
    language: str = "zh",
    end_period: str = "2026Q3",
    fmt: str = "mixed",
) -> dict[str, Path]:
    """Write the seven input tables of the sample company into ``out_dir``; return their paths.

    Deterministic: the same arguments give byte-identical files. When ``_manifest.json`` in
    ``out_dir`` matches the arguments and every file it lists exists with its recorded size,
    nothing is rewritten and the existing paths are returned.
    """
    _check_arguments(customers, seed, language, end_period, fmt)
    out = Path(out_dir)
    arguments = {"customers": int(customers), "seed": int(seed), "language": language,
                 "end_period": str(end_period), "fmt": fmt}
    files = _file_names(fmt)
    existing = _up_to_date(out, arguments, files)
    if existing is not None:
        return existing

    tables, truth, dirty = build_tables(customers=customers, seed=seed, language=language,
                                        end_period=end_period)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for table in TABLE_ORDER:
        path = out / files[table]
        _write_table(tables[table], path, table, language)
        paths[table] = path
    truth_path = out / TRUTH_FILE
    _atomic_write(truth_path, _parquet_bytes(truth))

    manifest = {
        "generator": "playbook.sample",
        "version": GENERATOR_VERSION,
        "arguments": arguments,
        "files": dict(files),
        "truth_files": [TRUTH_FILE],
        "stories": story_facts(language, end_period),
        "rows": {t: len(tables[t]) for t in TABLE_ORDER},
        "dirty": dirty,
        "bytes": {name: (out / name).stat().st_size for name in [*files.values(), TRUTH_FILE]},
        "sha256": {name: _sha256(out / name) for name in [*files.values(), TRUTH_FILE]},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _atomic_write(out / MANIFEST_NAME, text.encode("utf-8"))
    return paths


def build_tables(
    *, customers: int = 20_000, seed: int = 42, language: str = "zh", end_period: str = "2026Q3",
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict]:
    """The seven tables in memory, the hidden truth frame and the dirty-row counts.

    Same content as the files ``generate`` writes (before encoding).
    """
    _check_arguments(customers, seed, language, end_period, "mixed")
    rngs = np.random.default_rng(seed).spawn(8)
    cal = _Calendar(_quarters(end_period))
    lab = _LABELS[language]
    cust = _draw_customers(int(customers), cal, rngs[0])
    sales = _draw_orders(cust, cal, rngs[1])
    orders, dirty_orders = _orders_table(sales, cust, cal, lab, rngs[2])
    feedback, dirty_fb = _feedback_table(sales, cust, cal, lab, language, rngs[3])
    text = _customer_text(cust, lab, language)
    complaints = _complaints_table(sales, cust, text, cal, lab, language, rngs[4])
    interactions = _interactions_table(cust, sales, cal, lab, rngs[5])
    market = _market_table(sales, cust, cal, lab, rngs[6])
    competitors = _competitors_table(market, lab, rngs[7])
    customers_df = _customers_table(cust, text, cal, lab)
    tables = {"orders": orders, "customers": customers_df, "feedback": feedback,
              "complaints": complaints, "interactions": interactions,
              "competitors": competitors, "market": market}
    truth = pd.DataFrame({"customer_id": customers_df["customer_id"][cust["ps"]].to_numpy()})
    return tables, truth, {"orders": dirty_orders, "feedback": dirty_fb}


__all__ = ["ASPECTS", "CSAT_WEIGHTS", "DIRTY_FRACTIONS", "GENERATOR_VERSION", "build_tables",
           "generate", "story_facts", "story_truth"]
