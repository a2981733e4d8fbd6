"""What stage 03 hands on: the customer table, the CRM export, and the findings' metrics and flags.

Metric names (``findings/segment.json`` → ``metrics``; shares are 0-1, money in the run's
currency):

* ``customers_known``, ``customers_ever``, ``active_now``, ``active_before``, ``revenue_now``,
  ``revenue_before``, ``as_of``/``compare_as_of`` (dates as text);
* ``seg_<code>_customers``, ``seg_<code>_customers_before``, ``seg_<code>_revenue_share`` for
  the 11 RFM segments; ``cn_<code>_customers``, ``cn_<code>_revenue_share`` for the 8 classes;
* ``abc_<A|B|C>_customer_share``, ``abc_<A|B|C>_revenue_share``;
* ``clusters_k``, ``clusters_silhouette``, ``cluster_<n>_customers``, ``cluster_<n>_revenue_share``;
* ``price_tier_<tier>_customers``; ``shift_<grouping>_<group>_change`` and ``…_relative_change``
  (purchases per customer, this period against the comparison period; ``segment.shifts``);
* ``lifecycle_<stage>_now``, ``lifecycle_<stage>_before``, ``churn_window_days``;
* ``clv_total``, ``clv_mean``, ``historical_value_total``, ``bgnbd_r``/``_alpha``/``_a``/``_b``,
  ``gg_p``/``_q``/``_v``, ``clv_holdout_actual``, ``clv_holdout_predicted``,
  ``clv_holdout_rel_error``;
* ``churn_auc``, ``churn_pr_auc``, ``churn_top_decile_lift``, ``churn_baseline_auc``,
  ``churn_baseline_pr_auc``, ``churn_base_rate``, ``expected_churn_rate``,
  ``expected_loss_total``, ``at_risk_value_<now|before|year_ago>`` and
  ``at_risk_share_<now|before|year_ago>`` (12-month revenue of at-risk customers, and its share).

Flags (``id``: when):

* ``segment_shrinking_<code>``: a valuable RFM segment (champions, loyal, can't lose) or the
  important-value class has ``shrink_alert`` fewer customers than in the comparison period;
* ``at_risk_value_rising``: the share of 12-month revenue held by lifecycle ``at_risk``
  customers rose by more than ``at_risk_value_alert`` (relative) against the same period a year
  earlier (or the comparison period without a year of history);
* ``churn_high``: next period's expected churn rate of the active customers exceeds
  ``churn_alert``;
* ``churn_rising``: next period's expected churn rate of the active customers exceeds this
  period's observed churn rate (the validation labels) by more than ``churn_rise_alert``;
* ``frequency_drop_<grouping>_<group>``: a price tier, cluster or customer type buys less
  often than the
  rest by at least ``frequency_drop_alert`` (``segment.shifts``; the seed articles' case C);
* ``clv_model_off``: the BG/NBD holdout check misses total purchases by more than 25 %.
"""
from __future__ import annotations

import pandas as pd

from ..findings import flag
from ..notebook import fmt_pct
from . import clusters as clusters_mod
from . import lifecycle as lifecycle_mod
from . import rfm as rfm_mod
from .shifts import PRICE_TIERS, tier_label

CLV_TOLERANCE = 0.25
MIN_SEGMENT = 20


#: what ``customer_table`` adds to the cleaned customers table (``restore_customers`` strips it)
SCORE_COLUMNS = (
    "known_customer", "lifecycle_stage", "first_purchase", "last_purchase", "n_purchases",
    "lifecycle_before", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
    "rfm_cell", "segment", "cn_class", "abc_grade", "cluster", "price_tier", "historical_value",
    "p_alive", "expected_purchases", "clv", "churn_probability", "expected_loss",
    "segment_label", "cn_label", "lifecycle_label", "price_tier_label", "cluster_label",
)


def customer_table(inp, rfm: dict, abc: dict, lifecycle: dict, clv: dict, churn: dict,
                   clusters: dict) -> pd.DataFrame:
    """One row per customer: the cleaned customers table (personal data already masked by
    02_clean) plus every score and label; customers who bought but are not in that table get
    a row too (``known_customer`` False)."""
    lang = inp.language
    life = lifecycle["now"].set_index("customer_id")
    out = life[["stage", "first_purchase", "last_purchase", "n_purchases"]].rename(
        columns={"stage": "lifecycle_stage"})
    out["lifecycle_stage"] = out["lifecycle_stage"].astype("str")
    out["lifecycle_before"] = lifecycle["before"].set_index("customer_id")["stage"].reindex(
        out.index).astype("object")
    r = rfm["now"].set_index("customer_id")
    cols = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell",
            "segment", "cn_class"]
    out = out.join(r[cols], how="outer")
    out["abc_grade"] = abc["grades"].set_index("customer_id")["grade"].reindex(out.index)
    out["cluster"] = clusters["labels"].reindex(out.index).astype("Int64")
    if clusters.get("price_tiers") is not None:
        out["price_tier"] = clusters["price_tiers"].reindex(out.index)
    c = clv["customers"][["historical_value", "p_alive", "expected_purchases", "clv"]]
    out = out.join(c, how="left")
    if not churn.get("skipped"):
        sc = churn["scored"][["churn_probability", "expected_loss"]]
        out = out.join(sc, how="left")
    out["segment_label"] = out["segment"].map({k: rfm_mod.segment_label(k, lang)
                                               for k in rfm_mod.SEGMENTS})
    out["cn_label"] = out["cn_class"].map({k: rfm_mod.cn_label(k, lang)
                                           for k in rfm_mod.CN_CLASSES})
    out["lifecycle_label"] = out["lifecycle_stage"].map({k: lifecycle_mod.stage_label(k, lang)
                                                         for k in lifecycle_mod.STAGES})
    if "price_tier" in out.columns:
        out["price_tier_label"] = out["price_tier"].map({k: tier_label(k, lang)
                                                         for k in PRICE_TIERS})
    out["cluster_label"] = out["cluster"].map(
        {k: clusters_mod.cluster_label(int(k), lang) for k in out["cluster"].dropna().unique()})
    out.index.name = "customer_id"
    if inp.customers is not None:
        base = inp.customers.set_index("customer_id")
        base = base.assign(known_customer=True)
        out = base.join(out, how="outer")
        out["known_customer"] = out["known_customer"].fillna(False).astype(bool)
    else:
        out.insert(0, "known_customer", False)
    out.index.name = "customer_id"
    return out.reset_index().sort_values("customer_id", ignore_index=True)


def restore_customers(table: pd.DataFrame) -> pd.DataFrame | None:
    """The cleaned customers table back from a ``customer_table`` written over it (a re-run of
    stage 03 reads ``data/customers.parquet`` after it has added its scores); None when no
    customers table was given."""
    scores = [c for c in SCORE_COLUMNS if c in table.columns]
    if not scores:
        return table
    rows = table[table["known_customer"].astype(bool)] if "known_customer" in scores else table
    if rows.empty:
        return None
    return rows.drop(columns=scores).reset_index(drop=True)


def export_frame(customers: pd.DataFrame) -> pd.DataFrame:
    """The CRM export: ids and labels (in the run's language), CLV and churn risk rounded."""
    cols = {"customer_id": "customer_id", "segment_label": "rfm_segment", "cn_label": "rfm_class",
            "abc_grade": "abc_grade", "cluster_label": "cluster",
            "price_tier_label": "price_tier",
            "lifecycle_label": "lifecycle_stage", "clv": "clv",
            "churn_probability": "churn_probability"}
    present = {k: v for k, v in cols.items() if k in customers.columns}
    out = customers[list(present)].rename(columns=present)
    for c in ("clv",):
        if c in out.columns:
            out[c] = out[c].round(2)
    if "churn_probability" in out.columns:
        out["churn_probability"] = out["churn_probability"].round(4)
    return out


def metrics(inp, overview: dict, rfm: dict, abc: dict, lifecycle: dict, clv: dict, churn: dict,
            clusters: dict, shifts: dict) -> dict:
    m: dict = dict(overview)
    for grouping, table in shifts["tables"].items():
        for row in table.itertuples(index=False):
            m[f"shift_{grouping}_{row.group}_change"] = row.change
            m[f"shift_{grouping}_{row.group}_relative_change"] = row.relative_change
    m["as_of"] = inp.as_of.date().isoformat()
    m["compare_as_of"] = inp.before.date().isoformat()
    for row in rfm["summary"].itertuples():
        m[f"seg_{row.segment}_customers"] = int(row.customers)
        m[f"seg_{row.segment}_revenue_share"] = float(row.revenue_share)
    for row in rfm["summary_before"].itertuples():
        m[f"seg_{row.segment}_customers_before"] = int(row.customers)
    for row in rfm["cn_summary"].itertuples():
        m[f"cn_{row.cn_class}_customers"] = int(row.customers)
        m[f"cn_{row.cn_class}_revenue_share"] = float(row.revenue_share)
    for row in abc["summary"].itertuples():
        m[f"abc_{row.grade}_customer_share"] = float(row.customer_share)
        m[f"abc_{row.grade}_revenue_share"] = float(row.revenue_share)
    model = clusters["model"]
    m["clusters_k"] = int(model.k_)
    m["clusters_silhouette"] = float(model.silhouette_)
    for row in clusters["profile"].itertuples():
        m[f"cluster_{row.cluster}_customers"] = int(row.customers)
        m[f"cluster_{row.cluster}_revenue_share"] = float(row.revenue_share)
    if clusters.get("price_tiers") is not None:
        for tier, n in clusters["price_tiers"].value_counts().items():
            m[f"price_tier_{tier}_customers"] = int(n)
    counts = lifecycle["counts"].set_index("stage")
    for stage in counts.index:
        m[f"lifecycle_{stage}_now"] = int(counts.loc[stage, "now"])
        m[f"lifecycle_{stage}_before"] = int(counts.loc[stage, "before"])
    m["churn_window_days"] = lifecycle["window_days"]
    cust = clv["customers"]
    m["clv_total"] = float(cust["clv"].sum())
    m["clv_mean"] = float(cust["clv"].mean())
    m["historical_value_total"] = float(cust["historical_value"].sum())
    bgf, ggf = clv["bgf"], clv["ggf"]
    m.update({"bgnbd_r": bgf.r_, "bgnbd_alpha": bgf.alpha_, "bgnbd_a": bgf.a_, "bgnbd_b": bgf.b_,
              "gg_p": ggf.p_, "gg_q": ggf.q_, "gg_v": ggf.v_})
    if "validation_metrics" in clv:
        vm = clv["validation_metrics"]
        m["clv_holdout_actual"] = vm["total_actual"]
        m["clv_holdout_predicted"] = vm["total_predicted"]
        m["clv_holdout_rel_error"] = vm["relative_error"]
    if not churn.get("skipped"):
        res = churn["result"]["metrics"]
        m["churn_auc"] = res["model"]["auc"]
        m["churn_pr_auc"] = res["model"]["pr_auc"]
        m["churn_top_decile_lift"] = res["model"]["top_decile_lift"]
        m["churn_base_rate"] = res["model"]["base_rate"]
        m["churn_baseline_auc"] = res["baseline"]["auc"]
        m["churn_baseline_pr_auc"] = res["baseline"]["pr_auc"]
        m["churn_scoring_model"] = churn["result"]["scoring_kind"]
        m["expected_churn_rate"] = float(churn["scored"]["churn_probability"].mean())
        m["expected_loss_total"] = float(churn["scored"]["expected_loss"].sum())
    for key, point in lifecycle["at_risk"].items():
        m[f"at_risk_value_{key}"] = point["value"]
        m[f"at_risk_share_{key}"] = point["share"]
    return m


def flags(inp, m: dict, rfm: dict, clusters: dict, shifts: dict, churn: dict) -> list[dict]:
    s, tr = inp.settings, _tr(inp.language)
    out: list[dict] = []
    comp = rfm["comparison"]
    key = comp.columns[0]
    for row in comp.itertuples(index=False):
        code = getattr(row, key)
        if code not in rfm_mod.VALUABLE_SEGMENTS:
            continue
        out += _shrink(inp, code, rfm_mod.segment_label(code, inp.language), row.customers_before,
                       row.customers_now, s.shrink_alert)
    cn = rfm["cn_comparison"]
    for row in cn.itertuples(index=False):
        if getattr(row, cn.columns[0]) == "important_value":
            out += _shrink(inp, "important_value", rfm_mod.cn_label("important_value", inp.language),
                           row.customers_before, row.customers_now, s.shrink_alert)
    out += _at_risk_flag(inp, m)
    rate, seen = m.get("expected_churn_rate"), m.get("churn_base_rate")
    if rate is not None and rate > s.churn_alert:
        out.append(flag("churn_high", "critical",
                        tr(f"活跃客户下期预计流失率 {fmt_pct(rate)}，超过阈值 {fmt_pct(s.churn_alert)}",
                           f"Expected churn of the active customers next period is {fmt_pct(rate)}, "
                           f"above the threshold of {fmt_pct(s.churn_alert)}"),
                        expected_churn_rate=rate, threshold=s.churn_alert))
    if rate is not None and seen and rate > seen * (1 + s.churn_rise_alert):
        out.append(flag("churn_rising", "warning",
                        tr(f"活跃客户下期预计流失率 {fmt_pct(rate)}，高于本期实际流失率 {fmt_pct(seen)}",
                           f"Expected churn of the active customers next period is {fmt_pct(rate)}, "
                           f"above this period's observed {fmt_pct(seen)}"),
                        expected_churn_rate=rate, observed_churn_rate=seen,
                        threshold=s.churn_rise_alert))
    out += _frequency_flags(inp, shifts, clusters)
    err = m.get("clv_holdout_rel_error")
    if err is not None and abs(err) > CLV_TOLERANCE:
        out.append(flag("clv_model_off", "info",
                        tr(f"CLV 模型在留出期的购买次数预测偏差 {fmt_pct(err)}，请谨慎使用预测值",
                           f"The CLV model misses holdout purchases by {fmt_pct(err)}; "
                           "use its predictions with care"), relative_error=err))
    return out


def _at_risk_flag(inp, m: dict) -> list[dict]:
    """At-risk customers hold a larger share of 12-month revenue than a year ago (or, without
    a year of history, than at the comparison period's end): the share, not the amount, so
    growth of the customer base does not raise it, and against a year ago so the season
    does not."""
    ref = "year_ago" if "at_risk_share_year_ago" in m else "before"
    now, then = m["at_risk_share_now"], m[f"at_risk_share_{ref}"]
    alert = inp.settings.at_risk_value_alert
    if not then or now / then - 1 <= alert:
        return []
    change = now / then - 1
    when = inp.period.year_ago().label if ref == "year_ago" else inp.comparison.label
    tr = _tr(inp.language)
    return [flag("at_risk_value_rising", "critical" if change > 2 * alert else "warning",
                 tr(f"流失风险客户占近12个月消费额的比例由 {fmt_pct(then)}（{when}）升至 {fmt_pct(now)}"
                    f"，金额 {m['at_risk_value_now']:,.0f}",
                    f"At-risk customers hold {fmt_pct(now)} of 12-month revenue, up from "
                    f"{fmt_pct(then)} in {when} ({m['at_risk_value_now']:,.0f})"),
                 share_now=now, share_then=then, reference=when, change=change,
                 value_now=m["at_risk_value_now"])]


def _shrink(inp, code: str, label: str, before: float, now: float, alert: float) -> list[dict]:
    if before < MIN_SEGMENT or now >= before * (1 - alert):
        return []
    change = now / before - 1
    tr = _tr(inp.language)
    return [flag(f"segment_shrinking_{code}", "critical" if change <= -2 * alert else "warning",
                 tr(f"{label}由 {before:,.0f} 人降至 {now:,.0f} 人（{fmt_pct(change)}）",
                    f"{label} fell from {before:,.0f} to {now:,.0f} customers ({fmt_pct(change)})"),
                 segment=code, before=before, now=now, change=change,
                 compare=inp.comparison.label)]


def _frequency_flags(inp, shifts: dict, clusters: dict) -> list[dict]:
    tr = _tr(inp.language)
    desc = clusters["profile"].set_index("cluster")["description"]
    desc.index = desc.index.astype(str)
    out = []
    for grouping, table in shifts["tables"].items():
        for row in table[table["flagged"]].itertuples(index=False):
            if grouping == "cluster":
                name = clusters_mod.cluster_label(int(row.group), inp.language)
                detail = desc.get(str(row.group), "")
                label = f"{name}（{detail}）" if inp.language == "zh" else f"{name} ({detail})"
            elif grouping == "price_tier":
                label = tier_label(str(row.group), inp.language)
            else:
                label = str(row.group)
            sev = "critical" if row.relative_change <= -2 * inp.settings.frequency_drop_alert \
                else "warning"
            out.append(flag(
                f"frequency_drop_{grouping}_{row.group}", sev,
                tr(f"{label}的人均购买次数较{inp.comparison.label}下降 {fmt_pct(-row.change)}"
                   f"（{row.freq_before:.2f} → {row.freq_now:.2f}），比其他客户多降 "
                   f"{fmt_pct(-row.relative_change)}",
                   f"{label}: purchases per customer fell {fmt_pct(-row.change)} against "
                   f"{inp.comparison.label} ({row.freq_before:.2f} → {row.freq_now:.2f}), "
                   f"{fmt_pct(-row.relative_change)} more than the other customers"),
                grouping=grouping, group=str(row.group), customers=int(row.customers),
                freq_before=row.freq_before, freq_now=row.freq_now, change=row.change,
                relative_change=row.relative_change, p_value=row.p_value,
                compare=inp.comparison.label))
    return out


def _tr(language: str):
    return lambda zh, en: zh if language == "zh" else en
