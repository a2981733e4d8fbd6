"""Stage 04's recipe: the unit's cleaned tables in, one dict of results per section out.

Each ``*_step`` is a pure function of ``Inputs`` (and earlier results); the stage module shows
them and ``feedback.outputs`` turns them into metrics and flags. A section whose table is absent
returns ``{"skipped": <table>}``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..periods import Period
from ..purchases import purchases
from ..segment.pipeline import comparison_period
from . import complaints as cm
from . import drivers, satisfaction, text
from . import interactions as it
from .labels import aspects_of
from .settings import FeedbackSettings

LABEL_COLUMNS = ("segment", "segment_label", "lifecycle_stage", "lifecycle_label",
                 "churn_probability", "clv")


@dataclass(frozen=True)
class Inputs:
    feedback: pd.DataFrame | None  # with `period` and the customers' labels joined
    complaints: pd.DataFrame | None  # with `period`
    interactions: pd.DataFrame | None
    customers: pd.DataFrame | None
    purchases: pd.DataFrame | None
    period: Period
    comparison: Period
    periods: list[Period]
    settings: FeedbackSettings
    language: str = "zh"
    unit_column: str | None = None  # set in the total unit, where units can be compared
    absent: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.period.end

    def now(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["period"] == self.period.label]

    def before(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["period"] == self.comparison.label]


def label_periods(dates: pd.Series, periods: list[Period]) -> pd.Series:
    """The label of the period each date falls in (missing outside every period)."""
    d = pd.to_datetime(dates)
    out = pd.Series(pd.NA, index=dates.index, dtype="str")
    for p in periods:
        out = out.mask((d >= p.start) & (d < p.end_exclusive), p.label)
    return out


def make_inputs(tables: dict[str, pd.DataFrame], period: Period, history: int,
                settings: FeedbackSettings, language: str = "zh",
                unit_column: str | None = None) -> Inputs:
    comparison = comparison_period(period, settings.compare)
    periods = period.history(history)
    if comparison.label not in {p.label for p in periods}:
        periods = [comparison, *periods]
    customers = tables.get("customers")
    fb = tables.get("feedback")
    if fb is not None:
        fb = fb.assign(period=label_periods(fb["response_date"], periods))
        if customers is not None:
            keep = [c for c in ("customer_id", *LABEL_COLUMNS,
                                *([unit_column] if unit_column else [])) if c in customers]
            extra = [c for c in keep if c != "customer_id" and c not in fb.columns]
            if extra:
                fb = fb.merge(customers[["customer_id", *extra]], on="customer_id", how="left")
    comp = tables.get("complaints")
    if comp is not None:
        comp = comp.assign(period=label_periods(comp["opened_at"], periods))
        if unit_column and customers is not None and unit_column in customers \
                and unit_column not in comp:
            comp = comp.merge(customers[["customer_id", unit_column]], on="customer_id",
                              how="left")
    orders = tables.get("orders")
    if orders is not None:
        orders = orders[orders["order_date"] < period.end_exclusive]
    return Inputs(
        feedback=fb, complaints=comp, interactions=tables.get("interactions"),
        customers=customers, purchases=purchases(orders) if orders is not None else None,
        period=period, comparison=comparison, periods=periods, settings=settings,
        language=language, unit_column=unit_column,
        absent=[t for t in ("feedback", "complaints", "interactions") if tables.get(t) is None])


# --- satisfaction --------------------------------------------------------------------------
def breakdown_columns(inp: Inputs) -> list[str]:
    cols = [inp.unit_column, "segment_label", "lifecycle_label", "channel"]
    return [c for c in cols if c and inp.feedback is not None and c in inp.feedback.columns]


def satisfaction_step(inp: Inputs) -> dict:
    if inp.feedback is None:
        return {"skipped": "feedback"}
    s = inp.settings
    fb, now, before = inp.feedback, inp.now(inp.feedback), inp.before(inp.feedback)
    out: dict = {"period": inp.period.label, "compare": inp.comparison.label,
                 "has_csat": "csat" in fb and fb["csat"].notna().any(),
                 "has_nps": "nps" in fb and fb["nps"].notna().any()}
    out["csat"] = satisfaction.csat_stats(now.get("csat", pd.Series(dtype=float)), s.top_box,
                                          s.confidence)
    out["nps"] = satisfaction.nps_stats(now.get("nps", pd.Series(dtype=float)), s.confidence)
    out["change"] = satisfaction.compare(now, before, s.top_box)
    order = [p.label for p in inp.periods]
    trend = satisfaction.satisfaction_by(fb.dropna(subset=["period"]), "period", s.top_box,
                                         s.confidence)
    out["trend"] = trend.set_index("period").reindex(
        [p for p in order if p in set(trend["period"])]).reset_index()
    out["by"] = {}
    out["by_change"] = {}
    for col in breakdown_columns(inp):
        out["by"][col] = satisfaction.satisfaction_by(now, col, s.top_box, s.confidence,
                                                      min_n=s.min_responses)
        out["by_change"][col] = satisfaction.compare_by(now, before, col, s.top_box)
    out["responses"] = len(now)
    out["responses_before"] = len(before)
    return out


# --- drivers -------------------------------------------------------------------------------
def aspect_change(now: pd.DataFrame, before: pd.DataFrame, aspects: list[str]) -> pd.DataFrame:
    """Mean rating of each aspect now and before, the change and its Welch t-test p-value."""
    rows = []
    for a in aspects:
        x = pd.to_numeric(now[f"rating_{a}"], errors="coerce").dropna()
        y = pd.to_numeric(before[f"rating_{a}"], errors="coerce").dropna()
        p = (stats.ttest_ind(x, y, equal_var=False).pvalue
             if len(x) > 1 and len(y) > 1 and (x.var() > 0 or y.var() > 0) else np.nan)
        rows.append({"aspect": a, "now": x.mean() if len(x) else np.nan,
                     "before": y.mean() if len(y) else np.nan, "n_now": len(x),
                     "n_before": len(y), "p_value": p})
    out = pd.DataFrame(rows, columns=["aspect", "now", "before", "n_now", "n_before", "p_value"])
    out["change"] = out["now"] - out["before"]
    return out


def drivers_step(inp: Inputs) -> dict:
    if inp.feedback is None:
        return {"skipped": "feedback"}
    fb = inp.feedback
    aspects = aspects_of(fb.columns)
    target = inp.settings.target
    if not aspects or target not in fb or fb[target].isna().all():
        return {"skipped": "rating_<aspect>" if not aspects else target}
    now, before = inp.now(fb), inp.before(fb)
    cols = [f"rating_{a}" for a in aspects]
    basis = now
    if now[[target, *cols]].dropna().shape[0] < 10 * len(cols):  # too few: the whole window
        basis = fb.dropna(subset=["period"])
    weights = drivers.relative_weights(basis, target, cols)
    change = aspect_change(now, before, aspects)
    perf = change.set_index("aspect")["now"]
    ip = drivers.importance_performance(weights, perf) if not weights.empty else pd.DataFrame()
    out = {"aspects": aspects, "target": target, "weights": weights, "change": change, "ip": ip,
           "basis": "period" if basis is now else "window", "by_change": {}}
    if inp.unit_column and inp.unit_column in fb:
        for g, part in now.groupby(inp.unit_column, observed=True):
            prev = before[before[inp.unit_column] == g]
            out["by_change"][str(g)] = aspect_change(part, prev, aspects)
    return out


# --- complaints ----------------------------------------------------------------------------
def complaints_step(inp: Inputs) -> dict:
    if inp.complaints is None:
        return {"skipped": "complaints"}
    if inp.purchases is None:
        return {"skipped": "orders"}
    s, c = inp.settings, inp.complaints
    active = cm.active_customers(inp.purchases, inp.periods)
    now_l, before_l = inp.period.label, inp.comparison.label
    total = cm.complaint_rates(c, active, inp.periods)
    out: dict = {"period": now_l, "compare": before_l, "rates": total, "active": active}
    out["change"] = cm.rate_change(total, now_l, before_l)
    for by in ("category", "severity", inp.unit_column):
        if by and by in c.columns:
            r = cm.complaint_rates(c, active, inp.periods, by=by)
            out[f"rates_{by}"] = r
            out[f"change_{by}"] = cm.rate_change(r, now_l, before_l, by=by)
    times = cm.ticket_times(c[c["period"].isin([now_l, before_l])], inp.as_of,
                            s.first_response_hours, s.resolution_hours)
    t_now, t_before = times[times["period"] == now_l], times[times["period"] == before_l]
    out["service"] = cm.service_levels(t_now)
    out["service_before"] = cm.service_levels(t_before)
    if "category" in c.columns:
        out["service_category"] = cm.service_levels(t_now, by="category")
        out["service_category_before"] = cm.service_levels(t_before, by="category")
    out["repeat"] = cm.repeat_complainers(c, inp.as_of, s.repeat_tickets)
    out["churn"] = (cm.complaint_churn(c, inp.customers, inp.comparison)
                    if inp.customers is not None else pd.DataFrame())
    out["tickets_now"] = int(len(t_now))
    return out


# --- text ----------------------------------------------------------------------------------
def text_step(inp: Inputs) -> dict:
    s, lang = inp.settings, inp.language
    out: dict = {}
    fb = inp.feedback
    if fb is None or "comment" not in fb or fb["comment"].notna().sum() == 0:
        out["skipped"] = "feedback.comment"
    else:
        rows = fb.dropna(subset=["comment", "period"])
        scored = text.sentiment(rows["comment"], lang)
        rows = rows.assign(sentiment_score=scored["score"].to_numpy(),
                           sentiment=scored["label"].to_numpy())
        out["comments"] = rows
        shares = (rows.groupby("period")["sentiment"].value_counts(normalize=True)
                  .unstack(fill_value=0.0))
        order = [p.label for p in inp.periods if p.label in shares.index]
        out["shares"] = shares.reindex(order).reset_index()
        now, before = inp.now(rows), inp.before(rows)
        out["negative_now"] = (now["sentiment"] == "negative").mean() if len(now) else np.nan
        out["negative_before"] = ((before["sentiment"] == "negative").mean()
                                  if len(before) else np.nan)
        out["negative_p"] = cm.two_proportion_p(
            (now["sentiment"] == "negative").sum(), len(now),
            (before["sentiment"] == "negative").sum(), len(before))
        out["keywords"] = text.keywords(now["comment"], now["sentiment"], lang, top=s.keywords)
        topics, assigned = text.topics(now["comment"], lang, k=s.topics)
        out["topics"] = topics
        now = now.assign(topic=assigned.reindex(now.index).to_numpy())
        out["now"] = now
        out["verbatims"] = text.verbatims(now, "comment", "sentiment_score", n=s.verbatims,
                                          by="sentiment")
    c = inp.complaints
    if c is not None and "text" in c and c["text"].notna().any():
        rows = inp.now(c).dropna(subset=["text"])
        topics, assigned = text.topics(rows["text"], lang, k=s.topics)
        out["complaint_topics"] = topics
        rows = rows.assign(topic=assigned.reindex(rows.index).to_numpy(), score=0.0)
        out["complaint_verbatims"] = text.verbatims(rows, "text", "score", n=s.verbatims,
                                                    by="topic")
    return out


# --- interactions --------------------------------------------------------------------------
def interactions_step(inp: Inputs) -> dict:
    if inp.interactions is None:
        return {"skipped": "interactions"}
    out: dict = {"by_type": it.engagement_by_type(inp.interactions, inp.period, inp.comparison)}
    cust = inp.customers
    if cust is not None:
        for by in ("segment_label", "lifecycle_label"):
            if by in cust:
                out[f"by_{by}"] = it.engagement_by(inp.interactions, cust, by, inp.period)
        ids = cust["customer_id"]
    else:
        ids = inp.interactions["customer_id"]
    if inp.purchases is not None:
        out["purchase"], out["summary"] = it.engagement_purchase(
            inp.interactions, inp.purchases, ids, inp.period)
    return out


# --- callbacks -----------------------------------------------------------------------------
def callbacks(inp: Inputs) -> pd.DataFrame:
    """Detractors of this period to call back: their latest response has NPS ≤ callback_nps_max
    or CSAT ≤ callback_csat_max. IDs, scores and 03's labels only (no personal data); the most
    valuable (CLV) first."""
    cols = ["customer_id", "response_date", "csat", "nps", "segment", "lifecycle_stage", "clv",
            "churn_probability"]
    if inp.feedback is None:
        return pd.DataFrame(columns=cols)
    now = inp.now(inp.feedback).sort_values("response_date")
    last = now.drop_duplicates("customer_id", keep="last")
    s = inp.settings
    bad = pd.Series(False, index=last.index)
    if "nps" in last:
        bad |= (last["nps"] <= s.callback_nps_max).fillna(False)
    if "csat" in last:
        bad |= (last["csat"] <= s.callback_csat_max).fillna(False)
    out = last[bad][[c for c in cols if c in last.columns]]
    if "clv" in out:
        out = out.sort_values("clv", ascending=False, na_position="last")
    return out.reset_index(drop=True)
