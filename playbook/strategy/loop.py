"""Closing the loop: did last period's plan work?

Scorecard (``scorecard``), per KPI of last period's plan, with this period's actual value::

    met      = actual >= target (direction up) or actual <= target (down)
    gap      = actual - target
    progress = (actual - baseline) / (target - baseline)   (share of the planned change
               achieved; NaN when target = baseline)
    wrong_way = worse than the baseline (the expected value the target was set from):
               actual < baseline (up) or > (down)

A KPI without an actual value keeps NaN and ``met`` missing (<NA>).

Action effects (``action_effects``): for each action of last period's plan, its contacted
customers (the ids of last period's ``exports/actions_<id>.csv``) are compared with control
customers: those in last period's customers table who were not contacted by this action and
share a stratum with a contacted customer. The stratum is (segment, lifecycle_stage) of last
period's table (whichever of the two columns exist). Both groups are measured on this period's
purchases (one row per sale order, ``playbook.purchases.purchases``): a customer *bought* when
they have a purchase with amount > 0 in the period; purchases and revenue per customer count
those purchases over every member of the group. ``difference = bought_targeted -
bought_control``; ``lift = bought_targeted / bought_control - 1``; ``p_value`` is the two-sided
pooled two-proportion z-test::

    p = (x_t + x_c) / (n_t + n_c)    z = difference / sqrt(p (1 - p) (1/n_t + 1/n_c))

(p_value 1 when p is 0 or 1). The control group is not reweighted to the targeted mix of strata,
so when the two groups spread differently over the strata the comparison mixes that in; the
rulebook's ``holdout`` gives a clean random control group. When no control customer exists
(the action contacted every customer of its strata and had no holdout) ``control`` is 0, the
comparison is NaN and ``note`` says why.

Flags (``loop_flags``): ``kpi_missed_<id>`` (warning; critical when it is also worse than
the baseline) and ``action_no_effect_<id>`` when the contacted customers did not buy significantly more
often than the control group (not difference > 0 with p < 0.05): warning when they did no
better (difference <= 0), info when better but not significantly. Actions without a control
group raise no flag.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..findings import flag

ALPHA = 0.05
SCORE_COLUMNS = ("id", "name", "unit", "baseline", "target", "actual", "direction", "met", "gap",
                 "progress", "wrong_way")
EFFECT_COLUMNS = ("action_id", "targeted", "control", "bought_targeted", "bought_control",
                  "difference", "lift", "p_value", "purchases_per_customer_targeted",
                  "purchases_per_customer_control", "revenue_per_customer_targeted",
                  "revenue_per_customer_control", "note")
STRATA = ("segment", "lifecycle_stage")
NO_CONTROL = ("no control customers: the action contacted every customer of its segment and "
              "lifecycle stage and kept no holdout (set holdout in the rulebook)")


def _float(v) -> float:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return math.nan
    return v


def scorecard(previous_plan: dict, actual_kpis: dict[str, float]) -> pd.DataFrame:
    """Last period's KPI targets against this period's actual values (see module docstring)."""
    rows = []
    for k in previous_plan.get("kpis", []):
        base, target = _float(k.get("baseline")), _float(k.get("target"))
        actual = _float(actual_kpis.get(k["id"]))
        sign = 1.0 if k.get("direction", "up") == "up" else -1.0
        known = not math.isnan(actual)
        rows.append({
            "id": k["id"], "name": k.get("name", k["id"]), "unit": k.get("unit"),
            "baseline": base, "target": target, "actual": actual,
            "direction": k.get("direction", "up"),
            "met": (sign * (actual - target) >= 0) if known else pd.NA,
            "gap": actual - target,
            "progress": (actual - base) / (target - base) if target != base else math.nan,
            "wrong_way": (sign * (actual - base) < 0) if known else pd.NA})
    out = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    for c in ("met", "wrong_way"):
        out[c] = out[c].astype("boolean")
    return out


def two_proportion_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (NaN if a group is empty)."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    p = (x1 + x2) / (n1 + n2)
    if p <= 0 or p >= 1:
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))  # = 2 x (1 - Phi(|z|))


def _per_customer(purchases: pd.DataFrame, period) -> pd.DataFrame:
    d = pd.to_datetime(purchases["order_date"])
    amount = pd.to_numeric(purchases["amount"], errors="coerce")
    keep = (d >= period.start) & (d < period.end_exclusive) & (amount > 0)
    p = pd.DataFrame({"customer_id": purchases["customer_id"].astype("str"),
                      "amount": amount})[keep.to_numpy()]
    return p.groupby("customer_id")["amount"].agg(n="size", revenue="sum")


def _group(ids: pd.Series, per: pd.DataFrame) -> tuple[int, int, float, float]:
    g = per.reindex(ids.to_numpy())
    n = len(ids)
    bought = int(g["n"].notna().sum())
    if n == 0:
        return 0, 0, math.nan, math.nan
    return n, bought, float(g["n"].fillna(0).sum()) / n, float(g["revenue"].fillna(0).sum()) / n


def action_effects(previous_plan: dict, targeted: dict[str, pd.Series],
                   customers_before: pd.DataFrame, purchases_now: pd.DataFrame,
                   period) -> pd.DataFrame:
    """Contacted vs. similar uncontacted customers, per previous action (module docstring)."""
    cb = customers_before.drop_duplicates("customer_id").assign(
        customer_id=lambda d: d["customer_id"].astype("str"))
    strata = [c for c in STRATA if c in cb.columns]
    key = pd.Series("", index=cb.index)
    for c in strata:  # a missing label (a customer without a segment) is its own stratum
        key = key + "|" + cb[c].astype("str").fillna("—")
    per = _per_customer(purchases_now, period)
    rows = []
    for a in previous_plan.get("actions", []):
        ids = targeted.get(a["id"])
        row = dict.fromkeys(EFFECT_COLUMNS, math.nan) | {"action_id": a["id"], "note": ""}
        if ids is None:
            rows.append(row | {"targeted": 0, "control": 0,
                               "note": "no list of contacted customers"})
            continue
        is_t = cb["customer_id"].isin(pd.Series(ids).astype("str"))
        control = ~is_t & key.isin(key[is_t])
        nt, xt, ppt, rpt = _group(cb.loc[is_t, "customer_id"], per)
        nc, xc, ppc, rpc = _group(cb.loc[control, "customer_id"], per)
        row.update(targeted=nt, control=nc, purchases_per_customer_targeted=ppt,
                   revenue_per_customer_targeted=rpt,
                   bought_targeted=xt / nt if nt else math.nan)
        if nc == 0:
            row["note"] = NO_CONTROL if nt else "no contacted customer in last period's table"
        else:
            bt, bc = row["bought_targeted"], xc / nc
            row.update(bought_control=bc, difference=bt - bc,
                       lift=bt / bc - 1 if bc > 0 else math.nan,
                       p_value=two_proportion_p(xt, nt, xc, nc),
                       purchases_per_customer_control=ppc, revenue_per_customer_control=rpc)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
    return out.astype({"targeted": "int64", "control": "int64"})


def _fmt(v: float, unit: str | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if unit == "share":
        return f"{100 * v:.1f}%"
    if unit in ("money", "count"):
        return f"{v:,.0f}"
    return f"{v:.2f}"


def loop_flags(scorecard: pd.DataFrame, effects: pd.DataFrame, language: str = "zh") -> list[dict]:
    """kpi_missed_<id> and action_no_effect_<id> flags (module docstring)."""
    zh = language != "en"
    out = []
    for r in scorecard.itertuples(index=False):
        if pd.isna(r.met) or bool(r.met):
            continue
        wrong = bool(r.wrong_way) if not pd.isna(r.wrong_way) else False
        b, t, a = (_fmt(v, r.unit) for v in (r.baseline, r.target, r.actual))
        if zh:
            msg = (f"{r.name}未达目标：目标 {t}，实际 {a}（基线 {b}）"
                   + ("，且比基线更差。" if wrong else "。"))
        else:
            msg = (f"{r.name} missed its target: target {t}, actual {a} (baseline {b})"
                   + (", worse than the baseline." if wrong else "."))
        out.append(flag(f"kpi_missed_{r.id}", "critical" if wrong else "warning", msg,
                        kpi=r.id, baseline=r.baseline, target=r.target, actual=r.actual,
                        gap=r.gap, progress=r.progress))
    for r in effects.itertuples(index=False):
        if r.control == 0 or np.isnan(r.difference):
            continue
        if r.difference > 0 and r.p_value < ALPHA:
            continue
        bt, bc = _fmt(r.bought_targeted, "share"), _fmt(r.bought_control, "share")
        msg = (f"行动「{r.action_id}」未见显著效果：触达客户本期购买比例 {bt}，"
               f"对照客户 {bc}（p = {r.p_value:.2g}）。" if zh else
               f"Action '{r.action_id}' shows no clear effect: {bt} of the contacted customers "
               f"bought this period against {bc} of the control group (p = {r.p_value:.2g}).")
        out.append(flag(f"action_no_effect_{r.action_id}",
                        "warning" if r.difference <= 0 else "info", msg,
                        action=r.action_id, targeted=r.targeted, control=r.control,
                        bought_targeted=r.bought_targeted, bought_control=r.bought_control,
                        difference=r.difference, p_value=r.p_value))
    return out
