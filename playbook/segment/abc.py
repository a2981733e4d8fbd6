"""ABC customer grades (客户分级): the few customers who bring most of the revenue.

Rules (``abc_grades``), with ``shares = (a, b, c)`` (default 0.7, 0.2, 0.1):

1. Customers are sorted by revenue, highest first; equal revenues by customer_id ascending.
   ``rank`` is the position in that order (1 = highest).
2. The total is the sum of the POSITIVE revenues. ``cum_share_before`` of a customer is the
   revenue of the customers ranked above it divided by that total; ``cum_share`` adds its own.
3. A customer with revenue > 0 is grade A when ``cum_share_before < a`` (so the customer who
   crosses a, e.g. 70 %, is still A), B when ``cum_share_before < a + b``, else C. A customer
   with revenue <= 0 (or missing) is always C and adds nothing to the cumulative shares.
   Comparisons allow 1e-9 of rounding, so a customer exactly on a boundary takes the lower grade.

   Example: revenues 50, 25, 10, 10, 5 (total 100) have cum_share_before 0, .50, .75, .85, .95
   and grades A, A, B, B, C.

``abc_summary`` counts customers and revenue per grade; its revenue_share is a grade's revenue
over the sum of all revenue (so negative revenue, in C, lowers C's share and shares add to 1).
``pareto_curve`` samples the cumulative revenue share against the cumulative customer share
along the same order, from (0, 0) to (1, 1).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError

GRADES: tuple[str, str, str] = ("A", "B", "C")
_TOLERANCE = 1e-9


def check_shares(shares: Sequence[float]) -> tuple[float, float, float]:
    """``shares`` as three floats, or ParameterError unless they are in (0, 1) and add up to 1."""
    allowed = "three shares between 0 and 1 adding up to 1, e.g. (0.7, 0.2, 0.1)"
    try:
        values = tuple(float(v) for v in shares)
    except (TypeError, ValueError):
        raise ParameterError("shares", allowed, shares) from None
    if (len(values) != 3 or not all(0 < v < 1 for v in values)
            or abs(sum(values) - 1) > 1e-6):
        raise ParameterError("shares", allowed, shares)
    return values  # type: ignore[return-value]


def abc_grades(revenue: pd.Series,
               shares: Sequence[float] = (0.7, 0.2, 0.1)) -> pd.DataFrame:
    """One row per customer of ``revenue`` (index customer_id, values revenue), in grade order:
    customer_id, revenue, rank, cum_share_before, cum_share, grade ("A", "B" or "C").

    See the module docstring for the rules.
    """
    a, b, _ = check_shares(shares)
    frame = pd.DataFrame({
        "customer_id": revenue.index.to_numpy(),
        "revenue": pd.to_numeric(revenue, errors="coerce").fillna(0.0)
                     .to_numpy(dtype="float64"),
    })
    if pd.api.types.is_string_dtype(revenue.index.dtype):
        frame["customer_id"] = frame["customer_id"].astype("str")
    frame = frame.sort_values(["revenue", "customer_id"], ascending=[False, True],
                              kind="stable", ignore_index=True)
    value = frame["revenue"].to_numpy()
    positive = np.where(value > 0, value, 0.0)
    running = np.cumsum(positive)
    total = running[-1] if len(running) else 0.0  # the same sum, so the last cum_share is 1
    if total > 0:
        cum = running / total
        before = (running - positive) / total
    else:
        cum = np.zeros(len(value))
        before = np.zeros(len(value))
    grade = np.where(before < a - _TOLERANCE, "A",
                     np.where(before < a + b - _TOLERANCE, "B", "C"))
    grade = np.where(value > 0, grade, "C")
    return frame.assign(rank=np.arange(1, len(frame) + 1, dtype="int64"),
                        cum_share_before=before, cum_share=cum,
                        grade=pd.Series(grade, dtype="str"))


def abc_summary(grades: pd.DataFrame) -> pd.DataFrame:
    """Per grade A, B, C (always all three): customers, customer_share, revenue, revenue_share.

    Shares are over all customers and all revenue of ``grades`` (0 when the total is 0)."""
    counts = grades.groupby("grade", observed=True).agg(
        customers=("revenue", "size"), revenue=("revenue", "sum")).reindex(list(GRADES))
    customers = counts["customers"].fillna(0).to_numpy(dtype="int64")
    revenue = counts["revenue"].fillna(0.0).to_numpy(dtype="float64")
    n, total = customers.sum(), revenue.sum()
    return pd.DataFrame({
        "grade": pd.Series(GRADES, dtype="str"),
        "customers": customers,
        "customer_share": customers / n if n > 0 else np.zeros(3),
        "revenue": revenue,
        "revenue_share": revenue / total if total != 0 else np.zeros(3),
    })


def pareto_curve(grades: pd.DataFrame, points: int = 200) -> pd.DataFrame:
    """customer_share and revenue_share (cumulative, 0..1) after the first k customers of the
    grade order, for about ``points`` values of k from 0 to all customers (every k when there are
    fewer customers). Starts at (0, 0) and ends at (1, 1) (at (1, 0) when no revenue is
    positive); empty when ``grades`` is."""
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise ParameterError("points", "a whole number >= 2", points)
    n = len(grades)
    if n == 0:
        return pd.DataFrame({"customer_share": pd.Series([], dtype="float64"),
                             "revenue_share": pd.Series([], dtype="float64")})
    cum = np.concatenate([[0.0], grades.sort_values("rank")["cum_share"].to_numpy("float64")])
    k = np.unique(np.round(np.linspace(0, n, min(points, n + 1))).astype("int64"))
    return pd.DataFrame({"customer_share": k / n, "revenue_share": cum[k]})


__all__ = ["GRADES", "abc_grades", "abc_summary", "check_shares", "pareto_curve"]
