"""Stage 03 as a straight recipe: the steps the notebook calls, one per section, in order.

Each step takes the stage's ``Inputs`` (the cleaned tables of one unit, its purchases and the
periods) plus earlier steps' results and returns a plain dict of frames and numbers. Nothing
here reads or writes files or draws: ``playbook.stage_segment`` does that.

Periods: ``as_of`` is the review period's last day; the comparison period is the previous
period (``segment.compare: previous``) or the same period a year earlier (``year_ago``), and
"before" values are computed as of its last day with exactly the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..periods import Period
from ..purchases import between, net_revenue, purchases
from . import abc as abc_mod
from . import churn as churn_mod
from . import clusters as clusters_mod
from . import clv as clv_mod
from . import cohorts as cohorts_mod
from . import lifecycle as lifecycle_mod
from . import rfm as rfm_mod
from .settings import SegmentSettings
from .shifts import customer_counts, frequency_shift, price_tiers

WEEK = 7.0


@dataclass(frozen=True)
class Inputs:
    orders: pd.DataFrame
    purchases: pd.DataFrame
    customers: pd.DataFrame | None
    feedback: pd.DataFrame | None
    complaints: pd.DataFrame | None
    interactions: pd.DataFrame | None
    period: Period
    comparison: Period
    window_start: pd.Timestamp
    settings: SegmentSettings
    language: str = "zh"

    @property
    def as_of(self) -> pd.Timestamp:
        return self.period.end

    @property
    def before(self) -> pd.Timestamp:
        return self.comparison.end


def comparison_period(period: Period, compare: str) -> Period:
    """The previous period, or the same period a year earlier (custom periods: the previous)."""
    if compare == "year_ago" and period.year_ago() is not None:
        return period.year_ago()
    return period.previous()


def make_inputs(tables: dict[str, pd.DataFrame], period: Period, window_start: pd.Timestamp,
                settings: SegmentSettings, language: str = "zh") -> Inputs:
    orders = tables["orders"]
    orders = orders[orders["order_date"] < period.end_exclusive]
    return Inputs(orders=orders, purchases=purchases(orders),
                  customers=tables.get("customers"), feedback=tables.get("feedback"),
                  complaints=tables.get("complaints"), interactions=tables.get("interactions"),
                  period=period, comparison=comparison_period(period, settings.compare),
                  window_start=pd.Timestamp(window_start), settings=settings, language=language)


# --- overview ------------------------------------------------------------------------------
def overview(inp: Inputs) -> dict:
    p, c = inp.period, inp.comparison
    now = between(inp.purchases, p.start, p.end)
    before = between(inp.purchases, c.start, c.end)
    rev = net_revenue(inp.orders, p.start, p.end).sum()
    rev_before = net_revenue(inp.orders, c.start, c.end).sum()
    ever = inp.purchases["customer_id"].nunique()
    known = len(inp.customers) if inp.customers is not None else ever
    return {
        "customers_known": int(max(known, ever)),
        "customers_ever": int(ever),
        "active_now": int(now["customer_id"].nunique()),
        "active_before": int(before["customer_id"].nunique()),
        "orders_now": int(len(now)),
        "orders_before": int(len(before)),
        "revenue_now": float(rev),
        "revenue_before": float(rev_before),
    }


# --- RFM and ABC ---------------------------------------------------------------------------
def _rfm_at(inp: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    s = inp.settings
    table = rfm_mod.rfm_table(inp.purchases, as_of, lookback_months=s.lookback_months)
    scored = rfm_mod.assign_segments(rfm_mod.rfm_scores(table))
    thresholds = s.cn_thresholds.model_dump() if s.cn_thresholds is not None else None
    return rfm_mod.assign_cn_classes(scored, split=s.cn_split, thresholds=thresholds)


def rfm_step(inp: Inputs) -> dict:
    now, before = _rfm_at(inp, inp.as_of), _rfm_at(inp, inp.before)
    s = inp.settings
    thresholds = s.cn_thresholds.model_dump() if s.cn_thresholds is not None else None
    summary = rfm_mod.segment_summary(now, by="segment")
    summary_before = rfm_mod.segment_summary(before, by="segment")
    cn = rfm_mod.segment_summary(now, by="cn_class")
    cn_before = rfm_mod.segment_summary(before, by="cn_class")
    return {
        "now": now, "before": before,
        "summary": summary, "summary_before": summary_before,
        "comparison": rfm_mod.compare_summaries(summary, summary_before),
        "cn_summary": cn, "cn_comparison": rfm_mod.compare_summaries(cn, cn_before),
        "cn_cuts": rfm_mod.cn_cuts(now, s.cn_split, thresholds),
    }


def abc_step(inp: Inputs, rfm: dict) -> dict:
    revenue = rfm["now"].set_index("customer_id")["monetary"]
    grades = abc_mod.abc_grades(revenue, shares=inp.settings.abc)
    return {"grades": grades, "summary": abc_mod.abc_summary(grades),
            "curve": abc_mod.pareto_curve(grades)}


# --- lifecycle and cohorts -----------------------------------------------------------------
def lifecycle_step(inp: Inputs) -> dict:
    s = inp.settings
    derived = s.churn_window_days is None
    window = (lifecycle_mod.churn_window(inp.purchases, as_of=inp.as_of) if derived
              else s.churn_window_days)
    now = lifecycle_mod.lifecycle_stages(inp.purchases, inp.as_of, inp.period.start, window,
                                         customers=inp.customers)
    before = lifecycle_mod.lifecycle_stages(inp.purchases, inp.before, inp.comparison.start,
                                            window, customers=inp.customers)
    return {
        "window_days": int(window), "window_derived": derived,
        "now": now, "before": before, "at_risk": at_risk_value(inp, window, now, before),
        "counts": lifecycle_mod.stage_counts(now, before),
        "migration": lifecycle_mod.migration_matrix(before, now),
        "migration_share": lifecycle_mod.migration_matrix(before, now, normalize=True),
        "flows": lifecycle_mod.flow_table(before, now),
    }


def at_risk_value(inp: Inputs, window: int, now: pd.DataFrame, before: pd.DataFrame) -> dict:
    """12-month revenue of the lifecycle ``at_risk`` customers and its share of all 12-month
    revenue, now, at the comparison period's end and a year earlier (seasonality-free
    reference, when the data reaches back that far)."""
    points = {"now": (inp.period, now), "before": (inp.comparison, before)}
    year_ago = inp.period.year_ago()
    if year_ago is not None and year_ago.start >= inp.window_start:
        points["year_ago"] = (year_ago, None)
    out = {}
    for key, (period, stages) in points.items():
        if stages is None:
            stages = lifecycle_mod.lifecycle_stages(inp.purchases, period.end, period.start,
                                                    window)
        since = period.end + pd.Timedelta(days=1) - pd.DateOffset(
            months=inp.settings.lookback_months)
        money = between(inp.purchases, since, period.end).groupby("customer_id")["amount"].sum()
        risky = stages.loc[stages["stage"] == "at_risk", "customer_id"]
        value = float(money.reindex(risky).fillna(0).sum())
        out[key] = {"period": period.label, "value": value,
                    "share": value / float(money.sum()) if money.sum() else 0.0}
    return out


def cohort_step(inp: Inputs) -> dict:
    kind = "month" if inp.period.kind == "month" else "quarter"
    tables = cohorts_mod.cohort_tables(inp.purchases, inp.as_of, kind=kind,
                                       start=inp.window_start)
    tables["summary"] = cohorts_mod.cohort_summary(tables)
    tables["kind"] = kind
    return tables


# --- CLV -----------------------------------------------------------------------------------
def _holdout_start(inp: Inputs) -> pd.Timestamp | None:
    """Calibrate on all but the last two periods, validate on those (None: too little data)."""
    start = inp.period.shift(-1).start
    if (start - inp.window_start).days < 2 * (inp.as_of - start).days:
        return None
    return start


def clv_step(inp: Inputs) -> dict:
    s = inp.settings
    out: dict = {}
    hold = _holdout_start(inp)
    if hold is not None:
        cal_end = hold - pd.Timedelta(days=1)
        cal = clv_mod.rfm_summary(inp.purchases, cal_end, observation_start=inp.window_start,
                                  time_unit_days=WEEK, holdout_end=inp.as_of)
        bgf_cal = clv_mod.BetaGeoFitter().fit(cal["frequency"], cal["recency"], cal["T"])
        out["validation"] = clv_mod.holdout_validation(cal, bgf_cal)
        out["validation_metrics"] = clv_mod.validation_metrics(cal, bgf_cal)
        out["calibration_end"] = cal_end
    summary = clv_mod.rfm_summary(inp.purchases, inp.as_of, observation_start=inp.window_start,
                                  time_unit_days=WEEK)
    bgf = clv_mod.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    ggf = clv_mod.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    pred = clv_mod.predict_clv(summary, bgf, ggf, horizon_months=s.clv_horizon_months,
                               discount_rate=s.discount_rate, time_unit_days=WEEK)
    historical = net_revenue(inp.orders, None, inp.as_of).rename("historical_value")
    pred = pred.join(historical, how="outer")
    pred["historical_value"] = pred["historical_value"].fillna(0.0)
    out.update({"summary": summary, "bgf": bgf, "ggf": ggf, "customers": pred})
    return out


def p_alive_at(purchases_: pd.DataFrame, cutoff: pd.Timestamp,
               window_start: pd.Timestamp) -> pd.DataFrame:
    """P(alive) from a BG/NBD fitted on the purchases up to ``cutoff`` (a churn feature)."""
    summary = clv_mod.rfm_summary(purchases_, cutoff, observation_start=window_start,
                                  time_unit_days=WEEK)
    bgf = clv_mod.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    p = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
    return pd.DataFrame({"p_alive": np.asarray(p, dtype=float)}, index=summary.index)


# --- churn risk ----------------------------------------------------------------------------
def churn_step(inp: Inputs, clv: dict) -> dict:
    s = inp.settings
    plan = churn_mod.cutoff_plan(inp.period, s.training_cutoffs)
    earliest = inp.window_start + pd.Timedelta(days=180)
    training = [c for c in plan["training"] if c >= earliest]
    if not training or plan["validation"] < earliest:
        return {"skipped": True, "plan": plan}

    def frame(cutoff: pd.Timestamp, labelled: bool = True):
        extra = p_alive_at(inp.purchases, cutoff, inp.window_start)
        X = churn_mod.churn_features(inp.purchases, cutoff, complaints=inp.complaints,
                                     feedback=inp.feedback, extra=extra)
        if not labelled:
            return X, None
        y = churn_mod.churn_labels(inp.purchases, cutoff, plan["horizons"][cutoff], X.index)
        return X, y

    train = [frame(c) for c in training]
    valid = frame(plan["validation"])
    result = churn_mod.fit_out_of_time(train, valid, kind=s.churn_model, random_state=s.seed)
    X_now, _ = frame(inp.as_of, labelled=False)
    prob = pd.Series(result["model"].predict_proba(X_now), index=X_now.index,
                     name="churn_probability")
    clv_now = clv["customers"]["clv"].reindex(prob.index)
    loss = churn_mod.expected_loss(prob, clv_now)
    scored = pd.DataFrame({"churn_probability": prob, "clv": clv_now, "expected_loss": loss})
    scored["monetary_365"] = X_now["monetary_365"]
    return {"skipped": False, "plan": plan, "training_cutoffs": training, "result": result,
            "scored": scored, "top": churn_mod.top_at_risk(scored.reset_index(), n=s.top_n)}


# --- clusters ------------------------------------------------------------------------------
def cluster_step(inp: Inputs) -> dict:
    s = inp.settings
    features = clusters_mod.cluster_features(inp.purchases, inp.orders, inp.as_of,
                                             lookback_months=s.lookback_months,
                                             customers=inp.customers,
                                             interactions=inp.interactions)
    model = clusters_mod.CustomerClusters(method=s.cluster_method, k=s.k, k_range=s.k_range,
                                          random_state=s.seed).fit(features)
    labels = pd.Series(model.predict(features), index=features.index, name="cluster")
    profile = clusters_mod.profile_clusters(features, labels, customers=inp.customers,
                                            feedback=inp.feedback, as_of=inp.as_of)
    profile["description"] = clusters_mod.describe_clusters(profile, inp.language).reindex(
        profile["cluster"]).to_numpy()
    tiers = (price_tiers(features["price_position"], s.price_sensitive_below, s.premium_above)
             if "price_position" in features.columns else None)
    return {"features": features, "model": model, "labels": labels, "profile": profile,
            "price_tiers": tiers}


# --- who buys less often (story C) ---------------------------------------------------------
def groups_before(inp: Inputs, clusters: dict) -> dict[str, pd.Series]:
    """Each customer's cluster and price tier as of the day before the comparison period starts.

    The fitted model assigns customers from their features of the 12 months before the
    comparison period, so neither period compared has a say in who is in which group (grouping
    by this period's features would make the low-frequency clusters "fall" by selection alone).
    """
    s, model = inp.settings, clusters["model"]
    day = inp.comparison.start - pd.Timedelta(days=1)
    feats = clusters_mod.cluster_features(inp.purchases, inp.orders, day,
                                          lookback_months=s.lookback_months,
                                          customers=inp.customers, interactions=inp.interactions)
    shares = [c for c in model.feature_names_ if c.startswith(("cat_", "chan_"))]
    out = {}
    if "price_position" in feats.columns:
        out["price_tier"] = price_tiers(feats["price_position"], s.price_sensitive_below,
                                        s.premium_above)
    feats = feats.reindex(columns=model.feature_names_)
    feats[shares] = feats[shares].fillna(0.0)
    out["cluster"] = pd.Series(model.predict(feats), index=feats.index, name="cluster")
    return out


def shift_step(inp: Inputs, clusters: dict, rfm: dict) -> dict:
    """Purchase frequency by group, now against the comparison period, for several groupings."""
    s = inp.settings
    tables = {}
    groupings = groups_before(inp, clusters)
    if inp.customers is not None and "customer_type" in inp.customers.columns:
        groupings["customer_type"] = inp.customers.set_index("customer_id")["customer_type"]
    counts = customer_counts(inp.purchases, inp.period, inp.comparison)
    for name, groups in groupings.items():
        tables[name] = frequency_shift(inp.purchases, groups.dropna(), inp.period,
                                       inp.comparison, alert=s.frequency_drop_alert,
                                       counts=counts)
    return {"tables": tables, "period": inp.period.label, "compare": inp.comparison.label}
