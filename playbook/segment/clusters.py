"""Behavioural clusters of customers and their profiles (客户画像).

Three steps: ``cluster_features`` builds one row of behaviour per customer, ``CustomerClusters``
groups the rows (k-means or a Gaussian mixture, k chosen by silhouette), ``profile_clusters``
and ``describe_clusters`` say what each group looks like.

Features (``cluster_features``)
-------------------------------
The window is the ``lookback_months`` before the period's end: ``start = as_of + 1 day −
lookback_months`` (calendar months), and a purchase or line counts when ``start <= order_date <
as_of + 1 day``. Only customers with at least one purchase (a row of ``purchases.purchases``) in
the window get a row; the index is ``customer_id`` (sorted). Sale lines are the order lines
without ``is_return``.

* ``recency_days`` = ``(as_of − last purchase in the window, normalized to its day).days``;
  ``frequency`` = purchases in the window; ``monetary`` = their amounts summed; ``aov`` =
  monetary / frequency.
* ``tenure_days`` = ``(as_of − first day ever).days`` where the first day is the first purchase
  up to ``as_of`` (also before the window), or ``signup_date`` of ``customers`` when that is
  earlier.
* ``price_position`` (only when the orders have ``category`` and ``unit_price``, or ``amount``
  and ``quantity`` to derive it): for every sale line of the window with a category and a
  positive unit price, the ratio ``unit_price / median unit_price of the window's sale lines of
  that category`` (the median is over lines, not weighted by quantity); a customer's value is
  the geometric mean of the ratios over their lines, ``exp(mean(log ratio))``. 1 = buys at the
  typical price of each category, 0.6 = 40 % cheaper products. (The geometric mean because
  prices are right-skewed: the plain mean of the ratios puts a customer who buys at random at
  ≈1.1-1.2, and one product at half and one at twice the median at 1.25 instead of 1.) Customers
  without such a line get 1 (neutral).
* ``cat_<name>`` (only with a ``category`` column): the customer's revenue share (sale-line
  amounts of the window) of each of the ``top_categories`` categories with the most revenue in
  the window (most first), and ``cat_other`` for the rest (missing categories included; a
  category literally named "other" is counted in ``cat_other``). The shares of a customer add up
  to 1 (all 0 when the lines add up to 0).
* ``chan_<name>`` (only with a ``channel`` column): the share of the customer's purchases of the
  window made in each channel. A purchase's channel is that of its first line in the data's
  order (lines grouped into orders as ``purchases`` does: by customer and ``order_id``, else by
  customer and timestamp). The
  ``MAX_CHANNELS`` channels with the most purchases get a column, the rest ``chan_other``.
* ``engagement`` (only when ``interactions`` are given): the sum of ``count`` (a missing count is
  1; rows when there is no ``count`` column) of the interactions dated in the window (column
  ``date``), 0 for customers without any.

``FEATURE_GROUPS`` names the groups (with a Chinese and English description) and
``feature_groups(features)`` lists those a frame uses, for the report.

Clustering (``CustomerClusters``)
---------------------------------
Transform, column by column: ``log1p`` of recency_days, frequency, monetary, aov, tenure_days
and engagement (negative values clipped to 0); ``log`` of price_position (clipped to ≥ 0.01);
shares as they are; any other numeric column as it is (non-numeric columns are ignored). Missing
values are filled with the fit sample's median. Then every column is standardized
(``StandardScaler``), and the standardized columns of each share group (``cat_*``, ``chan_*``)
are multiplied by ``1/sqrt(n columns in the group)``: a group's total variance is then that of
one numeric feature, so seven category columns do not outvote recency, frequency and value.

The model is fitted on a random sample of at most ``fit_sample`` customers
(``numpy.random.default_rng(random_state)``). With ``k=None`` every k of ``k_range`` is fitted
(``KMeans(n_init=4)`` or ``GaussianMixture(n_init=2)``) and the k with the highest silhouette
score wins (ties: the smaller k). The silhouette is computed on one fixed random subsample of
at most ``silhouette_sample`` rows of the fit sample, the same rows for every k. Clusters are
then renumbered 1..k by descending mean ``monetary`` of their fit-sample members (by
descending size when there is no monetary column), so cluster 1 is the most valuable.
Everything is deterministic for a given ``random_state``. Fitting and predicting run on one
thread (BLAS and OpenMP): the runner already works on several units at once, and threads
competing for busy cores made k-means 5-10× slower.

Small inputs: with fewer than 10 customers (or no variation at all) there is one cluster
(``k_ = 1``, ``silhouette_`` NaN, no model). Otherwise k is at most n // 2: the upper end of
``k_range`` (and a fixed ``k``) is lowered to n // 2, the lower end to at most that.

Profiles (``profile_clusters``) and descriptions (``describe_clusters``)
----------------------------------------------------------------------
One row per cluster: its customers and revenue (sum of monetary) with their shares, the mean of
every numeric feature, the revenue-weighted category shares (``cat_*``: the cluster's revenue in
a category / its revenue) and purchase-weighted channel shares (``chan_*``), ``top_categories``
(the two biggest categories, "美妆 34% · 服饰 20%"), ``top_channel`` ("App 62%"). From
``customers`` (when given): ``age_band`` (age = as_of.year − birth_year, else an ``age``
column; ages outside 0-120 unknown; bands <25, 25-34, 35-44, 45-54, 55+; without ``as_of`` only
an ``age`` column counts) and ``top_gender``, ``top_region``, ``top_city``,
``top_customer_type``: the most common value among the cluster's customers with a known value,
with ``<col>_share`` (its share there) and ``<col>_overall_share`` (the share of the same value
among all customers with a known value). From ``feedback`` (responses with ``response_date <
as_of + 1 day``): ``responses``, mean ``csat`` and mean ``nps`` over the cluster's responses.

``describe_clusters`` compares each cluster with the overall averages (customer-weighted means of
the cluster means; revenue-weighted category and purchase-weighted channel shares;
response-weighted csat) and joins the phrases that apply, in this order:

* value: monetary ratio ≥ 1.5 high, ≤ 0.67 low, else medium (always said); frequency ratio
  ≥ 1.5 frequent, ≤ 0.67 infrequent; recency ratio (mean recency_days / overall) ≤ 0.67
  recently active, ≥ 1.5 lapsing;
* basket: aov ratio ≥ 1.5 large, ≤ 0.67 small;
* price: price_position < 0.9 price-sensitive ("buys 21 % below the typical price" for 0.79),
  > 1.1 premium (compared with 1, the typical price, not with the overall mean);
* the category whose revenue share most exceeds the overall share, when by ≥ 5 points; the
  channel likewise when by ≥ 10 points;
* tenure ratio ≥ 1.5 long-standing, ≤ 0.67 new; engagement ratio ≥ 1.5 engaged, ≤ 0.67 little
  engagement;
* demographics (age band, gender, region, city, customer type) when the top value's share is
  ≥ 40 % and ≥ 10 points above its overall share;
* csat at least 0.2 above or below the overall csat.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..errors import ParameterError
from ..purchases import day_after
from .checks import need_columns, whole_number

MAX_CHANNELS = 8
"""Channels with their own ``chan_`` column; the rest go to ``chan_other``."""
OTHER = "other"
SHARE_PREFIXES = ("cat_", "chan_")
LOG1P_FEATURES = ("recency_days", "frequency", "monetary", "aov", "tenure_days", "engagement")
LOG_FEATURES = ("price_position",)
NUMERIC_FEATURES = ("recency_days", "frequency", "monetary", "aov", "tenure_days",
                    "price_position", "engagement")
MIN_CUSTOMERS = 10
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
DEMOGRAPHICS = ("gender", "region", "city", "customer_type")

FEATURE_GROUPS: dict[str, dict[str, Any]] = {
    "rfm": {
        "columns": ("recency_days", "frequency", "monetary", "aov"),
        "zh": "最近购买间隔、购买次数、消费金额与客单价",
        "en": "recency, frequency, monetary value and average order value",
    },
    "tenure": {
        "columns": ("tenure_days",),
        "zh": "客龄（首次购买或注册至今天数）",
        "en": "tenure (days since the first purchase or signup)",
    },
    "price_position": {
        "columns": ("price_position",),
        "zh": "商品价位（单价相对同品类中位价）",
        "en": "price position (unit price relative to the category median)",
    },
    "categories": {
        "prefix": "cat_",
        "zh": "各品类消费金额占比",
        "en": "revenue shares by category",
    },
    "channels": {
        "prefix": "chan_",
        "zh": "各渠道购买次数占比",
        "en": "purchase shares by channel",
    },
    "engagement": {
        "columns": ("engagement",),
        "zh": "互动次数",
        "en": "interactions",
    },
}
"""The feature groups ``cluster_features`` can build, by code: their columns (or column
prefix) and a description in Chinese and English."""


# ------------------------------------------------------------------------------- helpers


def _int_param(name: str, value: Any, low: int, allowed: str) -> int:
    return whole_number(name, value, low, allowed, where="segment.clusters")


def _language(language: str) -> str:
    if language not in ("zh", "en"):
        raise ParameterError("language", "zh or en", language, where="segment.clusters")
    return language


def _need(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    need_columns(frame, name, columns, where="segment.clusters")


def _window(as_of: Any, lookback_months: int) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    as_of = pd.Timestamp(as_of).normalize()
    end = day_after(as_of)
    return as_of, end - pd.DateOffset(months=lookback_months), end


def _datetimes(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


def _in(dates: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp) -> np.ndarray:
    d = _datetimes(dates)
    mask = d < end.to_datetime64()
    if start is not None:
        mask &= d >= start.to_datetime64()
    return mask


def _days_before(as_of: pd.Timestamp, dates: np.ndarray) -> np.ndarray:
    """Whole days from each date's day to ``as_of`` (a date on as_of → 0)."""
    return (as_of.to_datetime64().astype("datetime64[D]")
            - dates.astype("datetime64[D]")).astype("int64")


def _codes(index: pd.Index, ids: pd.Series) -> np.ndarray:
    """Positions of ``ids`` in ``index`` (−1 when absent or missing), hashed by pyarrow."""
    values = pa.array(ids.astype("str"), from_pandas=True).cast(pa.large_string())
    found = pc.index_in(values, value_set=pa.array(index.astype("str")).cast(pa.large_string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes (−1 for missing) and the distinct values as text."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype="int64"), [str(u) for u in uniques]


def _share_columns(rows: np.ndarray, codes: np.ndarray, names: list[str], weights: np.ndarray,
                   n_rows: int, top: int) -> dict[str, np.ndarray]:
    """Per row, the share of the total weight of each of the ``top`` names with the most weight
    (ties by name; "other" and missing values go to the rest) and of the rest, ``other``."""
    total = np.bincount(codes[codes >= 0], weights=weights[codes >= 0], minlength=len(names))
    rank = pd.DataFrame({"name": names, "w": total})
    rank = rank[rank["name"] != OTHER].sort_values(["w", "name"], ascending=[False, True],
                                                   kind="stable").head(top)
    column = np.full(len(names) + 1, len(rank), dtype="int64")   # code −1 → the last slot
    column[rank.index.to_numpy()] = np.arange(len(rank))
    width = len(rank) + 1
    flat = np.bincount(rows * width + column[codes], weights=weights, minlength=n_rows * width)
    matrix = flat.reshape(n_rows, width)
    row_total = matrix.sum(axis=1, keepdims=True)
    shares = np.where(row_total > 0, matrix / np.where(row_total > 0, row_total, 1), 0.0)
    return {name: shares[:, j] for j, name in enumerate([*rank["name"], OTHER])}


def _unit_prices(lines: pd.DataFrame) -> np.ndarray | None:
    price = None
    if "unit_price" in lines.columns:
        price = pd.to_numeric(lines["unit_price"], errors="coerce").to_numpy(dtype="float64")
    if {"amount", "quantity"} <= set(lines.columns):
        qty = pd.to_numeric(lines["quantity"], errors="coerce").to_numpy(dtype="float64")
        amount = lines["amount"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            derived = np.where(qty > 0, amount / qty, np.nan)
        price = derived if price is None else np.where(np.isnan(price), derived, price)
    return price


# ------------------------------------------------------------------------------- features


def cluster_features(purchases: pd.DataFrame, orders: pd.DataFrame, as_of: Any,
                     lookback_months: int = 12, customers: pd.DataFrame | None = None,
                     interactions: pd.DataFrame | None = None,
                     top_categories: int = 6) -> pd.DataFrame:
    """One row of behaviour features per customer who bought in the window (module docstring).

    ``purchases`` is ``purchases.purchases(orders)``; ``orders`` the cleaned order lines (for
    price position, category and channel shares). Inputs are not modified.
    """
    lookback_months = _int_param("lookback_months", lookback_months, 1, "an integer >= 1")
    top_categories = _int_param("top_categories", top_categories, 0, "an integer >= 0")
    _need(purchases, "purchases", ("customer_id", "order_date", "amount"))
    _need(orders, "orders", ("customer_id", "order_date"))
    as_of, start, end = _window(as_of, lookback_months)

    # purchases up to as_of (for tenure) and in the window; customers numbered once
    pdates = _datetimes(purchases["order_date"])
    hist = pdates < end.to_datetime64()
    hdates = pdates[hist]
    hcodes, uniques = pd.factorize(purchases["customer_id"][hist].astype("str"))
    in_win = hdates >= start.to_datetime64()
    present = np.unique(hcodes[in_win])
    names = pd.Index(uniques).take(present)
    order = np.argsort(names.to_numpy(dtype=object), kind="stable")
    index = pd.Index(names.take(order), name="customer_id", dtype="str")
    n = len(index)
    position = np.full(len(uniques), -1, dtype="int64")
    position[present[order]] = np.arange(n)
    hrows = position[hcodes]
    rows = hrows[in_win]
    days = _days_before(as_of, hdates)
    amount = purchases["amount"].to_numpy(dtype="float64")[hist][in_win]
    frequency = np.bincount(rows, minlength=n).astype("int64")
    monetary = np.bincount(rows, weights=amount, minlength=n).astype("float64")
    recency = np.full(n, np.iinfo("int64").max)
    np.minimum.at(recency, rows, days[in_win])
    keep = hrows >= 0
    tenure = np.full(n, -1, dtype="int64")
    np.maximum.at(tenure, hrows[keep], days[keep])
    if customers is not None and {"customer_id", "signup_date"} <= set(customers.columns):
        srows = _codes(index, customers["customer_id"])
        sdays = _days_before(as_of, _datetimes(customers["signup_date"]))
        signed = pd.notna(customers["signup_date"]).to_numpy() & (srows >= 0)
        np.maximum.at(tenure, srows[signed], sdays[signed])

    out = pd.DataFrame({"recency_days": recency, "frequency": frequency, "monetary": monetary,
                        "aov": monetary / frequency, "tenure_days": tenure}, index=index)

    # sale lines of the window
    mask = _in(orders["order_date"], start, end)
    if "is_return" in orders.columns:
        mask &= ~orders["is_return"].fillna(False).to_numpy(dtype=bool)
    lines = orders[mask]
    lrows = _codes(index, lines["customer_id"])
    if (lrows < 0).any():
        lines, lrows = lines[lrows >= 0], lrows[lrows >= 0]
    extra: dict[str, np.ndarray] = {}

    if "category" in lines.columns:
        cat_codes, cat_names = _factorize(lines["category"])
        price = _unit_prices(lines)
        if price is not None:
            ok = (price > 0) & (cat_codes >= 0)
            median = pd.Series(price[ok]).groupby(cat_codes[ok]).median()
            log_median = np.log(median.reindex(range(len(cat_names))).to_numpy())
            log_ratio = np.log(price[ok]) - log_median[cat_codes[ok]]
            num = np.bincount(lrows[ok], weights=log_ratio, minlength=n)
            cnt = np.bincount(lrows[ok], minlength=n)
            extra["price_position"] = np.exp(np.where(cnt > 0, num / np.maximum(cnt, 1), 0.0))
        if "amount" in lines.columns:
            amt = np.nan_to_num(lines["amount"].to_numpy(dtype="float64"))
            shares = _share_columns(lrows, cat_codes, cat_names, amt, n, top_categories)
            extra.update({f"cat_{k}": v for k, v in shares.items()})

    if "channel" in lines.columns:
        first = _first_line_of_order(lines, lrows)
        chan_codes, chan_names = _factorize(lines["channel"])
        shares = _share_columns(lrows[first], chan_codes[first], chan_names,
                                np.ones(int(first.sum())), n, MAX_CHANNELS)
        extra.update({f"chan_{k}": v for k, v in shares.items()})

    if interactions is not None:
        _need(interactions, "interactions", ("customer_id", "date"))
        inter = interactions[_in(interactions["date"], start, end)]
        irows = _codes(index, inter["customer_id"])
        weight = np.ones(len(inter))
        if "count" in inter.columns:
            weight = pd.to_numeric(inter["count"], errors="coerce").fillna(1.0).to_numpy(
                dtype="float64")
        ok = irows >= 0
        extra["engagement"] = np.bincount(irows[ok], weights=weight[ok], minlength=n).astype(
            "float64")

    if extra:
        out = pd.concat([out, pd.DataFrame(extra, index=index)], axis=1)
    return out


def _first_line_of_order(lines: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Mask of the first line (in the data's order) of every order, orders keyed as
    ``purchases.purchases`` does: customer and ``order_id``, else customer and timestamp."""
    when = _datetimes(lines["order_date"]).astype("int64")
    ts_code = pd.factorize(when)[0].astype("int64")
    if "order_id" in lines.columns:
        oid_code, uniques = pd.factorize(lines["order_id"], use_na_sentinel=True)
        oid_code, n_oid = np.asarray(oid_code, dtype="int64"), len(uniques)
        key = np.where(oid_code >= 0, oid_code, n_oid + ts_code)
    else:
        key = ts_code
    combined = key * (int(rows.max()) + 1 if len(rows) else 1) + rows
    return ~pd.Series(combined).duplicated(keep="first").to_numpy()


def feature_groups(features: pd.DataFrame) -> list[str]:
    """The codes of ``FEATURE_GROUPS`` that ``features`` has columns of."""
    used = []
    for code, group in FEATURE_GROUPS.items():
        if "prefix" in group:
            if any(str(c).startswith(group["prefix"]) for c in features.columns):
                used.append(code)
        elif any(c in features.columns for c in group["columns"]):
            used.append(code)
    return used


# ------------------------------------------------------------------------------- clustering


def _share_group(column: str) -> str | None:
    for prefix in SHARE_PREFIXES:
        if column.startswith(prefix):
            return prefix
    return None


class CustomerClusters:
    """Behavioural clusters by k-means or a Gaussian mixture (module docstring).

    Parameters: ``method`` "kmeans" or "gmm"; ``k`` a fixed number of clusters (≥ 2) or None
    to choose it in ``k_range`` by silhouette; ``covariance_type`` of the mixture ("full" or
    "diag"); ``fit_sample`` the most customers the model is fitted on; ``silhouette_sample`` the
    most rows the silhouette is computed on.

    Learned: ``k_``, ``silhouette_`` (of k_), ``silhouette_by_k_`` {k: score},
    ``feature_names_``, ``medians_`` (fill values), ``scaler_``, ``weights_`` (per transformed
    column: 1, or 1/sqrt(n) in a share group), ``model_``, ``order_`` (``order_[raw label]`` =
    cluster number 1..k), ``centers_`` (DataFrame, index cluster 1..k: the fit sample's mean
    features in their own units), ``n_fit_`` (rows fitted on).
    """

    def __init__(self, method: str = "kmeans", k: int | None = None,
                 k_range: tuple[int, int] = (3, 8), random_state: int = 0,
                 fit_sample: int = 50_000, silhouette_sample: int = 5_000,
                 covariance_type: str = "full"):
        self.method = method
        self.k = k
        self.k_range = k_range
        self.random_state = random_state
        self.fit_sample = fit_sample
        self.silhouette_sample = silhouette_sample
        self.covariance_type = covariance_type

    # -- checks and transform -------------------------------------------------------------

    def _check(self) -> tuple[int, int]:
        where = "segment.clusters"
        if self.method not in ("kmeans", "gmm"):
            raise ParameterError("method", "kmeans or gmm", self.method, where=where)
        if self.covariance_type not in ("full", "diag"):
            raise ParameterError("covariance_type", "full or diag", self.covariance_type,
                                 where=where)
        if self.k is not None:
            _int_param("k", self.k, 2, "an integer >= 2 or None")
        kr = self.k_range
        ok = (isinstance(kr, Sequence) and len(kr) == 2
              and all(isinstance(v, Integral) and not isinstance(v, bool) for v in kr)
              and 2 <= kr[0] <= kr[1])
        if not ok:
            raise ParameterError("k_range", "[low, high] with 2 <= low <= high", kr, where=where)
        _int_param("fit_sample", self.fit_sample, 10, "an integer >= 10")
        _int_param("silhouette_sample", self.silhouette_sample, 10, "an integer >= 10")
        _int_param("random_state", self.random_state, 0, "an integer >= 0")
        return int(kr[0]), int(kr[1])

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.feature_names_ if c not in features.columns]
        if missing:
            raise ParameterError("features", "a frame with the columns fitted on",
                                 f"a frame without {', '.join(missing)}",
                                 where="segment.clusters")
        x = features[self.feature_names_].to_numpy(dtype="float64", copy=True)
        for j, name in enumerate(self.feature_names_):
            if name in LOG1P_FEATURES:
                x[:, j] = np.log1p(np.clip(x[:, j], 0, None))
            elif name in LOG_FEATURES:
                x[:, j] = np.log(np.clip(x[:, j], 0.01, None))
        return x

    def _fill(self, x: np.ndarray) -> np.ndarray:
        nan = np.isnan(x)
        if nan.any():
            x = np.where(nan, self.medians_[None, :], x)
        return x

    def _transform(self, features: pd.DataFrame) -> np.ndarray:
        x = self._fill(self._raw(features))
        return self.scaler_.transform(x) * self.weights_[None, :]

    # -- fit / predict --------------------------------------------------------------------

    def _new_model(self, k: int):
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=4, random_state=self.random_state)
        return GaussianMixture(n_components=k, covariance_type=self.covariance_type, n_init=2,
                               random_state=self.random_state)

    def fit(self, features: pd.DataFrame) -> CustomerClusters:
        """Choose k (unless fixed), fit the model on a sample and number the clusters."""
        lo, hi = self._check()
        with threadpool_limits(limits=1):
            return self._fit(features, lo, hi)

    def _fit(self, features: pd.DataFrame, lo: int, hi: int) -> CustomerClusters:
        self.feature_names_ = [str(c) for c in features.select_dtypes("number").columns]
        if not self.feature_names_:
            raise ParameterError("features", "a frame with numeric feature columns",
                                 list(features.columns), where="segment.clusters")
        n = len(features)
        rng = np.random.default_rng(self.random_state)
        sample = np.arange(n)
        if n > self.fit_sample:
            sample = np.sort(rng.choice(n, self.fit_sample, replace=False))
        self.n_fit_ = len(sample)
        fit_rows = features.iloc[sample]
        raw = self._raw(fit_rows)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(raw, axis=0) if len(raw) else np.zeros(raw.shape[1])
        self.medians_ = np.nan_to_num(med, nan=0.0)
        raw = self._fill(raw)
        self.scaler_ = StandardScaler().fit(raw) if len(raw) else None
        groups = [_share_group(c) for c in self.feature_names_]
        sizes = pd.Series([g for g in groups if g]).value_counts()
        self.weights_ = np.array([1.0 if g is None else 1 / np.sqrt(sizes[g]) for g in groups])
        self.silhouette_by_k_: dict[int, float] = {}
        self.model_ = None

        varies = len(raw) > 0 and bool((np.nanstd(raw, axis=0) > 0).any())
        if n < MIN_CUSTOMERS or not varies:
            self.k_, self.silhouette_ = 1, float("nan")
            self.order_ = np.array([1])
            self.centers_ = self._centers(fit_rows, np.zeros(len(fit_rows), dtype=int), 1)
            return self

        x = self.scaler_.transform(raw) * self.weights_[None, :]
        cap = n // 2
        ks = [min(self.k, cap)] if self.k is not None else list(
            range(min(lo, cap), min(hi, cap) + 1))
        sil_rows = np.arange(len(x))
        if len(x) > self.silhouette_sample:
            sil_rows = np.sort(rng.choice(len(x), self.silhouette_sample, replace=False))
        models, labels = {}, {}
        for k in ks:
            model = self._new_model(k)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lab = model.fit(x).predict(x)
            models[k], labels[k] = model, lab
            self.silhouette_by_k_[k] = _silhouette(x[sil_rows], lab[sil_rows], self.random_state)
        scores = {k: s for k, s in self.silhouette_by_k_.items() if np.isfinite(s)}
        best = max(scores, key=lambda k: (scores[k], -k)) if scores else ks[0]
        self.k_, self.silhouette_ = best, self.silhouette_by_k_[best]
        self.model_ = models[best]
        raw_labels = labels[best]
        self.order_ = self._relabel(fit_rows, raw_labels, best)
        self.centers_ = self._centers(fit_rows, self.order_[raw_labels] - 1, best)
        return self

    def _relabel(self, rows: pd.DataFrame, raw_labels: np.ndarray, k: int) -> np.ndarray:
        size = np.bincount(raw_labels, minlength=k).astype("float64")
        if "monetary" in rows.columns:
            tot = np.bincount(raw_labels, weights=rows["monetary"].to_numpy(dtype="float64"),
                              minlength=k)
            key = np.where(size > 0, tot / np.maximum(size, 1), -np.inf)
        else:
            key = size
        rank = np.lexsort((np.arange(k), -key))        # descending key, ties by raw label
        order = np.empty(k, dtype="int64")
        order[rank] = np.arange(1, k + 1)
        return order

    def _centers(self, rows: pd.DataFrame, labels0: np.ndarray, k: int) -> pd.DataFrame:
        vals = rows[self.feature_names_].astype("float64")
        centers = vals.groupby(labels0 + 1).mean().reindex(range(1, k + 1))
        centers.index.name = "cluster"
        return centers

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Cluster numbers 1..k_ of the rows of ``features`` (a frame with the fitted columns)."""
        if not hasattr(self, "k_"):
            raise ParameterError("CustomerClusters", "fitted before predict", "an unfitted model",
                                 where="segment.clusters")
        if self.model_ is None:
            self._raw(features)          # checks the columns
            return np.ones(len(features), dtype="int64")
        if len(features) == 0:
            return np.zeros(0, dtype="int64")
        with threadpool_limits(limits=1):
            raw = self.model_.predict(self._transform(features))
        return self.order_[raw].astype("int64")

    def fit_predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.fit(features).predict(features)


def _silhouette(x: np.ndarray, labels: np.ndarray, random_state: int) -> float:
    n_labels = len(np.unique(labels))
    if n_labels < 2 or n_labels >= len(labels):
        return float("nan")
    return float(silhouette_score(x, labels, random_state=random_state))


# ------------------------------------------------------------------------------- profiles


def _labels_series(features: pd.DataFrame, labels: Any) -> pd.Series:
    if isinstance(labels, pd.Series):
        lab = labels.reindex(features.index)
    else:
        arr = np.asarray(labels)
        if arr.shape != (len(features),):
            raise ParameterError("labels", f"one cluster number per row of features "
                                 f"({len(features)})", f"{arr.shape[0] if arr.ndim else 0} labels",
                                 where="segment.clusters")
        lab = pd.Series(arr, index=features.index)
    if lab.isna().any():
        raise ParameterError("labels", "a cluster number for every customer of features",
                             "labels with gaps", where="segment.clusters")
    return lab.astype("int64").rename("cluster")


def _age_band(age: pd.Series) -> pd.Series:
    age = age.where((age >= 0) & (age <= 120))
    band = pd.cut(age, [-np.inf, 24.5, 34.5, 44.5, 54.5, np.inf], labels=list(AGE_BANDS),
                  right=False)
    return band.astype("object").where(band.notna(), None)


def _top_value(cluster: pd.Series, values: pd.Series) -> pd.DataFrame:
    """Per cluster: the most common known value, its share there and its overall share."""
    frame = pd.DataFrame({"cluster": cluster.to_numpy(), "v": values.to_numpy()})
    frame = frame[frame["v"].notna()]
    frame["v"] = frame["v"].astype("str")
    counts = frame.groupby(["cluster", "v"], observed=True).size().rename("n").reset_index()
    known = counts.groupby("cluster")["n"].transform("sum")
    counts["share"] = counts["n"] / known
    overall = counts.groupby("v")["n"].sum() / max(int(counts["n"].sum()), 1)
    top = counts.sort_values(["cluster", "n", "v"], ascending=[True, False, True])
    top = top.drop_duplicates("cluster").set_index("cluster")
    top["overall"] = overall.reindex(top["v"]).to_numpy()
    return top[["v", "share", "overall"]]


def _top_shares(row: pd.Series, prefix: str, n: int) -> str:
    shares = row[[c for c in row.index if c.startswith(prefix) and c != prefix + OTHER]]
    shares = shares.astype("float64")
    shares = shares[shares > 0].sort_values(ascending=False, kind="stable").head(n)
    return " · ".join(f"{name[len(prefix):]} {v:.0%}" for name, v in shares.items())


def profile_clusters(features: pd.DataFrame, labels: Any, customers: pd.DataFrame | None = None,
                     feedback: pd.DataFrame | None = None, as_of: Any = None) -> pd.DataFrame:
    """One row per cluster (module docstring): size, revenue, mean features, shares, top
    categories and channel, demographics and satisfaction where the inputs have them.

    ``labels``: one cluster number per row of ``features`` (array) or a Series indexed by
    customer_id. Inputs are not modified.
    """
    lab = _labels_series(features, labels)
    as_of = None if as_of is None else pd.Timestamp(as_of).normalize()
    g = features.groupby(lab.to_numpy(), sort=True)
    out = pd.DataFrame({"customers": g.size()})
    out.index.name = "cluster"
    out["customer_share"] = out["customers"] / max(len(features), 1)
    if "monetary" in features.columns:
        out["revenue"] = g["monetary"].sum()
        total = float(features["monetary"].sum())
        out["revenue_share"] = out["revenue"] / total if total else np.nan
    for col in NUMERIC_FEATURES:
        if col in features.columns:
            out[col] = g[col].mean()
    cats = [c for c in features.columns if str(c).startswith("cat_")]
    if cats:
        w = features["monetary"] if "monetary" in features.columns else pd.Series(
            1.0, index=features.index)
        money = features[cats].mul(w, axis=0).groupby(lab.to_numpy()).sum()
        out[cats] = money.div(money.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        out["top_categories"] = out.apply(lambda r: _top_shares(r, "cat_", 2), axis=1)
    chans = [c for c in features.columns if str(c).startswith("chan_")]
    if chans:
        w = features["frequency"] if "frequency" in features.columns else pd.Series(
            1.0, index=features.index)
        cnt = features[chans].mul(w, axis=0).groupby(lab.to_numpy()).sum()
        out[chans] = cnt.div(cnt.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        out["top_channel"] = out.apply(lambda r: _top_shares(r, "chan_", 1), axis=1)

    if customers is not None and "customer_id" in customers.columns:
        cust = customers.drop_duplicates("customer_id").assign(
            customer_id=lambda d: d["customer_id"].astype("str")).set_index("customer_id")
        cust = cust.reindex(features.index.astype("str"))
        age = None
        if "birth_year" in cust.columns and as_of is not None:
            age = as_of.year - pd.to_numeric(cust["birth_year"], errors="coerce")
        if "age" in cust.columns:
            given = pd.to_numeric(cust["age"], errors="coerce")
            age = given if age is None else age.fillna(given)
        demo: list[tuple[str, pd.Series]] = []
        if age is not None:
            demo.append(("age_band", _age_band(age.astype("float64"))))
        demo += [(f"top_{c}", cust[c]) for c in DEMOGRAPHICS if c in cust.columns]
        for name, values in demo:
            if not values.notna().any():
                continue
            top = _top_value(lab, values).reindex(out.index)
            out[name] = top["v"]
            out[f"{name}_share"] = top["share"].astype("float64")
            out[f"{name}_overall_share"] = top["overall"].astype("float64")

    if feedback is not None and "customer_id" in feedback.columns:
        fb = feedback
        if as_of is not None and "response_date" in fb.columns:
            fb = fb[_in(fb["response_date"], None, day_after(as_of))]
        fcl = lab.reindex(pd.Index(fb["customer_id"].astype("str"))).to_numpy()
        ok = ~pd.isna(fcl)
        fb = fb[ok]
        fg = fb.groupby(fcl[ok].astype("int64"))
        out["responses"] = fg.size().reindex(out.index, fill_value=0).astype("int64")
        for col in ("csat", "nps"):
            if col in fb.columns:
                out[col] = pd.to_numeric(fb[col], errors="coerce").groupby(
                    fcl[ok].astype("int64")).mean().reindex(out.index)
    return out.reset_index()


# ------------------------------------------------------------------------------- descriptions

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "value_high": "高价值", "value_mid": "中等价值", "value_low": "低价值",
        "freq_high": "高频", "freq_low": "低频",
        "rec_recent": "近期活跃", "rec_lapsing": "久未购买",
        "aov_high": "客单价高", "aov_low": "客单价低",
        "cheap": "价格敏感（商品价位低于平均 {p}）",
        "premium": "偏好高价（商品价位高于平均 {p}）",
        "category": "偏好{v}", "channel": "多在{v}购买",
        "tenure_long": "老客户为主", "tenure_new": "新客户为主",
        "eng_high": "互动多", "eng_low": "互动少",
        "age_band": "多为{v}岁", "top_gender": "性别以{v}为主（{p}）",
        "top_region": "集中在{v}（{p}）", "top_city": "多在{v}（{p}）",
        "top_customer_type": "以{v}客户为主（{p}）",
        "csat_high": "满意度较高（{v:.2f}）", "csat_low": "满意度偏低（{v:.2f}）",
        "sep_inner": "、", "sep": "；",
    },
    "en": {
        "value_high": "High value", "value_mid": "Mid value", "value_low": "Low value",
        "freq_high": "frequent", "freq_low": "infrequent",
        "rec_recent": "recently active", "rec_lapsing": "lapsing",
        "aov_high": "large baskets", "aov_low": "small baskets",
        "cheap": "price-sensitive (buys {p} below the typical price)",
        "premium": "premium (buys {p} above the typical price)",
        "category": "prefers {v}", "channel": "buys mostly via {v}",
        "tenure_long": "long-standing customers", "tenure_new": "new customers",
        "eng_high": "highly engaged", "eng_low": "little engagement",
        "age_band": "mostly {v}", "top_gender": "mostly {v} ({p})",
        "top_region": "concentrated in {v} ({p})", "top_city": "mostly in {v} ({p})",
        "top_customer_type": "mostly {v} customers ({p})",
        "csat_high": "more satisfied (csat {v:.2f})", "csat_low": "less satisfied (csat {v:.2f})",
        "sep_inner": ", ", "sep": "; ",
    },
}
HIGH_RATIO, LOW_RATIO = 1.5, 0.67
CHEAP, PREMIUM = 0.9, 1.1
CATEGORY_LIFT, CHANNEL_LIFT, DEMOGRAPHIC_LIFT, DEMOGRAPHIC_MIN = 0.05, 0.10, 0.10, 0.40
CSAT_GAP = 0.2


def _weighted(profile: pd.DataFrame, col: str, weight: pd.Series) -> float:
    v = profile[col].astype("float64")
    ok = v.notna() & (weight > 0)
    return float((v[ok] * weight[ok]).sum() / weight[ok].sum()) if ok.any() else float("nan")


def _level(ratio: float, high: str, low: str) -> str | None:
    if not np.isfinite(ratio):
        return None
    if ratio >= HIGH_RATIO:
        return high
    if ratio <= LOW_RATIO:
        return low
    return None


def _lift_phrase(profile: pd.DataFrame, prefix: str, weight: pd.Series, lift: float,
                 template: str) -> list[str | None]:
    cols = [c for c in profile.columns if str(c).startswith(prefix) and c != prefix + OTHER]
    if not cols:
        return [None] * len(profile)
    shares = profile[cols].astype("float64")
    overall = shares.mul(weight, axis=0).sum() / weight.sum() if weight.sum() > 0 else shares.mean()
    gain = shares - overall
    best = gain.idxmax(axis=1)
    out: list[str | None] = []
    for i, col in enumerate(best):
        ok = isinstance(col, str) and gain.iloc[i][col] >= lift
        out.append(template.format(v=col[len(prefix):]) if ok else None)
    return out


def describe_clusters(profile: pd.DataFrame, language: str = "zh") -> pd.Series:
    """One line per cluster comparing it with the overall averages (rules in the module
    docstring); index: cluster. Never empty: the value level is always said."""
    w = _WORDS[_language(language)]
    n = profile["customers"].astype("float64")
    ratios: dict[str, pd.Series] = {}
    for col in ("monetary", "frequency", "recency_days", "aov", "tenure_days", "engagement"):
        if col in profile.columns:
            overall = _weighted(profile, col, n)
            ratios[col] = profile[col].astype("float64") / overall if overall else (
                pd.Series(np.nan, index=profile.index))
    revenue = profile["revenue"].astype("float64") if "revenue" in profile.columns else n
    purchases_ = n * profile["frequency"].astype("float64") if "frequency" in profile.columns \
        else n
    cat = _lift_phrase(profile, "cat_", revenue, CATEGORY_LIFT, w["category"])
    chan = _lift_phrase(profile, "chan_", purchases_, CHANNEL_LIFT, w["channel"])
    csat_all = float("nan")
    if "csat" in profile.columns:
        rw = profile["responses"].astype("float64") if "responses" in profile.columns else n
        csat_all = _weighted(profile, "csat", rw)

    lines = []
    for i in range(len(profile)):
        r = {k: float(v.iloc[i]) for k, v in ratios.items()}
        head = [_level(r.get("monetary", np.nan), w["value_high"], w["value_low"])
                or w["value_mid"],
                _level(r.get("frequency", np.nan), w["freq_high"], w["freq_low"]),
                _level(r.get("recency_days", np.nan), w["rec_lapsing"], w["rec_recent"])]
        parts = [w["sep_inner"].join(p for p in head if p)]
        parts.append(_level(r.get("aov", np.nan), w["aov_high"], w["aov_low"]))
        if "price_position" in profile.columns:
            pp = float(profile["price_position"].iloc[i])
            if pp < CHEAP:
                parts.append(w["cheap"].format(p=f"{1 - pp:.0%}"))
            elif pp > PREMIUM:
                parts.append(w["premium"].format(p=f"{pp - 1:.0%}"))
        parts += [cat[i], chan[i]]
        parts.append(_level(r.get("tenure_days", np.nan), w["tenure_long"], w["tenure_new"]))
        parts.append(_level(r.get("engagement", np.nan), w["eng_high"], w["eng_low"]))
        for name in ("age_band", *(f"top_{c}" for c in DEMOGRAPHICS)):
            if name not in profile.columns or pd.isna(profile[name].iloc[i]):
                continue
            share = float(profile[f"{name}_share"].iloc[i])
            base = float(profile[f"{name}_overall_share"].iloc[i])
            if share >= DEMOGRAPHIC_MIN and share - base >= DEMOGRAPHIC_LIFT:
                parts.append(w[name].format(v=profile[name].iloc[i], p=f"{share:.0%}"))
        if np.isfinite(csat_all) and pd.notna(profile["csat"].iloc[i]):
            c = float(profile["csat"].iloc[i])
            if c - csat_all >= CSAT_GAP:
                parts.append(w["csat_high"].format(v=c))
            elif csat_all - c >= CSAT_GAP:
                parts.append(w["csat_low"].format(v=c))
        lines.append(w["sep"].join(p for p in parts if p))
    return pd.Series(lines, index=pd.Index(profile["cluster"], name="cluster"),
                     name="description", dtype="str")


def cluster_label(n: int, language: str = "zh") -> str:
    """Display name of cluster ``n``: "群 1" / "Cluster 1"."""
    return ("群 {n}" if _language(language) == "zh" else "Cluster {n}").format(n=int(n))
