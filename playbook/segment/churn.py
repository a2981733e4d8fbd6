"""Churn risk: who of the active customers will buy nothing in the next period.

Definitions (``c`` is a cutoff: the last day whose data a feature may see, e.g. a period's end;
"day" is the calendar day of a timestamp, ``days_ago = c - day``)

- **Population** at ``c``: customers with at least one purchase in ``(c - active_days, c]``,
  i.e. ``days_ago`` in ``0 .. active_days - 1`` (default 365). Only they are scored.
- **Label** of the window ``(c, c + horizon_days]``: ``churned = 1`` when the customer makes no
  purchase on days ``c + 1 .. c + horizon_days`` (a purchase on day ``c + horizon_days`` counts
  as staying; one on day ``c`` is history, not the label). A period plan labels a cutoff by the
  next period: ``(c, next period end]``.
- **Features** use only purchases with ``day <= c`` (a purchase on ``c + 1`` never leaks);
  the row order of the input does not matter (sums may differ in the last float digit):

  ======================  =====================================================================
  recency_days            ``c`` minus the day of the last purchase (0 = bought on ``c``)
  frequency_365           purchases with ``days_ago < 365`` (the window ``(c - 365, c]``)
  monetary_365            sum of their amounts
  aov_365                 monetary_365 / frequency_365 (NaN when 0 purchases in the window)
  frequency_90            purchases with ``days_ago < 90``
  frequency_prev_90       purchases with ``90 <= days_ago < 180`` (the window ``(c-180, c-90]``)
  trend                   frequency_90 - frequency_prev_90
  n_purchases             every purchase up to ``c``
  tenure_days             ``c`` minus the day of the first purchase
  ipt_mean                mean gap in days between consecutive purchases (days sorted; two
                          purchases on one day make a gap of 0) = (last - first) / (n - 1);
                          NaN with fewer than 2 purchases
  ipt_std                 sample standard deviation (ddof 1) of those gaps; NaN with fewer than
                          3 purchases (fewer than 2 gaps)
  recency_ratio           recency_days / ipt_mean (NaN when ipt_mean is NaN or 0)
  complaints_365          complaints with ``opened_at`` in ``(c - 365, c]`` (only when
                          complaints are given; 0 for customers without any)
  nps_last                the NPS (0-10) of the latest response with ``response_date <= c``
                          and an NPS (ties on the same timestamp: the later row)
  csat_mean_365           mean CSAT of responses with ``response_date`` in ``(c - 365, c]``
  ======================  =====================================================================

  The feedback features exist only when feedback is given and has the ``nps`` / ``csat``
  column; NaN for customers without responses. ``extra`` (a frame indexed by customer_id, e.g.
  P(alive) of the CLV model fitted at the same cutoff) is left-joined column by column.

- **Out-of-time design** (``cutoff_plan``): the scored period P (``as_of`` = its end). The
  validation cutoff is the end of P-1, labelled by P itself (fully observed). Training cutoffs
  are the ends of P-2 .. P-(n+1), each labelled by its next period, so every training label
  window ends on or before the validation cutoff (no leakage). ``fit_out_of_time`` fits on the
  training rows, reports validation metrics for the model and a logistic-regression baseline,
  then refits the model on training + validation rows; that model scores the features at
  ``as_of`` (probability of no purchase in P+1).
- **Models** (``ChurnModel``): ``hgb`` = HistGradientBoostingClassifier (200 iterations,
  learning rate 0.08, no early stopping; handles NaN itself); ``logistic`` = signed log1p
  ``sign(x) * log(1 + |x|)`` of every feature, median imputation, standardisation and
  LogisticRegression. Beyond ``max_train_rows`` rows a class-stratified random sample (seeded)
  is used.
- **Metrics** (``evaluate``): ROC AUC, PR AUC (average precision), base rate (share churned)
  and top-decile lift = churn rate of the ``ceil(n / 10)`` customers with the highest
  probability (ties: input order) divided by the base rate. ``lift_table`` cuts the same
  ranking into ``bins`` groups: rank ``r`` (0 = riskiest) goes to group ``floor(r * bins / n) + 1``.
- **Importance**: permutation importance on the validation rows (at most ``importance_rows``,
  seeded sample): the mean drop of validation ROC AUC over 3 shuffles of one feature.
- **Value at risk**: ``expected_loss = clv x churn_probability`` (missing CLV counts as 0).
  ``top_at_risk`` keeps customers whose value is at least the ``min_value_quantile`` quantile
  (linear interpolation, default 0.8 = the top quintile) and ranks them by expected loss.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from ..errors import ParameterError
from ..periods import Period
from .checks import whole_number

PURCHASE_FEATURES = (
    "recency_days", "frequency_365", "monetary_365", "aov_365", "frequency_90",
    "frequency_prev_90", "trend", "n_purchases", "tenure_days", "ipt_mean", "ipt_std",
    "recency_ratio",
)
KINDS = ("hgb", "logistic")
METRICS = ("auc", "pr_auc", "top_decile_lift", "base_rate", "n")

_FEATURE_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "recency_days": "距上次购买天数", "frequency_365": "近365天购买次数",
        "monetary_365": "近365天消费额", "aov_365": "近365天客单价",
        "frequency_90": "近90天购买次数", "frequency_prev_90": "前一个90天购买次数",
        "trend": "购买次数变化(近90天-前90天)", "n_purchases": "累计购买次数",
        "tenure_days": "客户年龄(天)", "ipt_mean": "平均购买间隔(天)",
        "ipt_std": "购买间隔标准差(天)", "recency_ratio": "沉默天数/平均间隔",
        "complaints_365": "近365天投诉数", "nps_last": "最近一次NPS",
        "csat_mean_365": "近365天平均满意度", "p_alive": "存活概率",
    },
    "en": {
        "recency_days": "Days since last purchase", "frequency_365": "Purchases, last 365 d",
        "monetary_365": "Spend, last 365 d", "aov_365": "Average order value, 365 d",
        "frequency_90": "Purchases, last 90 d", "frequency_prev_90": "Purchases, prior 90 d",
        "trend": "Purchase trend (90 d vs prior 90 d)", "n_purchases": "Purchases, all time",
        "tenure_days": "Tenure (days)", "ipt_mean": "Mean days between purchases",
        "ipt_std": "Std of days between purchases", "recency_ratio": "Recency / mean gap",
        "complaints_365": "Complaints, last 365 d", "nps_last": "Latest NPS",
        "csat_mean_365": "Mean CSAT, last 365 d", "p_alive": "P(alive)",
    },
}


def feature_label(code: str, language: str = "zh") -> str:
    """Display name of a feature code (unknown codes, e.g. extra columns, are returned as is)."""
    if language not in _FEATURE_LABELS:
        raise ParameterError("language", "zh or en", language)
    return _FEATURE_LABELS[language].get(code, code)


# --------------------------------------------------------------------------------------------
# day arithmetic


def _day(ts: object) -> int:
    """Days since 1970-01-01 of a timestamp's calendar day."""
    return int(np.datetime64(pd.Timestamp(ts).normalize().date(), "D").astype(np.int64))


def _days(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each timestamp's calendar day (NaT -> a huge sentinel)."""
    values = pd.to_datetime(dates)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    raw = values.to_numpy().astype("datetime64[D]")
    out = raw.astype(np.int64)
    out[np.isnat(raw)] = np.iinfo(np.int64).max // 2  # after every cutoff: never counted
    return out


def _check_int(name: str, value: object, low: int = 1) -> int:
    return whole_number(name, value, low, f"an integer >= {low}")


def _check_purchases(purchases: pd.DataFrame) -> None:
    need = {"customer_id", "order_date", "amount"}
    if not isinstance(purchases, pd.DataFrame) or need - set(purchases.columns):
        raise ParameterError("purchases", "a purchases frame with customer_id, order_date and "
                             "amount (playbook.purchases.purchases output)",
                             type(purchases).__name__ if not isinstance(purchases, pd.DataFrame)
                             else f"a frame with columns {list(purchases.columns)}")


# --------------------------------------------------------------------------------------------
# population, features and labels


@dataclass(frozen=True)
class _History:
    """Purchases up to a cutoff, by customer code: codes, days_ago, amount; ids per code."""

    codes: np.ndarray
    days_ago: np.ndarray
    amount: np.ndarray
    ids: np.ndarray


def _history(purchases: pd.DataFrame, cutoff: object) -> _History:
    _check_purchases(purchases)
    c = _day(cutoff)
    day = _days(purchases["order_date"])
    keep = day <= c
    ids = purchases["customer_id"][keep]
    if ids.dtype != "str":
        ids = ids.astype("str")
    codes, uniques = pd.factorize(ids, sort=True)  # codes in customer_id order; NA -> -1
    known = codes >= 0
    amount = purchases["amount"].to_numpy(dtype="float64", na_value=0.0)[keep]
    return _History(codes=codes[known].astype(np.int64),
                    days_ago=(c - day[keep][known]).astype(np.int64), amount=amount[known],
                    ids=np.asarray(uniques, dtype=object))


def _population_codes(h: _History, active_days: int) -> np.ndarray:
    """Codes of active customers, ordered by customer_id."""
    n = len(h.ids)
    recent = np.bincount(h.codes, weights=h.days_ago < active_days, minlength=n) > 0
    return np.flatnonzero(recent)


def churn_population(purchases: pd.DataFrame, cutoff: object,
                     active_days: int = 365) -> pd.Index:
    """Customers with at least one purchase in ``(cutoff - active_days, cutoff]``, sorted."""
    active_days = _check_int("active_days", active_days)
    h = _history(purchases, cutoff)
    return pd.Index(h.ids[_population_codes(h, active_days)], dtype="str", name="customer_id")


def _purchase_features(h: _History, codes: np.ndarray) -> dict[str, np.ndarray]:
    n = len(h.ids)

    def count(mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        w = weights if mask is None else (mask if weights is None else weights * mask)
        return np.bincount(h.codes, weights=w, minlength=n)[codes]

    ago = h.days_ago
    f365 = count(ago < 365)
    m365 = count(ago < 365, h.amount)
    f90 = count(ago < 90)
    fprev = count((ago >= 90) & (ago < 180))
    total = count()
    # order each customer's purchases by day (skip the sort when already in that order)
    key_c, key_d = h.codes, -ago
    ordered = len(key_c) < 2 or bool(np.all((key_c[1:] > key_c[:-1])
                                            | ((key_c[1:] == key_c[:-1])
                                               & (key_d[1:] >= key_d[:-1]))))
    if not ordered:
        order = np.argsort(key_c * (int(ago.max()) + 1) - ago)
        key_c, key_d = key_c[order], key_d[order]
    same = key_c[1:] == key_c[:-1]
    gaps = np.diff(key_d).astype("float64")[same]
    gap_c = key_c[1:][same]
    last = -np.full(n, np.iinfo(np.int64).max // 2)
    first = np.full(n, np.iinfo(np.int64).max // 2)
    if len(key_c):
        starts = np.flatnonzero(np.r_[True, ~same])
        ends = np.r_[starts[1:] - 1, len(key_c) - 1]
        first[key_c[starts]] = key_d[starts]
        last[key_c[ends]] = key_d[ends]
    n_gaps = np.bincount(gap_c, minlength=n)[codes].astype("float64")
    sum_g = np.bincount(gap_c, weights=gaps, minlength=n)[codes]
    sum_g2 = np.bincount(gap_c, weights=gaps * gaps, minlength=n)[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        ipt_mean = np.where(n_gaps >= 1, sum_g / n_gaps, np.nan)
        var = (sum_g2 - sum_g * sum_g / n_gaps) / (n_gaps - 1)
        ipt_std = np.where(n_gaps >= 2, np.sqrt(np.clip(var, 0, None)), np.nan)
        recency = (-last[codes]).astype("float64")
        ratio = np.where(ipt_mean > 0, recency / ipt_mean, np.nan)
        aov = np.where(f365 > 0, m365 / f365, np.nan)
    return {
        "recency_days": recency.astype("int64"), "frequency_365": f365.astype("int64"),
        "monetary_365": m365, "aov_365": aov, "frequency_90": f90.astype("int64"),
        "frequency_prev_90": fprev.astype("int64"), "trend": (f90 - fprev).astype("int64"),
        "n_purchases": total.astype("int64"),
        "tenure_days": (-first[codes]).astype("int64"), "ipt_mean": ipt_mean,
        "ipt_std": ipt_std, "recency_ratio": ratio,
    }


def _events(frame: pd.DataFrame, date_column: str, name: str, c: int,
            window: int | None) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with ``day <= c`` (and ``days_ago < window``), their days_ago; ids as str."""
    if not isinstance(frame, pd.DataFrame) or not {"customer_id", date_column} <= set(frame):
        raise ParameterError(name, f"a frame with customer_id and {date_column}",
                             type(frame).__name__ if not isinstance(frame, pd.DataFrame)
                             else f"a frame with columns {list(frame.columns)}")
    ago = c - _days(frame[date_column])
    keep = ago >= 0
    if window is not None:
        keep &= ago < window
    rows = frame.loc[keep]
    return rows.assign(customer_id=rows["customer_id"].astype("str")), ago[keep]


def churn_features(purchases: pd.DataFrame, cutoff: object, active_days: int = 365,
                   complaints: pd.DataFrame | None = None,
                   feedback: pd.DataFrame | None = None,
                   extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per active customer at ``cutoff`` (index customer_id, sorted) with the features
    of the module docstring, built only from data on or before ``cutoff``."""
    active_days = _check_int("active_days", active_days)
    c = _day(cutoff)
    h = _history(purchases, cutoff)
    codes = _population_codes(h, active_days)
    index = pd.Index(h.ids[codes], dtype="str", name="customer_id")
    out = pd.DataFrame(_purchase_features(h, codes), index=index)
    if complaints is not None:
        rows, _ = _events(complaints, "opened_at", "complaints", c, 365)
        counts = rows.groupby("customer_id").size()
        out["complaints_365"] = counts.reindex(index, fill_value=0).astype("int64").to_numpy()
    if feedback is not None:
        rows, ago = _events(feedback, "response_date", "feedback", c, None)
        if "nps" in rows.columns:
            nps = rows.assign(_t=pd.to_datetime(rows["response_date"]),
                              nps=pd.to_numeric(rows["nps"], errors="coerce"))
            nps = nps[nps["nps"].notna()].sort_values("_t", kind="stable")
            last = nps.groupby("customer_id")["nps"].last()
            out["nps_last"] = last.reindex(index).astype("float64").to_numpy()
        if "csat" in rows.columns:
            recent = rows.loc[ago < 365]
            csat = pd.to_numeric(recent["csat"], errors="coerce")
            mean = csat.groupby(recent["customer_id"]).mean()
            out["csat_mean_365"] = mean.reindex(index).astype("float64").to_numpy()
    if extra is not None:
        if not isinstance(extra, pd.DataFrame):
            raise ParameterError("extra", "a DataFrame indexed by customer_id",
                                 type(extra).__name__)
        clash = sorted(set(extra.columns) & set(out.columns))
        if clash:
            raise ParameterError("extra", "a frame whose columns are not feature names",
                                 f"a frame with columns {clash}")
        ext = extra.copy()
        ext.index = ext.index.astype("str")
        out = out.join(ext, how="left")
    return out


def churn_labels(purchases: pd.DataFrame, cutoff: object, horizon_days: int,
                 population: pd.Index | Sequence[str]) -> pd.Series:
    """``churned`` per customer of ``population``: 1 when no purchase on days
    ``cutoff + 1 .. cutoff + horizon_days``, else 0 (int64, indexed by customer_id)."""
    _check_purchases(purchases)
    horizon_days = _check_int("horizon_days", horizon_days)
    ahead = _days(purchases["order_date"]) - _day(cutoff)
    window = (ahead >= 1) & (ahead <= horizon_days)
    buyers = pd.Index(purchases["customer_id"][window].astype("str").unique())
    index = pd.Index(population, dtype="str", name="customer_id")
    churned = buyers.get_indexer(index) < 0  # get_indexer: far faster than isin on str
    return pd.Series(churned.astype("int64"), index=index, name="churned")


def cutoff_plan(period: Period, n_training: int = 4) -> dict:
    """The cutoffs of the out-of-time design for ``period`` (see the module docstring).

    Returns ``score`` (the period's end), ``validation`` (the previous period's end),
    ``training`` (the ends of the n periods before that, newest first), ``horizons``
    {cutoff: days from the cutoff to the next period's end} and ``windows``
    {cutoff: (first, last) day of its label window}, for the score cutoff too (its window is the
    next, not yet observed, period).
    """
    if not isinstance(period, Period):
        raise ParameterError("period", "a playbook.periods.Period", type(period).__name__)
    n_training = _check_int("n_training", n_training)
    ends = {k: period.shift(-k).end for k in range(-1, n_training + 2)}
    cutoffs = [ends[k] for k in range(0, n_training + 2)]
    horizons = {ends[k]: int((ends[k - 1] - ends[k]).days) for k in range(0, n_training + 2)}
    windows = {c: (c + pd.Timedelta(days=1), c + pd.Timedelta(days=horizons[c]))
               for c in cutoffs}
    return {"score": ends[0], "validation": ends[1],
            "training": [ends[k] for k in range(2, n_training + 2)],
            "horizons": horizons, "windows": windows}


# --------------------------------------------------------------------------------------------
# models


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _matrix(X: pd.DataFrame, columns: Sequence[str] | None = None) -> np.ndarray:
    if not isinstance(X, pd.DataFrame):
        raise ParameterError("X", "a DataFrame of features", type(X).__name__)
    if columns is not None:
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise ParameterError("X", f"a frame with the fitted features {list(columns)}",
                                 f"a frame without {missing}")
        X = X[list(columns)]
    try:
        arr = X.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        bad = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c])
                                            or pd.api.types.is_bool_dtype(X[c]))]
        raise ParameterError("X", "numeric or boolean feature columns",
                             f"non-numeric columns {bad}") from None
    infinite = np.isinf(arr)
    if infinite.any():
        arr = arr.copy()
        arr[infinite] = np.nan
    return arr


def _labels(y: object, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or len(arr) != n or not np.isin(arr, (0, 1)).all():
        raise ParameterError("y", f"{n} labels of 0 (stayed) or 1 (churned)",
                             f"{len(arr)} values {np.unique(arr)[:5].tolist()}")
    return arr.astype("int64")


def _stratified_sample(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of about ``k`` rows keeping the share of each class (all when fewer)."""
    n = len(y)
    if n <= k:
        return np.arange(n)
    parts = []
    for cls in (0, 1):
        pos = np.flatnonzero(y == cls)
        take = round(len(pos) * k / n)
        parts.append(rng.choice(pos, size=take, replace=False))
    return np.sort(np.concatenate(parts))


class ChurnModel:
    """P(churn) from the churn features: ``kind`` "hgb" (gradient boosting) or "logistic".

    ``fit(X, y)`` learns ``model_`` (the sklearn estimator), ``feature_names_`` (X's columns)
    and ``n_train_`` (rows used, at most ``max_train_rows``); ``predict_proba(X)`` returns a 1-d
    array of churn probabilities in X's row order. ``n_threads`` caps the OpenMP/BLAS threads
    while fitting and predicting (None: the library default, every core). The default 1 suits
    units run in parallel processes: oversubscribed OpenMP slows gradient boosting by 4x or
    more, while a second thread saves at most half the time. Results do not depend on it.
    """

    def __init__(self, kind: str = "hgb", random_state: int = 0,
                 max_train_rows: int = 300_000, n_threads: int | None = 1):
        self.kind = kind
        self.random_state = random_state
        self.max_train_rows = max_train_rows
        self.n_threads = n_threads

    def _threads(self):
        if self.n_threads is None:
            return nullcontext()
        return threadpool_limits(limits=_check_int("n_threads", self.n_threads))

    def _estimator(self):
        if self.kind == "hgb":
            return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.08,
                                                  early_stopping=False,
                                                  random_state=self.random_state)
        return Pipeline([
            ("log", FunctionTransformer(_signed_log1p)),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("logit", LogisticRegression(max_iter=1000)),
        ])

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> ChurnModel:
        if self.kind not in KINDS:
            raise ParameterError("kind", "hgb or logistic", self.kind)
        _check_int("max_train_rows", self.max_train_rows, low=2)
        arr = _matrix(X)
        labels = _labels(y, len(arr))
        if len(np.unique(labels)) < 2:
            raise ParameterError("y", "labels with both 0 (stayed) and 1 (churned)",
                                 f"only {np.unique(labels).tolist()}")
        rng = np.random.default_rng(self.random_state)
        rows = _stratified_sample(labels, self.max_train_rows, rng)
        with self._threads():
            self.model_ = self._estimator().fit(arr[rows], labels[rows])
        self.feature_names_ = [str(c) for c in X.columns]
        self.n_train_ = int(len(rows))
        return self

    def _predict(self, arr: np.ndarray) -> np.ndarray:
        if len(arr) == 0:
            return np.empty(0)
        with self._threads():
            return self.model_.predict_proba(arr)[:, 1]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise ParameterError("model", "a fitted ChurnModel (call fit first)", "unfitted")
        return self._predict(_matrix(X, self.feature_names_))


def churn_probability(model: ChurnModel, X: pd.DataFrame) -> pd.Series:
    """``model.predict_proba(X)`` as a Series ``churn_probability`` indexed like X."""
    return pd.Series(model.predict_proba(X), index=X.index, name="churn_probability")


# --------------------------------------------------------------------------------------------
# metrics


def _ranked(y_true: object, p: object) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype="float64")
    score = np.asarray(p, dtype="float64")
    if y.shape != score.shape or y.ndim != 1:
        raise ParameterError("p", f"one probability per label ({y.size})", f"{score.size} values")
    order = np.argsort(-score, kind="stable")
    return y[order], score[order]


def evaluate(y_true: pd.Series | np.ndarray, p: pd.Series | np.ndarray) -> dict[str, float]:
    """auc, pr_auc, top_decile_lift, base_rate and n of probabilities ``p`` against 0/1 labels
    (NaN where undefined: no rows, or a single class)."""
    y, score = _ranked(y_true, p)
    n = len(y)
    nan = float("nan")
    if n == 0:
        return {"auc": nan, "pr_auc": nan, "top_decile_lift": nan, "base_rate": nan, "n": 0}
    base = float(y.mean())
    both = 0 < base < 1
    top = y[: math.ceil(n / 10)]
    return {
        "auc": float(roc_auc_score(y, score)) if both else nan,
        "pr_auc": float(average_precision_score(y, score)) if both else nan,
        "top_decile_lift": float(top.mean() / base) if base > 0 else nan,
        "base_rate": base,
        "n": int(n),
    }


def lift_table(y_true: pd.Series | np.ndarray, p: pd.Series | np.ndarray,
               bins: int = 10) -> pd.DataFrame:
    """Customers ranked by ``p`` (riskiest first) cut into ``bins`` equal groups: decile (1 =
    riskiest), customers, churned, churn_rate, mean_probability, lift (churn_rate / base rate)."""
    bins = _check_int("bins", bins)
    y, score = _ranked(y_true, p)
    n = len(y)
    columns = ["decile", "customers", "churned", "churn_rate", "mean_probability", "lift"]
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    group = np.arange(n) * bins // n + 1
    frame = pd.DataFrame({"decile": group, "y": y, "p": score})
    out = frame.groupby("decile").agg(customers=("y", "size"), churned=("y", "sum"),
                                      churn_rate=("y", "mean"), mean_probability=("p", "mean"))
    out = out.reset_index()
    base = y.mean()
    out["churned"] = out["churned"].astype("int64")
    out["lift"] = out["churn_rate"] / base if base > 0 else np.nan
    return out[columns]


# --------------------------------------------------------------------------------------------
# the out-of-time fit


@dataclass
class ChurnFit:
    """What ``fit_out_of_time`` returns (fields also readable as ``fit["metrics"]``).

    model: ChurnModel refitted on training + validation rows (score ``as_of`` features with it);
        of the requested kind, or the logistic baseline when that validated better
    scoring_kind: the kind of ``model``
    metrics: {"model": {...}, "baseline": {...}}, each {"kind", *METRICS} on the validation
        rows (``pd.DataFrame(fit.metrics).T`` makes a table)
    lift: lift_table of the model on the validation rows
    importance: feature, importance (mean drop of validation AUC), std; largest first
    validation: per validation customer (index customer_id): y (churned 0/1), p_model,
        p_baseline
    n_training_rows: training rows available (before sampling); n_validation_rows
    """

    model: ChurnModel
    scoring_kind: str
    metrics: dict[str, dict[str, object]]
    lift: pd.DataFrame
    importance: pd.DataFrame
    validation: pd.DataFrame
    n_training_rows: int
    n_validation_rows: int

    def __getitem__(self, key: str) -> object:
        return getattr(self, key)


def _stack(frames: Sequence[tuple[pd.DataFrame, pd.Series]], columns: list[str], k: int,
           rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Frames stacked after a class-stratified sample of about ``k`` rows in all (each frame
    gives its share), so that no more than ``k`` rows are ever copied."""
    total = sum(len(X) for X, _ in frames)
    parts, labels = [], []
    for X, y in frames:
        if len(X) == 0:
            continue
        if list(X.columns) != columns:
            raise ParameterError("frames", f"feature frames with the columns {columns}",
                                 f"a frame with columns {list(X.columns)}")
        lab = _labels(y, len(X))
        rows = _stratified_sample(lab, max(1, round(len(X) * k / total)), rng)
        parts.append(X.iloc[rows])
        labels.append(lab[rows])
    if not parts:
        raise ParameterError("frames", "at least one non-empty training frame", "none")
    return pd.concat(parts), np.concatenate(labels)


def _permutation_importance(model: ChurnModel, X: pd.DataFrame, y: np.ndarray, rows: int,
                            random_state: int, repeats: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(random_state)
    pos = _stratified_sample(y, rows, rng)
    arr, lab = _matrix(X, model.feature_names_)[pos], y[pos]
    base = evaluate(lab, model._predict(arr))["auc"]
    drops = np.full((arr.shape[1], repeats), np.nan)
    for j in range(arr.shape[1]):  # loops over features and repeats, not customers
        for r in range(repeats):
            shuffled = arr.copy()
            shuffled[:, j] = shuffled[rng.permutation(len(shuffled)), j]
            drops[j, r] = base - evaluate(lab, model._predict(shuffled))["auc"]
    out = pd.DataFrame({"feature": model.feature_names_, "importance": drops.mean(axis=1),
                        "std": drops.std(axis=1)})
    return out.sort_values(["importance", "feature"], ascending=[False, True],
                           ignore_index=True)


def fit_out_of_time(training: Sequence[tuple[pd.DataFrame, pd.Series]],
                    validation: tuple[pd.DataFrame, pd.Series], kind: str = "hgb",
                    random_state: int = 0, max_train_rows: int = 300_000,
                    importance_rows: int = 20_000, n_threads: int | None = 1) -> ChurnFit:
    """Fit on the training cutoffs' (X, y), validate on the validation cutoff's (X, y) against a
    logistic baseline, then refit the model on training + validation (see the module docstring).

    All frames need the same feature columns; rows beyond ``max_train_rows`` are sampled
    (class-stratified, seeded). Empty training frames (cutoffs before the data) are skipped.
    ``n_threads`` as in ``ChurnModel``.
    """
    if kind not in KINDS:
        raise ParameterError("kind", "hgb or logistic", kind)
    max_train_rows = _check_int("max_train_rows", max_train_rows, low=2)
    importance_rows = _check_int("importance_rows", importance_rows, low=2)
    X_val, y_val = validation
    columns = [str(c) for c in X_val.columns]
    y_v = _labels(y_val, len(X_val))
    rng = np.random.default_rng(random_state)
    X_tr, y_tr = _stack(training, columns, max_train_rows, rng)
    model = ChurnModel(kind, random_state, max_train_rows, n_threads).fit(X_tr, y_tr)
    baseline = ChurnModel("logistic", random_state, max_train_rows, n_threads).fit(X_tr, y_tr)
    p_model, p_base = model.predict_proba(X_val), baseline.predict_proba(X_val)
    metrics = {"model": {"kind": kind, **evaluate(y_v, p_model)},
               "baseline": {"kind": "logistic", **evaluate(y_v, p_base)}}
    importance = _permutation_importance(model, X_val, y_v, importance_rows, random_state)
    X_all, y_all = _stack([*training, (X_val, y_v)], columns, max_train_rows, rng)
    # the final model is whichever validated better out of time (a tie keeps ``kind``)
    scoring_kind = kind if metrics["model"]["auc"] >= metrics["baseline"]["auc"] else "logistic"
    final = ChurnModel(scoring_kind, random_state, max_train_rows, n_threads).fit(X_all, y_all)
    valid = pd.DataFrame({"y": y_v, "p_model": p_model, "p_baseline": p_base},
                         index=X_val.index)
    return ChurnFit(model=final, scoring_kind=scoring_kind, metrics=metrics,
                    lift=lift_table(y_v, p_model),
                    importance=importance, validation=valid,
                    n_training_rows=int(sum(len(X) for X, _ in training)),
                    n_validation_rows=int(len(X_val)))


# --------------------------------------------------------------------------------------------
# value at risk


def expected_loss(probability: pd.Series, clv: pd.Series) -> pd.Series:
    """``clv x probability`` per customer of ``probability``'s index (missing CLV -> 0)."""
    value = clv.reindex(probability.index).astype("float64").fillna(0.0)
    return (probability.astype("float64") * value).rename("expected_loss")


def top_at_risk(scored: pd.DataFrame, n: int = 20, min_value_quantile: float = 0.8,
                value: str | None = None, keep: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``n`` valuable customers with the largest expected loss.

    ``scored`` has ``churn_probability``, a value column (``value``; by default ``clv`` when
    present, else ``monetary_365``) and the customer ids as a ``customer_id`` column or else as
    its index. Customers whose value
    is at least its ``min_value_quantile`` quantile are ranked by expected_loss = value x
    churn_probability (ties: customer_id). Columns: customer_id, churn_probability, the value
    column, expected_loss, then ``keep`` (default: every text/category column of ``scored``,
    e.g. segment labels).
    """
    n = _check_int("n", n)
    q = min_value_quantile
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q < 1:
        raise ParameterError("min_value_quantile", "a number in [0, 1)", q)
    if value is None:
        value = "clv" if "clv" in scored.columns else "monetary_365"
    for col in ("churn_probability", value):
        if col not in scored.columns:
            raise ParameterError("scored", f"a frame with churn_probability and {value}",
                                 f"a frame with columns {list(scored.columns)}")
    ids = scored["customer_id"] if "customer_id" in scored.columns else scored.index.to_series()
    if keep is None:
        keep = [c for c in scored.columns if c not in ("churn_probability", value, "customer_id")
                and not pd.api.types.is_numeric_dtype(scored[c])
                and not pd.api.types.is_bool_dtype(scored[c])]
    worth = scored[value].astype("float64")
    threshold = worth.quantile(q) if worth.notna().any() else np.inf
    mask = (worth >= threshold).to_numpy()
    chosen = scored.loc[mask]
    out = pd.DataFrame({
        "customer_id": ids[mask].astype("str").to_numpy(),
        "churn_probability": chosen["churn_probability"].astype("float64").to_numpy(),
        value: chosen[value].astype("float64").to_numpy(),
    })
    out["expected_loss"] = out["churn_probability"] * out[value].fillna(0.0)
    for col in keep:
        out[col] = chosen[col].to_numpy()
    out = out.sort_values(["expected_loss", "customer_id"], ascending=[False, True],
                          kind="stable")
    return out.head(n).reset_index(drop=True)


__all__ = [
    "KINDS", "METRICS", "PURCHASE_FEATURES", "ChurnFit", "ChurnModel", "churn_features",
    "churn_labels", "churn_population", "churn_probability", "cutoff_plan", "evaluate",
    "expected_loss", "feature_label", "fit_out_of_time", "lift_table", "top_at_risk",
]
