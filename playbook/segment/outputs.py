"""What stage 03 hands on: the customer table, the CRM export, and the findings' metrics and flags.

Metric names (``findings/segment.json`` → ``metrics``; shares are 0-1, money in the run's
currency):

* ``customers_known``, ``customers_ever``, ``active_now``, ``active_before``, ``revenue_now``,
  ``revenue_before``, ``as_of``/``compare_as_of`` (dates as text);
* ``seg_<code>_customers``, ``seg_<code>_customers_before``, ``seg_<code>_revenue_share`` for
  the 11 RFM segments; ``cn_<code>_customers``, ``cn_<code>_revenue_share`` for the 8 classes;
* ``abc_<A|B|C>_customer_share``, ``abc_<A|B|C>_revenue_share``;
* ``clusters_k``, ``clusters_silhouette``, ``cluster_<n>_customers``, ``cluster_<n>_revenue_share``;
* ``lifecycle_<stage>_now``, ``lifecycle_<stage>_before``, ``churn_window_days``;
* ``clv_total``, ``clv_mean``, ``historical_value_total``, ``bgnbd_r``/``_alpha``/``_a``/``_b``,
  ``gg_p``/``_q``/``_v``, ``clv_holdout_actual``, ``clv_holdout_predicted``,
  ``clv_holdout_rel_error``;
* ``churn_auc``, ``churn_pr_auc``, ``churn_top_decile_lift``, ``churn_baseline_auc``,
  ``churn_baseline_pr_auc``, ``churn_base_rate``, ``expected_churn_rate``,
  ``expected_loss_total``, ``at_risk_value_now``, ``at_risk_value_before``.

Flags (``id``: when):

* ``segment_shrinking_<code>``: a valuable RFM segment (champions, loyal, can't lose) or the
  important-value class has ``shrink_alert`` fewer customers than in the comparison period;
* ``at_risk_value_rising``: the 12-month revenue of lifecycle ``at_risk`` customers rose by more
  than ``at_risk_value_alert``;
* ``churn_high``: the expected churn rate of the active customers exceeds ``churn_alert``;
* ``frequency_drop_<grouping>_<group>``: a cluster or customer type buys less often than the
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

CLV_TOLERANCE = 0.25
MIN_SEGMENT = 20


def customer_table(inp, rfm: dict, abc: dict, lifecycle: dict, clv: dict, churn: dict,
                   clusters: dict) -> pd.DataFrame:
    """One row per customer with every score and label (no personal data)."""
    lang = inp.language
    life = lifecycle["now"].set_index("customer_id")
    out = life[["stage", "first_purchase", "last_purchase", "n_purchases"]].rename(
        columns={"stage": "lifecycle_stage"})
    out["lifecycle_before"] = lifecycle["before"].set_index("customer_id")["stage"].reindex(
        out.index)
    r = rfm["now"].set_index("customer_id")
    cols = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell",
            "segment", "cn_class"]
    out = out.join(r[cols], how="outer")
    out["abc_grade"] = abc["grades"].set_index("customer_id")["grade"].reindex(out.index)
    out["cluster"] = clusters["labels"].reindex(out.index).astype("Int64")
    c = clv["customers"][["historical_value", "p_alive", "expected_purchases", "clv"]]
    out = out.join(c, how="left")
    if not churn.get("skipped"):
        sc = churn["scored"][["churn_probability", "expected_loss"]]
        out = out.join(sc, how="left")
    out["segment_label"] = out["segment"].map(lambda v: rfm_mod.segment_label(v, lang)
                                              if isinstance(v, str) else None)
    out["cn_label"] = out["cn_class"].map(lambda v: rfm_mod.cn_label(v, lang)
                                          if isinstance(v, str) else None)
    out["lifecycle_label"] = out["lifecycle_stage"].map(
        lambda v: lifecycle_mod.stage_label(v, lang) if isinstance(v, str) else None)
    out["cluster_label"] = out["cluster"].map(
        lambda v: clusters_mod.cluster_label(int(v), lang) if pd.notna(v) else None)
    if inp.customers is not None:
        keep = [c for c in ("region", "customer_type", "city", "gender", "birth_year",
                            "acquisition_channel") if c in inp.customers.columns]
        out = out.join(inp.customers.set_index("customer_id")[keep], how="left")
    out.index.name = "customer_id"
    return out.reset_index().sort_values("customer_id", ignore_index=True)


def export_frame(customers: pd.DataFrame) -> pd.DataFrame:
    """The CRM export: ids and labels (in the run's language), CLV and churn risk rounded."""
    cols = {"customer_id": "customer_id", "segment_label": "rfm_segment", "cn_label": "rfm_class",
            "abc_grade": "abc_grade", "cluster_label": "cluster",
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
            clusters: dict) -> dict:
    m: dict = dict(overview)
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
        m["expected_churn_rate"] = float(churn["scored"]["churn_probability"].mean())
        m["expected_loss_total"] = float(churn["scored"]["expected_loss"].sum())
    m["at_risk_value_now"], m["at_risk_value_before"] = at_risk_value(inp, lifecycle, rfm)
    return m


def at_risk_value(inp, lifecycle: dict, rfm: dict) -> tuple[float, float]:
    """12-month revenue of the customers in lifecycle stage at_risk, now and before."""
    out = []
    for key in ("now", "before"):
        stages = lifecycle[key].set_index("customer_id")["stage"]
        money = rfm[key].set_index("customer_id")["monetary"]
        out.append(float(money.reindex(stages.index[stages == "at_risk"]).fillna(0).sum()))
    return out[0], out[1]


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
    now, before = m["at_risk_value_now"], m["at_risk_value_before"]
    if before > 0 and now / before - 1 > s.at_risk_value_alert:
        change = now / before - 1
        out.append(flag("at_risk_value_rising", "warning" if change < 2 * s.at_risk_value_alert
                        else "critical",
                        tr(f"流失风险客户的近12个月消费额上升 {fmt_pct(change)}（{before:,.0f} → {now:,.0f}）",
                           f"Revenue of at-risk customers rose {fmt_pct(change)} ({before:,.0f} → {now:,.0f})"),
                        before=before, now=now, change=change))
    rate = m.get("expected_churn_rate")
    if rate is not None and rate > s.churn_alert:
        out.append(flag("churn_high", "warning",
                        tr(f"活跃客户下期预计流失率 {fmt_pct(rate)}，高于阈值 {fmt_pct(s.churn_alert)}",
                           f"Expected churn of active customers next period is {fmt_pct(rate)}, "
                           f"above {fmt_pct(s.churn_alert)}"),
                        expected_churn_rate=rate, threshold=s.churn_alert))
    out += _frequency_flags(inp, shifts, clusters)
    err = m.get("clv_holdout_rel_error")
    if err is not None and abs(err) > CLV_TOLERANCE:
        out.append(flag("clv_model_off", "info",
                        tr(f"CLV 模型在留出期的购买次数预测偏差 {fmt_pct(err)}，请谨慎使用预测值",
                           f"The CLV model misses holdout purchases by {fmt_pct(err)}; "
                           "use its predictions with care"), relative_error=err))
    return out


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
