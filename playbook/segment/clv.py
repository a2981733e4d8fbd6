"""Predictive customer lifetime value: the BG/NBD purchase model, the Gamma-Gamma spend model
and their discounted combination, written from the published formulas with scipy.

References: Fader, Hardie & Lee (2005a) "'Counting Your Customers' the Easy Way: An Alternative to
the Pareto/NBD Model" (BG/NBD); Fader, Hardie & Lee (2005b) "RFM and CLV: Using Iso-Value
Curves for Customer Base Analysis" (Gamma-Gamma); Fader & Hardie (2013) "Overcoming the BG/NBD
Model's #NUM! Error Problem". Fitted on the CDNOW sample (2,357 customers, 39-week calibration)
this module reproduces the published BG/NBD estimates to 1e-5 and the Gamma-Gamma ones to 3e-4
(FH fitted the spend model on means rounded to cents); see tests/test_clv.py.

The customer summary (``rfm_summary``)
---------------------------------------
Purchases are first folded to one *purchase day* per customer and calendar day (the amounts of
that day are added up): two orders on the same day are one purchase. Times are measured in units
of ``time_unit_days`` days (7 = weeks, the default). With ``calibration_end`` the last day
included (an order counts when its date < calibration_end + 1 day), for each customer:

- ``first`` = the customer's first purchase day (over all purchases given);
- ``frequency`` x = number of purchase days in the calibration period after the first one
  (repeat purchases; a one-time buyer has x = 0);
- ``recency`` t_x = (last calibration purchase day − first day) / time_unit_days (0 when x = 0);
- ``T`` = (calibration_end − first day) / time_unit_days: the customer's age at the end of the
  calibration period. A customer whose first purchase is on 1997-01-01 has T = 272 / 7 = 38.86
  weeks at 1997-09-30: the convention of the CDNOW files of Fader & Hardie (the papers call it
  "the end of week 39") and of the playbook's day counts (``as_of − date``);
- ``monetary_value`` = mean amount of the x repeat purchase days (the first day is left out, as
  in the Gamma-Gamma papers); 0 when x = 0.

Only customers whose first purchase day is ≤ calibration_end (and ≥ ``observation_start`` when
given: a cohort of customers acquired in [observation_start, calibration_end]; customers who had
bought before observation_start are left out, not re-started) are summarised. With
``holdout_end``, purchases in (calibration_end, holdout_end] give ``frequency_holdout`` (purchase
days), ``monetary_holdout`` (their mean amount, 0 when none) and ``duration_holdout`` =
(holdout_end − calibration_end) / time_unit_days. Purchases after holdout_end are ignored.

The BG/NBD model (``BetaGeoFitter``)
-------------------------------------
While alive a customer buys at Poisson rate λ ~ Gamma(r, α) (shape r, rate α); after each repeat
purchase he dies with probability p ~ Beta(a, b). The log-likelihood of one customer is

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
           + ln( (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) )

(the last term evaluated with ``logaddexp``: no overflow for large x or T). ``log_likelihood_`` is
the sum over customers, with no constant added (FHL report −9,582.43 on CDNOW). Maximum
likelihood runs L-BFGS-B with the analytic gradient on the logarithms of the parameters, on the
distinct (x, t_x, T) triples weighted by their counts, then restarts once from its optimum;
when the gradient is still not ~0 (max |∂/∂ln θ| of the mean log-likelihood ≥ 1e-6), Nelder-Mead
then L-BFGS-B again. ``converged_`` records whether that gradient test passed in the end.
``penalizer_coef`` adds coef · (r² + α² + a² + b²) to the *mean* negative log-likelihood (as the
``lifetimes`` package does); 0 by default.

- ``conditional_probability_alive`` = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x));
  a customer without repeat purchase is alive with probability 1 under the BG/NBD.
- ``expected_purchases(t)`` = E[X(t)] for a new customer = U(t; r, α, a, b) with
  U(t; r, α, a, b) = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))].
- ``conditional_expected_purchases(t, x, t_x, T)`` = E[purchases in (T, T+t] | x, t_x, T]
  = P(alive) · U(t; r+x, α+T, a, b+x). ₂F₁ is evaluated after Euler's transformation
  (1−z)^(r) ₂F₁(r, b; c; z) = (1−z)^(a−1) ₂F₁(a−1, c−r; c; z) with c = a+b−1, so that its
  arguments do not grow with x (Fader & Hardie 2013). a = 1 is a removable singularity: for
  |a − 1| < 1e-2 and t ≤ 100·α (where the closed form would lose digits), and wherever ₂F₁
  fails, U is computed by Gauss-Jacobi quadrature (120 nodes) of E_p[(1 − (α/(α+p·t))^r) / p]
  over p ~ Beta(a, b); for larger t the closed form at a ± 1e-6 (|a − 1| < 1e-6) is used.

The Gamma-Gamma model (``GammaGammaFitter``)
---------------------------------------------
Each repeat purchase amount z ~ Gamma(p, ν) with ν ~ Gamma(q, γ) across customers; the mean m̄ of
x amounts has density Γ(px+q)/(Γ(px)Γ(q)) · γ^q · x^(px) · m̄^(px−1) / (γ + x·m̄)^(px+q). Fitted on
customers with x > 0 and m̄ > 0 (others are left out of the fit); ``log_likelihood_`` is the sum
of the log densities above, all terms included (FHL 2005b report −4,055.92 on CDNOW's 946 repeat
buyers). The expected average purchase value is p(γ + x·m̄)/(px + q − 1) for x > 0 and the
population mean pγ/(q − 1) for x = 0 (NaN when the denominator is ≤ 0, i.e. q ≤ 1 for x = 0).

CLV (``predict_clv``)
----------------------
A month is 30.4375 days; t_m = m · 30.4375 / time_unit_days model units. With E_m the conditional
expected purchases by the end of month m (E_0 = 0), the monthly rate i = (1 + annual rate)^(1/12)
− 1 and v the expected average purchase value:

    clv = Σ_{m=1..H} (E_m − E_{m−1}) · v / (1 + i)^m.

``holdout_validation`` compares, per calibration frequency (0, 1, …, ``max_frequency``+), the mean
holdout purchase days with the mean conditional expectation over ``duration_holdout``;
``validation_metrics`` gives the totals, the relative error (predicted − actual) / actual and the
mean absolute error per customer.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..errors import ParameterError
from .checks import as_day

DAYS_PER_MONTH = 30.4375
SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary_value")
HOLDOUT_COLUMNS = ("frequency_holdout", "monetary_holdout", "duration_holdout")
CLV_COLUMNS = ("p_alive", "expected_purchases", "expected_value", "clv")
_LOG_BOUNDS = (-30.0, 30.0)
_A_NEAR_ONE = 1e-6
_A_QUADRATURE = 1e-2


# ------------------------------------------------------------------------------------------
# summary
# ------------------------------------------------------------------------------------------
def _day(value: Any, name: str) -> pd.Timestamp:
    return as_day(value, name)


def rfm_summary(purchases: pd.DataFrame, calibration_end: Any,
                observation_start: Any | None = None, time_unit_days: float = 7.0,
                holdout_end: Any | None = None) -> pd.DataFrame:
    """The BTYD customer summary: one row per customer (index ``customer_id``, str, sorted).

    Columns frequency (int), recency, T, monetary_value and, with ``holdout_end``,
    frequency_holdout (int), monetary_holdout, duration_holdout. ``purchases`` needs
    customer_id, order_date and amount (e.g. ``playbook.purchases.purchases`` output); it is not
    modified. Rows without a date or customer are skipped; a missing amount counts as 0. Rules
    in the module docstring.
    """
    need = {"customer_id", "order_date", "amount"}
    if not isinstance(purchases, pd.DataFrame) or need - set(purchases.columns):
        raise ParameterError("purchases", "a frame with customer_id, order_date and amount",
                             type(purchases).__name__ if not isinstance(purchases, pd.DataFrame)
                             else f"a frame with columns {list(purchases.columns)}")
    if not isinstance(time_unit_days, int | float) or not np.isfinite(time_unit_days) \
            or time_unit_days <= 0:
        raise ParameterError("time_unit_days", "a positive number of days (7 = weeks)",
                             time_unit_days)
    cal_end = _day(calibration_end, "calibration_end")
    start = None if observation_start is None else _day(observation_start, "observation_start")
    if start is not None and start > cal_end:
        raise ParameterError("observation_start", f"a date on or before {cal_end.date()}",
                             observation_start)
    hold_end = None if holdout_end is None else _day(holdout_end, "holdout_end")
    if hold_end is not None and hold_end <= cal_end:
        raise ParameterError("holdout_end", f"a date after calibration_end {cal_end.date()}",
                             holdout_end)
    unit = float(time_unit_days)

    # one row per customer and purchase day; customers coded 0..k-1 in sorted id order
    when = pd.to_datetime(purchases["order_date"])
    if when.dt.tz is not None:
        when = when.dt.tz_localize(None)  # the local calendar day counts
    ids = purchases["customer_id"]
    valid = (when.notna() & ids.notna()).to_numpy()
    day = (when.dt.normalize().to_numpy()[valid] - np.datetime64("1970-01-01", "D")) \
        // np.timedelta64(1, "D")
    day = day.astype("int64")
    amount = pd.to_numeric(purchases["amount"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    amount = np.nan_to_num(amount[valid])
    cal_n = (cal_end - pd.Timestamp("1970-01-01")).days
    last_n = cal_n if hold_end is None else (hold_end - pd.Timestamp("1970-01-01")).days
    inside = day <= last_n
    keep_rows = valid.copy()
    keep_rows[valid] = inside
    cust, names = pd.factorize(ids.astype("str")[keep_rows], sort=True)  # arrow-backed: fast
    day, amount = day[inside], amount[inside]
    k = len(names)
    low = int(day.min()) if len(day) else 0
    span = (int(day.max()) - low + 1) if len(day) else 1
    rows, keys = pd.factorize(cust.astype("int64") * span + (day - low))
    r_cust, r_day = keys // span, keys % span + low
    r_amount = np.bincount(rows, weights=amount, minlength=len(keys))
    first = np.full(k, np.iinfo("int64").max)
    np.minimum.at(first, r_cust, r_day)
    keep = first <= cal_n
    if start is not None:
        keep &= first >= (start - pd.Timestamp("1970-01-01")).days
    in_cal = r_day <= cal_n
    n_cal = np.bincount(r_cust[in_cal], minlength=k)
    last = first.copy()
    np.maximum.at(last, r_cust[in_cal], r_day[in_cal])
    total = np.bincount(r_cust[in_cal], weights=r_amount[in_cal], minlength=k)
    is_first = r_day == first[r_cust]
    first_amount = np.bincount(r_cust[is_first], weights=r_amount[is_first], minlength=k)
    frequency = np.maximum(n_cal - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, (total - first_amount) / np.maximum(frequency, 1),
                            0.0)
    out = pd.DataFrame({
        "frequency": frequency.astype("int64"),
        "recency": (last - first).astype("float64") / unit,
        "T": (cal_n - first).astype("float64") / unit,
        "monetary_value": monetary.astype("float64"),
    }, index=pd.Index(names, dtype="str", name="customer_id"))
    if hold_end is not None:
        in_hold = ~in_cal
        n_hold = np.bincount(r_cust[in_hold], minlength=k)
        sum_hold = np.bincount(r_cust[in_hold], weights=r_amount[in_hold], minlength=k)
        out["frequency_holdout"] = n_hold.astype("int64")
        out["monetary_holdout"] = np.where(n_hold > 0, sum_hold / np.maximum(n_hold, 1), 0.0)
        out["duration_holdout"] = float((hold_end - cal_end).days) / unit
    out = out[keep]
    out.attrs["time_unit_days"] = unit
    return out


# ------------------------------------------------------------------------------------------
# input helpers
# ------------------------------------------------------------------------------------------
def _array(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        raise ParameterError(name, "numbers", values) from None
    if arr.ndim > 1:
        raise ParameterError(name, "a one-dimensional array of numbers", f"shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "finite numbers (no NaN or inf)", "non-finite values")
    return np.atleast_1d(arr)


def _rfm_arrays(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    x, tx, t_cal = _array(frequency, "frequency"), _array(recency, "recency"), _array(T, "T")
    x, tx, t_cal = np.broadcast_arrays(x, tx, t_cal)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ParameterError("frequency", "non-negative whole numbers", "other values")
    if np.any(tx < 0) or np.any(tx > t_cal + 1e-9):
        raise ParameterError("recency", "between 0 and T", "values outside [0, T]")
    if np.any((x == 0) & (tx > 0)):
        raise ParameterError("recency", "0 where frequency is 0", "positive recency")
    return x.astype("float64"), tx.astype("float64"), t_cal.astype("float64")


def _weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.broadcast_to(_array(weights, "weights"), (n,)).astype("float64")
    if np.any(w < 0) or w.sum() <= 0:
        raise ParameterError("weights", "non-negative numbers with a positive sum", "other")
    return w


def _codes(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Row codes 0..k-1 of the distinct rows of ``columns`` (in order of first appearance) and
    the index of each distinct row's first occurrence. Hash-based: fast on millions of rows."""
    n = len(columns[0])
    key = np.zeros(n, dtype="int64")
    for col in columns:
        codes, uniques = pd.factorize(col)
        if len(uniques) and key.max(initial=0) >= (2**62) // len(uniques):
            key, _ = pd.factorize(key)
        key = key * len(uniques) + codes
    key, _ = pd.factorize(key)
    if n == 0:
        return key, np.empty(0, dtype="int64")
    running = np.maximum.accumulate(key)
    first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]])
    return key, first


def _collapse(columns: list[np.ndarray],
              weights: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` with their summed weights (rows of weight 0 dropped)."""
    use = weights > 0
    columns = [c[use] for c in columns]
    codes, first = _codes(columns)
    return [c[first] for c in columns], np.bincount(codes, weights=weights[use])


def _result(value: np.ndarray, inputs: tuple[Any, ...], name: str) -> Any:
    """A float when every input is a scalar; a Series on the index of the first Series input;
    else the array."""
    if all(np.ndim(v) == 0 for v in inputs):
        return float(value[0])
    for v in inputs:
        if isinstance(v, pd.Series) and len(v) == len(value):
            return pd.Series(value, index=v.index, name=name)
    return value


def _check_fitted(model: Any, attr: str) -> None:
    if not hasattr(model, attr):
        raise ParameterError("model", f"a fitted {type(model).__name__} (call fit first)",
                             "an unfitted model")


def _minimize(objective, start: np.ndarray) -> tuple[np.ndarray, bool]:
    """L-BFGS-B with the analytic gradient, polished once from its optimum; Nelder-Mead then
    L-BFGS-B again when the gradient is not yet ~0. Returns the log-parameters and whether the
    (mean-scale) gradient ended below 1e-6."""
    bounds = [_LOG_BOUNDS] * len(start)
    opts = {"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10}

    def lbfgs(v: np.ndarray) -> np.ndarray:
        return optimize.minimize(objective, v, jac=True, method="L-BFGS-B", bounds=bounds,
                                 options=opts).x

    def converged(v: np.ndarray) -> bool:
        value, grad = objective(v)
        return bool(np.isfinite(value) and value < 1e299 and np.max(np.abs(grad)) < 1e-6)

    best = lbfgs(lbfgs(start))
    if not converged(best):
        nm = optimize.minimize(lambda v: objective(v)[0], best, method="Nelder-Mead",
                               bounds=bounds,
                               options={"maxiter": 20_000, "xatol": 1e-10, "fatol": 1e-15})
        polished = lbfgs(nm.x)
        if objective(polished)[0] <= objective(best)[0]:
            best = polished
    return best, converged(best)


# ------------------------------------------------------------------------------------------
# BG/NBD
# ------------------------------------------------------------------------------------------
def _bgnbd_ll(r: float, alpha: float, a: float, b: float, x: np.ndarray, tx: np.ndarray,
              T: np.ndarray) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (the formula of the module docstring)."""
    repeat = x > 0
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                      - (r + x) * np.log(alpha + tx), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


class _BgData:
    """Distinct (x, t_x, T) rows with their weights, split into one-time buyers (x = 0, only T
    matters) and repeat buyers, with the codes of their distinct x, t_x and T values: each
    likelihood evaluation computes gammaln/digamma once per distinct x and log(α + ·) once per
    distinct time, so one evaluation costs a few vector operations on the repeat rows."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray):
        zero = x == 0
        (self.T0,), self.w0 = _collapse([T[zero]], w[zero])
        x1, tx1, T1, w1 = x[~zero], tx[~zero], T[~zero], w[~zero]
        self.x1, self.w1 = x1, w1
        xc, self.ux = pd.factorize(x1)
        self.xc = xc
        self.txc, self.utx = pd.factorize(tx1)
        self.Tc, self.uT = pd.factorize(T1)
        self.Wx = np.bincount(xc, weights=w1, minlength=len(self.ux))
        self.total = float(w.sum())
        self.W0 = float(self.w0.sum())


def _bgnbd_objective(log_params: np.ndarray, d: _BgData,
                     penalizer: float) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood (plus penalty) and its gradient in the log-parameters."""
    r, alpha, a, b = np.exp(log_params)
    gl, dig = special.gammaln, special.digamma
    ux = d.ux
    # per distinct x: Σ over customers of ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a,b+x) − ln B(a,b)
    ll = d.total * (r * np.log(alpha) - gl(r) - special.betaln(a, b))
    ll += np.dot(d.Wx, gl(r + ux) + special.betaln(a, b + ux))
    ll += d.W0 * (gl(r) + special.betaln(a, b))  # x = 0 terms of the two lines above
    g_r = d.total * (np.log(alpha) - dig(r)) + np.dot(d.Wx, dig(r + ux)) + d.W0 * dig(r)
    g_alpha = d.total * r / alpha
    ab_terms = dig(a + b) - dig(a + b + ux)
    g_a = np.dot(d.Wx, ab_terms)
    g_b = np.dot(d.Wx, ab_terms + dig(b + ux) - dig(b))
    # one-time buyers: −r ln(α+T)
    log_t0 = np.log(alpha + d.T0)
    ll -= r * np.dot(d.w0, log_t0)
    g_r -= np.dot(d.w0, log_t0)
    g_alpha -= r * np.dot(d.w0, 1.0 / (alpha + d.T0))
    # repeat buyers: logaddexp(a3, a4) with a3 = −(r+x) ln(α+T) and
    # a4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x), written as a3 + softplus(a4 − a3)
    if len(d.x1):
        rx = r + d.x1
        log_t = np.log(alpha + d.uT)[d.Tc]
        log_tx = np.log(alpha + d.utx)[d.txc]
        a3 = -rx * log_t
        gap = (np.log(a) - np.log(b + ux - 1))[d.xc] - rx * log_tx - a3
        e = np.exp(-np.abs(gap))
        w4 = np.where(gap >= 0, 1.0, e) / (1.0 + e)  # expit(gap): the δ term's share
        rows = np.empty((5, len(rx)))
        rows[0] = a3 + np.maximum(gap, 0.0) + np.log1p(e)
        rows[1] = log_t + w4 * (log_tx - log_t)
        inv_t = (1.0 / (alpha + d.uT))[d.Tc]
        rows[2] = rx * (inv_t + w4 * ((1.0 / (alpha + d.utx))[d.txc] - inv_t))
        rows[3] = w4
        rows[4] = w4 * (1.0 / (b + ux - 1))[d.xc]
        sums = rows @ d.w1
        ll += sums[0]
        g_r -= sums[1]
        g_alpha -= sums[2]
        g_a += sums[3] / a
        g_b -= sums[4]
    params = np.array([r, alpha, a, b])
    value = -ll / d.total + penalizer * np.sum(params**2)
    grad = (-np.array([g_r, g_alpha, g_a, g_b]) / d.total + 2 * penalizer * params) * params
    if not np.isfinite(value) or not np.all(np.isfinite(grad)):
        return 1e300, np.zeros(4)
    return float(value), grad


def _hyp2f1_euler(a: float, r: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """(1−z)^(a−1) · ₂F₁(a−1, c−r; c; z), i.e. (1−z)^r ₂F₁(r, b; c; z) with c = a+b−1."""
    with np.errstate(all="ignore"):
        return np.exp((a - 1) * np.log1p(-z)) * special.hyp2f1(a - 1, c - r, c, z)


def _u_quadrature(t: np.ndarray, r: np.ndarray, alpha: np.ndarray, a: float,
                  b: np.ndarray, nodes: int = 120) -> np.ndarray:
    """E_p[(1 − (α/(α+p·t))^r) / p] for p ~ Beta(a, b) by Gauss-Jacobi quadrature (grouped by
    the distinct b; the fallback of ``_u``)."""
    out = np.empty(np.shape(t), dtype="float64")
    for bb in np.unique(b):
        rows = b == bb
        # weight (1−y)^(b−1) (1+y)^(a−1) on [−1, 1]; p = (1+y)/2
        y, wy = special.roots_jacobi(nodes, bb - 1, a - 1)
        p = (1 + y) / 2
        wp = wy / wy.sum()
        tt, rr, aa = t[rows, None], r[rows, None], alpha[rows, None]
        g = -np.expm1(-rr * np.log1p(p * tt / aa)) / p
        out[rows] = g @ wp
    return out


def _u(t: np.ndarray, r: np.ndarray, alpha: np.ndarray, a: float, b: np.ndarray) -> np.ndarray:
    """U(t; r, α, a, b): expected purchases in (0, t] of an alive customer (see module doc)."""
    t, r, alpha, b = np.broadcast_arrays(*(np.asarray(v, dtype="float64")
                                           for v in (t, r, alpha, b)))
    z = t / (alpha + t)

    def closed(a_: float) -> np.ndarray:
        c = a_ + b - 1
        with np.errstate(all="ignore"):
            return c / (a_ - 1) * (1 - _hyp2f1_euler(a_, r, c, z))

    with np.errstate(all="ignore"):
        if abs(a - 1) < _A_NEAR_ONE:
            value = (closed(1 + _A_NEAR_ONE) + closed(1 - _A_NEAR_ONE)) / 2
        else:
            value = closed(a)
    value = np.where(t <= 0, 0.0, value)
    # near a = 1 the closed form cancels digits unless t/α is large; quadrature is exact there
    bad = ~np.isfinite(value) | (value < 0)
    if abs(a - 1) < _A_QUADRATURE:
        bad |= (t > 0) & (t <= 100 * alpha)
    if np.any(bad):
        value = value.copy()
        value[bad] = _u_quadrature(t[bad], r[bad], alpha[bad], a, b[bad])
    return value


class BetaGeoFitter:
    """The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005); rules in the module
    docstring. ``fit`` learns r_, alpha_, a_, b_, log_likelihood_ and n_customers_."""

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any | None = None,
            initial: Any | None = None) -> BetaGeoFitter:
        """Maximum likelihood on (x, t_x, T) per customer; ``weights`` counts customers per row
        (a row stands for that many identical customers); ``initial`` = (r, α, a, b)."""
        if not isinstance(self.penalizer_coef, int | float) or self.penalizer_coef < 0:
            raise ParameterError("penalizer_coef", "a number >= 0", self.penalizer_coef)
        x, tx, t_cal = _rfm_arrays(frequency, recency, T)
        if len(x) == 0:
            raise ParameterError("frequency", "at least one customer", "no rows")
        w = _weights(weights, len(x))
        (x, tx, t_cal), w = _collapse([x, tx, t_cal], w)
        data = _BgData(x, tx, t_cal, w)
        if initial is None:
            rate = max(np.dot(w, x) / max(np.dot(w, t_cal), 1e-12), 1e-6)
            initial = (1.0, 1.0 / rate, 1.0, 1.0)
        start = np.log(np.asarray(initial, dtype="float64"))
        if start.shape != (4,) or not np.all(np.isfinite(start)):
            raise ParameterError("initial", "four positive numbers (r, alpha, a, b)", initial)
        pen = float(self.penalizer_coef)
        log_params, ok = _minimize(lambda v: _bgnbd_objective(v, data, pen), start)
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in np.exp(log_params))
        ll = _bgnbd_ll(self.r_, self.alpha_, self.a_, self.b_, x, tx, t_cal)
        self.log_likelihood_ = float(np.dot(w, ll))
        self.n_customers_ = int(round(w.sum()))
        self.n_distinct_ = len(x)
        self.converged_ = ok
        return self

    @property
    def params_(self) -> dict[str, float]:
        _check_fitted(self, "r_")
        return {"r": self.r_, "alpha": self.alpha_, "a": self.a_, "b": self.b_}

    def expected_purchases(self, t: Any) -> Any:
        """E[X(t)]: expected repeat purchases in the first ``t`` time units of a new customer."""
        _check_fitted(self, "r_")
        tt = _array(t, "t")
        if np.any(tt < 0):
            raise ParameterError("t", "non-negative durations", t)
        value = _u(tt, self.r_, self.alpha_, self.a_, self.b_)
        return _result(value, (t,), "expected_purchases")

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive at T | x, t_x, T) per customer (1 for x = 0)."""
        _check_fitted(self, "r_")
        x, tx, t_cal = _rfm_arrays(frequency, recency, T)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        with np.errstate(divide="ignore"):
            log_odds = np.where(x > 0, np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
                                + (r + x) * (np.log(alpha + t_cal) - np.log(alpha + tx)),
                                -np.inf)
        return _result(special.expit(-log_odds), (frequency, recency, T), "p_alive")

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any,
                                       T: Any) -> Any:
        """E[purchases in (T, T+t] | x, t_x, T] per customer (``t`` scalar or per customer)."""
        _check_fitted(self, "r_")
        x, tx, t_cal = _rfm_arrays(frequency, recency, T)
        tt = _array(t, "t")
        if np.any(tt < 0):
            raise ParameterError("t", "non-negative durations", t)
        alive = np.asarray(self.conditional_probability_alive(x, tx, t_cal))
        value = alive * self._alive_purchases(tt, x, t_cal)
        return _result(value, (t, frequency, recency, T), "expected_purchases")

    def _alive_purchases(self, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """E[purchases in (T, T+t] | alive at T, x, T] = U(t; r+x, α+T, a, b+x), evaluated once
        per distinct (t, x, T) (it does not depend on t_x)."""
        t, x, T = np.broadcast_arrays(t, x, T)
        codes, first = _codes([t, x, T])
        ft, fx, fT = t[first], x[first], T[first]
        return _u(ft, self.r_ + fx, self.alpha_ + fT, self.a_, self.b_ + fx)[codes]

    def predict(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Alias of ``conditional_expected_purchases``."""
        return self.conditional_expected_purchases(t, frequency, recency, T)

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters."""
        _check_fitted(self, "r_")
        x, tx, t_cal = _rfm_arrays(frequency, recency, T)
        return _result(_bgnbd_ll(self.r_, self.alpha_, self.a_, self.b_, x, tx, t_cal),
                       (frequency, recency, T), "log_likelihood")


# ------------------------------------------------------------------------------------------
# Gamma-Gamma
# ------------------------------------------------------------------------------------------
def _gg_ll(p: float, q: float, v: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(v + x * m))


class _GgData:
    """Distinct (x, m̄) rows with weights and the sums that do not depend on the parameters."""

    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray):
        self.x, self.m, self.w = x, m, w
        xc, self.ux = pd.factorize(x)
        self.Wx = np.bincount(xc, weights=w, minlength=len(self.ux))
        self.total = float(w.sum())
        log_m = np.log(m)
        self.sum_log_m = float(np.dot(w, log_m))
        self.sum_x_log_m = float(np.dot(w * x, log_m))
        self.wx = w * x
        self.weights = np.vstack([w, self.wx])  # (2, n): one matrix product per evaluation


def _gg_objective(log_params: np.ndarray, d: _GgData,
                  penalizer: float) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood (plus penalty) and its gradient in the log-parameters."""
    p, q, v = np.exp(log_params)
    gl, dig = special.gammaln, special.digamma
    ux, px = d.ux, p * d.ux
    log_v = np.log(v)
    rows = np.empty((2, len(d.x)))
    rows[1] = 1.0 / (v + d.x * d.m)
    rows[0] = -np.log(rows[1])  # ln(γ + x·m̄)
    (w_log, w_inv), (wx_log, wx_inv) = d.weights @ rows.T
    ll = (np.dot(d.Wx, gl(px + q) - gl(px) + px * np.log(ux))
          + d.total * (q * log_v - gl(q)) + p * d.sum_x_log_m - d.sum_log_m
          - p * wx_log - q * w_log)
    g_p = np.dot(d.Wx * ux, dig(px + q) - dig(px) + np.log(ux)) + d.sum_x_log_m - wx_log
    g_q = np.dot(d.Wx, dig(px + q)) + d.total * (log_v - dig(q)) - w_log
    g_v = d.total * q / v - p * wx_inv - q * w_inv
    params = np.array([p, q, v])
    value = -ll / d.total + penalizer * np.sum(params**2)
    grad = (-np.array([g_p, g_q, g_v]) / d.total + 2 * penalizer * params) * params
    if not np.isfinite(value) or not np.all(np.isfinite(grad)):
        return 1e300, np.zeros(3)
    return float(value), grad


class GammaGammaFitter:
    """The Gamma-Gamma model of average purchase value (Fader, Hardie & Lee 2005b); rules in the
    module docstring. ``fit`` learns p_, q_, v_ (γ), log_likelihood_ and n_customers_."""

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, monetary_value: Any, weights: Any | None = None,
            initial: Any | None = None) -> GammaGammaFitter:
        """Maximum likelihood on the customers with frequency > 0 and monetary_value > 0."""
        if not isinstance(self.penalizer_coef, int | float) or self.penalizer_coef < 0:
            raise ParameterError("penalizer_coef", "a number >= 0", self.penalizer_coef)
        x, m = np.broadcast_arrays(_array(frequency, "frequency"),
                                   _array(monetary_value, "monetary_value"))
        w = _weights(weights, len(x))
        use = (x > 0) & (m > 0)
        if not np.any(use & (w > 0)):
            raise ParameterError("frequency", "at least one customer with a repeat purchase "
                                 "of positive value", "none")
        (x, m), w = _collapse([x[use], m[use]], w[use])
        if initial is None:
            initial = (1.0, 2.0, float(np.average(m, weights=w)))
        start = np.log(np.asarray(initial, dtype="float64"))
        if start.shape != (3,) or not np.all(np.isfinite(start)):
            raise ParameterError("initial", "three positive numbers (p, q, v)", initial)
        pen = float(self.penalizer_coef)
        data = _GgData(x, m, w)
        log_params, ok = _minimize(lambda lp: _gg_objective(lp, data, pen), start)
        self.p_, self.q_, self.v_ = (float(val) for val in np.exp(log_params))
        self.log_likelihood_ = float(np.dot(w, _gg_ll(self.p_, self.q_, self.v_, x, m)))
        self.n_customers_ = int(round(w.sum()))
        self.converged_ = ok
        return self

    @property
    def params_(self) -> dict[str, float]:
        _check_fitted(self, "p_")
        return {"p": self.p_, "q": self.q_, "v": self.v_}

    def conditional_expected_average_value(self, frequency: Any, monetary_value: Any) -> Any:
        """E[average purchase value | x, m̄]: p(γ + x·m̄)/(px + q − 1), or pγ/(q − 1) for x = 0."""
        _check_fitted(self, "p_")
        x, m = np.broadcast_arrays(_array(frequency, "frequency"),
                                   _array(monetary_value, "monetary_value"))
        p, q, v = self.p_, self.q_, self.v_
        num = np.where(x > 0, p * (v + x * m), p * v)
        den = np.where(x > 0, p * x + q - 1, q - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        return _result(value, (frequency, monetary_value), "expected_value")


# ------------------------------------------------------------------------------------------
# CLV and validation
# ------------------------------------------------------------------------------------------
def _summary_columns(summary: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    if not isinstance(summary, pd.DataFrame) or set(columns) - set(summary.columns):
        raise ParameterError(name, "an rfm_summary frame with " + ", ".join(columns),
                             f"columns {list(getattr(summary, 'columns', []))}")


def _check_unit(summary: pd.DataFrame, time_unit_days: float) -> float:
    if not isinstance(time_unit_days, int | float) or not time_unit_days > 0:
        raise ParameterError("time_unit_days", "a positive number of days (7 = weeks)",
                             time_unit_days)
    unit = summary.attrs.get("time_unit_days")
    if unit is not None and abs(float(unit) - float(time_unit_days)) > 1e-12:
        raise ParameterError("time_unit_days", f"the summary's time unit {unit} days",
                             time_unit_days)
    return float(time_unit_days)


def predict_clv(summary: pd.DataFrame, bgf: BetaGeoFitter, ggf: GammaGammaFitter,
                horizon_months: int = 12, discount_rate: float = 0.10,
                time_unit_days: float = 7.0) -> pd.DataFrame:
    """Per customer (the summary's index): p_alive, expected_purchases (over the horizon),
    expected_value (average purchase value) and clv (discounted monthly; module docstring)."""
    _summary_columns(summary, SUMMARY_COLUMNS, "summary")
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer) \
            or horizon_months < 1:
        raise ParameterError("horizon_months", "a whole number of months >= 1", horizon_months)
    if not isinstance(discount_rate, int | float) or not 0 <= discount_rate < 1:
        raise ParameterError("discount_rate", "an annual rate in [0, 1)", discount_rate)
    unit = _check_unit(summary, time_unit_days)
    _check_fitted(bgf, "r_")
    _check_fitted(ggf, "p_")
    x, tx, t_cal = _rfm_arrays(summary["frequency"], summary["recency"], summary["T"])
    h = int(horizon_months)
    months = np.arange(1, h + 1)
    t = months * DAYS_PER_MONTH / unit
    # E_m = P(alive) · U(t_m; r+x, α+T, a, b+x): U once per distinct (x, T) and month
    codes, first = _codes([x, t_cal])
    k = len(first)
    grid = bgf._alive_purchases(np.tile(t, k), np.repeat(x[first], h),
                                np.repeat(t_cal[first], h)).reshape(k, h)
    increments = np.diff(grid, axis=1, prepend=0.0)
    monthly = (1 + discount_rate) ** (1 / 12) - 1
    discounted = increments @ (1 / (1 + monthly) ** months)
    p_alive = np.asarray(bgf.conditional_probability_alive(x, tx, t_cal))
    value = np.asarray(ggf.conditional_expected_average_value(summary["frequency"],
                                                              summary["monetary_value"]))
    return pd.DataFrame({
        "p_alive": p_alive,
        "expected_purchases": p_alive * grid[codes, -1],
        "expected_value": value,
        "clv": p_alive * discounted[codes] * value,
    }, index=summary.index)


def _holdout_frame(summary: pd.DataFrame, bgf: BetaGeoFitter) -> pd.DataFrame:
    _summary_columns(summary, ("frequency", "recency", "T", "frequency_holdout",
                               "duration_holdout"), "summary_with_holdout")
    _check_fitted(bgf, "r_")
    predicted = bgf.conditional_expected_purchases(
        summary["duration_holdout"].to_numpy("float64"), summary["frequency"].to_numpy(),
        summary["recency"].to_numpy(), summary["T"].to_numpy())
    return pd.DataFrame({"frequency": summary["frequency"].to_numpy("int64"),
                         "actual": summary["frequency_holdout"].to_numpy("float64"),
                         "predicted": np.asarray(predicted)}, index=summary.index)


def holdout_validation(summary_with_holdout: pd.DataFrame, bgf: BetaGeoFitter,
                       max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases, actual vs predicted, by calibration frequency.

    One row per group 0, 1, …, max_frequency (the last is max_frequency or more; groups without
    customers are left out): frequency (the group's lowest frequency, int), group (label such as
    "7+"), customers, actual (mean holdout purchase days), predicted (mean conditional expected
    purchases over duration_holdout).
    """
    if isinstance(max_frequency, bool) or not isinstance(max_frequency, int | np.integer) \
            or max_frequency < 1:
        raise ParameterError("max_frequency", "a whole number >= 1", max_frequency)
    rows = _holdout_frame(summary_with_holdout, bgf)
    group = rows["frequency"].clip(upper=int(max_frequency))
    table = rows.groupby(group.to_numpy(), sort=True).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
    table.index.name = "frequency"
    table = table.reset_index()
    table["frequency"] = table["frequency"].astype("int64")
    labels = table["frequency"].astype("str")
    top = table["frequency"] == int(max_frequency)
    table.insert(1, "group", labels.where(~top, labels + "+").astype("str"))
    table["customers"] = table["customers"].astype("int64")
    return table


def validation_metrics(summary_with_holdout: pd.DataFrame, bgf: BetaGeoFitter) -> dict[str, float]:
    """Holdout fit of the purchase model over all customers: customers, total_actual,
    total_predicted, relative_error = (total_predicted − total_actual) / total_actual (NaN when
    no holdout purchase) and mae = mean |predicted − actual| per customer."""
    rows = _holdout_frame(summary_with_holdout, bgf)
    actual, predicted = float(rows["actual"].sum()), float(rows["predicted"].sum())
    return {
        "customers": int(len(rows)),
        "total_actual": actual,
        "total_predicted": predicted,
        "relative_error": (predicted - actual) / actual if actual > 0 else float("nan"),
        "mae": float((rows["predicted"] - rows["actual"]).abs().mean()) if len(rows)
        else float("nan"),
    }
