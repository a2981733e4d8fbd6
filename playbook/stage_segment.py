"""Stage 03_segment: what each notebook cell calls: compute one section, show it, save at the end.

The computation is in ``playbook.segment`` (``pipeline`` runs it as a recipe), the charts in
``playbook.plots``; this module only reads the unit's cleaned tables, shows results with their
narrative in the run's language, and writes ``data/customers.parquet``,
``exports/segments.csv`` and ``findings/segment.json``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .context import StageContext, open_stage
from .exports import write_export
from .notebook import fmt_int, fmt_pct, md, table
from .notebook import show_figure as _show
from .plots import abc as abc_plots
from .plots import churn as churn_plots
from .plots import clusters as cluster_plots
from .plots import clv as clv_plots
from .plots import lifecycle as lifecycle_plots
from .plots import rfm as rfm_plots
from .segment import clusters as clusters_mod
from .segment import lifecycle as lifecycle_mod
from .segment import outputs, pipeline
from .segment import rfm as rfm_mod
from .segment.pipeline import Inputs
from .segment.shifts import tier_label

TABLES = ("orders", "customers", "feedback", "complaints", "interactions")


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "segment")


def load(ctx: StageContext) -> Inputs:
    """The unit's cleaned tables (from 02_clean) and the periods the stage compares."""
    if not ctx.has("orders"):
        from .errors import UpstreamMissingError

        raise UpstreamMissingError(ctx.unit, "03_segment", "data/orders.parquet (02_clean)")
    tables = {t: ctx.read(t) for t in TABLES if ctx.has(t)}
    if "customers" in tables:  # after a first run it holds this stage's scores too
        tables["customers"] = outputs.restore_customers(tables["customers"])
        if tables["customers"] is None:
            del tables["customers"]
    start, _ = ctx.window
    return pipeline.make_inputs(tables, ctx.period, start, ctx.cfg.model.segment, ctx.language)


def _money(v: float, ctx: StageContext) -> str:
    return f"{v:,.0f} {ctx.cfg.model.currency}"


def _change(now: float, before: float) -> str:
    return fmt_pct(now / before - 1) if before else "—"


# --- overview ------------------------------------------------------------------------------
def overview(ctx: StageContext, inp: Inputs) -> dict:
    o = pipeline.overview(inp)
    p, c = inp.period.label, inp.comparison.label
    md(ctx.tr(
        f"截至 **{inp.as_of.date()}**，本单元共有 **{fmt_int(o['customers_known'])}** 位客户，"
        f"其中 {fmt_int(o['customers_ever'])} 位有过购买。{p} 有 **{fmt_int(o['active_now'])}** "
        f"位客户下单 {fmt_int(o['orders_now'])} 次（对比期 {c}：{fmt_int(o['active_before'])} 位，"
        f"{_change(o['active_now'], o['active_before'])}），净销售额 **{_money(o['revenue_now'], ctx)}**"
        f"（{_change(o['revenue_now'], o['revenue_before'])}）。",
        f"As of **{inp.as_of.date()}** the unit has **{fmt_int(o['customers_known'])}** customers, "
        f"{fmt_int(o['customers_ever'])} of whom have bought. In {p}, **{fmt_int(o['active_now'])}** "
        f"customers placed {fmt_int(o['orders_now'])} orders (comparison period {c}: "
        f"{fmt_int(o['active_before'])}, {_change(o['active_now'], o['active_before'])}); net "
        f"revenue **{_money(o['revenue_now'], ctx)}** ({_change(o['revenue_now'], o['revenue_before'])})."))
    return o


# --- RFM -----------------------------------------------------------------------------------
def rfm(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.rfm_step(inp)


def show_rfm(ctx: StageContext, r: dict) -> None:
    lang = ctx.language
    s = r["summary"]
    top = s.sort_values("revenue_share", ascending=False).iloc[0]
    champs = s.set_index("segment").loc["champions"]
    md(ctx.tr(
        f"RFM 以最近 {ctx.cfg.model.segment.lookback_months} 个月的购买计算。"
        f"**{rfm_mod.segment_label('champions', lang)}** 有 {fmt_int(champs['customers'])} 人"
        f"（{fmt_pct(champs['customer_share'])}），贡献 {fmt_pct(champs['revenue_share'])} 的消费额；"
        f"贡献最多的是 **{rfm_mod.segment_label(top['segment'], lang)}**（{fmt_pct(top['revenue_share'])}）。",
        f"RFM counts the purchases of the last {ctx.cfg.model.segment.lookback_months} months. "
        f"**{rfm_mod.segment_label('champions', lang)}** are {fmt_int(champs['customers'])} customers "
        f"({fmt_pct(champs['customer_share'])}) with {fmt_pct(champs['revenue_share'])} of revenue; "
        f"the largest revenue share is **{rfm_mod.segment_label(top['segment'], lang)}** "
        f"({fmt_pct(top['revenue_share'])})."))
    table(_segment_table(ctx, s, "segment", rfm_mod.segment_label))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    rfm_plots.plot_segments(s, ax=axes[0], language=lang)
    rfm_plots.plot_rfm_grid(r["now"], ax=axes[1], language=lang)
    _show(fig)
    comp = r["comparison"]
    md(ctx.tr("与对比期相比各分群的人数变化：", "Segment sizes against the comparison period:"))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    rfm_plots.plot_segment_change(comp, ax=ax, language=lang)
    _show(fig)


def show_rfm_classes(ctx: StageContext, r: dict) -> None:
    lang, cuts = ctx.language, r["cn_cuts"]
    how = {"mean": ctx.tr("均值", "mean"), "median": ctx.tr("中位数", "median"),
           "threshold": ctx.tr("设定阈值", "set thresholds")}[ctx.cfg.model.segment.cn_split]
    md(ctx.tr(
        f"RFM 八类客户：R、F、M 分别与{how}比较（最近购买距今 < {cuts['recency_days']:,.0f} 天为高，"
        f"购买次数 > {cuts['frequency']:,.2f} 为高，消费额 > {cuts['monetary']:,.0f} 为高）。",
        f"The eight RFM classes compare R, F and M with their {how} (recency < "
        f"{cuts['recency_days']:,.0f} days is high, frequency > {cuts['frequency']:,.2f} is high, "
        f"monetary > {cuts['monetary']:,.0f} is high)."))
    table(_segment_table(ctx, r["cn_summary"], "cn_class", rfm_mod.cn_label))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    rfm_plots.plot_segments(r["cn_summary"].rename(columns={"cn_class": "segment"}), ax=ax,
                            language=lang, label=rfm_mod.cn_label)
    _show(fig)


def _segment_table(ctx: StageContext, s: pd.DataFrame, key: str, label) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.tr("分群", "segment"): [label(v, ctx.language) for v in s[key]],
        ctx.tr("客户数", "customers"): s["customers"].map(fmt_int),
        ctx.tr("客户占比", "share"): s["customer_share"].map(fmt_pct),
        ctx.tr("消费额占比", "revenue share"): s["revenue_share"].map(fmt_pct),
        ctx.tr("平均 R（天）", "avg R (days)"): s["recency_days"].map(fmt_int),
        ctx.tr("平均 F（次）", "avg F"): s["frequency"].map(lambda v: f"{v:.2f}"),
        ctx.tr("平均 M", "avg M"): s["monetary"].map(fmt_int),
    })


# --- ABC -----------------------------------------------------------------------------------
def abc(ctx: StageContext, inp: Inputs, r: dict) -> dict:
    return pipeline.abc_step(inp, r)


def show_abc(ctx: StageContext, a: dict) -> None:
    s = a["summary"].set_index("grade")
    shares = ctx.cfg.model.segment.abc
    md(ctx.tr(
        f"按累计消费额占比分级（A {fmt_pct(shares[0], 0)} / B {fmt_pct(shares[1], 0)} / "
        f"C {fmt_pct(shares[2], 0)}）：**A 级 {fmt_int(s.loc['A', 'customers'])} 位客户"
        f"（{fmt_pct(s.loc['A', 'customer_share'])}）贡献 {fmt_pct(s.loc['A', 'revenue_share'])}** 的消费额，"
        f"C 级客户占 {fmt_pct(s.loc['C', 'customer_share'])}。",
        f"Grades by cumulative revenue share (A {fmt_pct(shares[0], 0)} / B {fmt_pct(shares[1], 0)}"
        f" / C {fmt_pct(shares[2], 0)}): **grade A, {fmt_int(s.loc['A', 'customers'])} customers "
        f"({fmt_pct(s.loc['A', 'customer_share'])}), brings {fmt_pct(s.loc['A', 'revenue_share'])}** "
        f"of revenue; grade C is {fmt_pct(s.loc['C', 'customer_share'])} of customers."))
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    abc_plots.plot_pareto(a["curve"], a["summary"], ax=ax, language=ctx.language)
    _show(fig)


# --- clusters ------------------------------------------------------------------------------
def clusters(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.cluster_step(inp)


def show_clusters(ctx: StageContext, c: dict) -> None:
    model, prof = c["model"], c["profile"]
    lang = ctx.language
    used = ", ".join(model.feature_names_[:8]) + (" …" if len(model.feature_names_) > 8 else "")
    md(ctx.tr(
        f"以 {len(c['features']):,} 位最近 {ctx.cfg.model.segment.lookback_months} 个月有购买的客户做行为聚类"
        f"（{model_name(model)}，特征取对数并标准化：{used}）。按轮廓系数选择 **k = {model.k_}**"
        f"（轮廓系数 {model.silhouette_:.2f}）。",
        f"Behavioural clusters of the {len(c['features']):,} customers who bought in the last "
        f"{ctx.cfg.model.segment.lookback_months} months ({model_name(model)}, log-transformed and "
        f"standardized features: {used}). **k = {model.k_}** by silhouette "
        f"({model.silhouette_:.2f})."))
    if getattr(model, "silhouette_by_k_", None):
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
        cluster_plots.plot_silhouette(model.silhouette_by_k_, model.k_, ax=axes[0], language=lang)
        cluster_plots.plot_cluster_sizes(prof, ax=axes[1], language=lang)
    else:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        cluster_plots.plot_cluster_sizes(prof, ax=ax, language=lang)
    _show(fig)
    fig, ax = plt.subplots(figsize=(11, 0.6 * len(prof) + 2.5))
    cluster_plots.plot_cluster_profiles(prof, ax=ax, language=lang)
    _show(fig)
    table(profile_table(ctx, prof), max_rows=20)


def model_name(model) -> str:
    return {"kmeans": "KMeans", "gmm": "Gaussian mixture"}.get(model.method, str(model.method))


def profile_table(ctx: StageContext, prof: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.language
    out = pd.DataFrame({
        ctx.tr("群", "cluster"): [clusters_mod.cluster_label(int(k), lang) for k in prof["cluster"]],
        ctx.tr("客户数", "customers"): prof["customers"].map(fmt_int),
        ctx.tr("消费额占比", "revenue share"): prof["revenue_share"].map(fmt_pct),
        ctx.tr("画像", "profile"): prof["description"],
    })
    for col, zh, en in (("top_categories", "主要品类", "top categories"),
                        ("top_channel", "主要渠道", "top channel"),
                        ("age_band", "年龄段", "age band"), ("top_gender", "性别", "gender"),
                        ("top_city", "主要城市", "top city"),
                        ("top_customer_type", "客户类型", "customer type"),
                        ("csat", "满意度", "CSAT"), ("nps", "NPS", "NPS")):
        if col not in prof.columns:
            continue
        v = prof[col]
        if pd.api.types.is_numeric_dtype(v):
            out[ctx.tr(zh, en)] = v.map(lambda x: "—" if pd.isna(x) else f"{x:.2f}")
        elif f"{col}_share" in prof.columns:
            out[ctx.tr(zh, en)] = [f"{a} {fmt_pct(b, 0)}" if isinstance(a, str) else "—"
                                   for a, b in zip(v, prof[f"{col}_share"], strict=True)]
        else:
            out[ctx.tr(zh, en)] = v
    return out


# --- lifecycle -----------------------------------------------------------------------------
def lifecycle(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.lifecycle_step(inp)


def show_lifecycle(ctx: StageContext, life: dict) -> None:
    lang, counts = ctx.language, life["counts"].set_index("stage")
    how = ctx.tr("由购买间隔分布（90% 分位）推得", "derived from the inter-purchase times (90th "
                 "percentile)") if life["window_derived"] else ctx.tr("由参数设定", "as set")
    lines = []
    for st in lifecycle_mod.STAGES:
        b, n = counts.loc[st, "before"], counts.loc[st, "now"]
        lines.append(f"{lifecycle_mod.stage_label(st, lang)} {fmt_int(b)} → **{fmt_int(n)}**")
    md(ctx.tr(f"流失窗口 **{life['window_days']} 天**（{how}）：超过该天数未购买即视为流失。",
              f"Churn window **{life['window_days']} days** ({how}): no purchase for longer "
              "means churned.") + "\n\n" + " · ".join(lines) + "\n\n" + _at_risk_line(ctx, life))
    fig, axes = plt.subplots(1, 2, figsize=(14, 5))
    lifecycle_plots.plot_stage_counts(life["counts"], ax=axes[0], language=lang)
    lifecycle_plots.plot_migration(life["migration_share"], ax=axes[1], language=lang)
    _show(fig)
    flows = life["flows"].head(8)
    md(ctx.tr("主要迁移：", "Largest moves:") + " " + "; ".join(
        f"{lifecycle_mod.stage_label(f, lang)} → {lifecycle_mod.stage_label(t, lang)} {fmt_int(n)}"
        for f, t, n in flows[["from", "to", "customers"]].itertuples(index=False) if f != t))


def _at_risk_line(ctx: StageContext, life: dict) -> str:
    ar = life["at_risk"]
    refs = "; ".join(f"{p['period']} {fmt_pct(p['share'])}" for k, p in ar.items() if k != "now")
    now = ar["now"]
    return ctx.tr(f"流失风险客户持有近 12 个月消费额的 **{fmt_pct(now['share'])}**"
                  f"（{_money(now['value'], ctx)}；{refs}）。",
                  f"At-risk customers hold **{fmt_pct(now['share'])}** of 12-month revenue "
                  f"({_money(now['value'], ctx)}; {refs}).")


# --- cohorts -------------------------------------------------------------------------------
def cohorts(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.cohort_step(inp)


def show_cohorts(ctx: StageContext, co: dict) -> None:
    lang = ctx.language
    unit = ctx.tr("季度", "quarters") if co["kind"] == "quarter" else ctx.tr("月", "months")
    summ = co["summary"]
    md(ctx.tr(
        f"按首购{unit}划分队列，横轴为首购后经过的{unit}数；尚未到达的格子留空。"
        f"以“≤”开头的队列可能包含数据开始前就已购买的老客户。",
        f"Cohorts by the {unit[:-1]} of first purchase; across, the {unit} since. Cells not yet "
        "reached are blank. A cohort marked “≤” may hold customers who bought before the data "
        "begins.") + ("\n\n" + _cohort_line(ctx, summ) if summ is not None and len(summ) else ""))
    n = len(co["retention"])
    fig, axes = plt.subplots(1, 2, figsize=(15, 0.42 * n + 2.5))
    lifecycle_plots.plot_cohorts(co["retention"], ax=axes[0], language=lang,
                                 title=ctx.tr("客户留存率", "Customer retention"))
    lifecycle_plots.plot_cohorts(co["revenue_retention"], ax=axes[1], language=lang,
                                 title=ctx.tr("消费额留存", "Revenue retention"))
    _show(fig)


def _cohort_line(ctx: StageContext, summ: pd.DataFrame) -> str:
    parts = []
    for row in summ.itertuples(index=False):
        parts.append(ctx.tr(f"第 {row.age} 期留存 {fmt_pct(row.retention)}",
                            f"retention after {row.age}: {fmt_pct(row.retention)}"))
    return "; ".join(parts)


# --- CLV -----------------------------------------------------------------------------------
def clv(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.clv_step(inp)


def show_clv(ctx: StageContext, v: dict) -> None:
    lang, s = ctx.language, ctx.cfg.model.segment
    cust, bgf, ggf = v["customers"], v["bgf"], v["ggf"]
    md(ctx.tr(
        f"历史价值（至今净消费额）合计 **{_money(cust['historical_value'].sum(), ctx)}**。"
        f"预测 CLV 用 BG/NBD（购买次数）与 Gamma-Gamma（客单价）模型，极大似然拟合："
        f"r={bgf.r_:.3f}, α={bgf.alpha_:.3f}, a={bgf.a_:.3f}, b={bgf.b_:.3f}；p={ggf.p_:.3f}, "
        f"q={ggf.q_:.3f}, γ={ggf.v_:.3f}。未来 {s.clv_horizon_months} 个月、年折现率 "
        f"{fmt_pct(s.discount_rate, 0)} 的 CLV 合计 **{_money(cust['clv'].sum(), ctx)}**。",
        f"Historical value (net revenue to date) totals **{_money(cust['historical_value'].sum(), ctx)}**. "
        f"Predictive CLV uses BG/NBD (purchase counts) and Gamma-Gamma (spend), fitted by maximum "
        f"likelihood: r={bgf.r_:.3f}, α={bgf.alpha_:.3f}, a={bgf.a_:.3f}, b={bgf.b_:.3f}; "
        f"p={ggf.p_:.3f}, q={ggf.q_:.3f}, γ={ggf.v_:.3f}. CLV over {s.clv_horizon_months} months, "
        f"discounted at {fmt_pct(s.discount_rate, 0)} a year, totals **{_money(cust['clv'].sum(), ctx)}**."))
    if "validation" in v:
        vm = v["validation_metrics"]
        md(ctx.tr(
            f"**模型检验**：用 {v['calibration_end'].date()} 之前的数据拟合，预测其后的购买次数："
            f"预测 {vm['total_predicted']:,.0f} 次，实际 {vm['total_actual']:,.0f} 次"
            f"（偏差 {fmt_pct(vm['relative_error'])}）。按拟合期购买次数分组：",
            f"**Validation**: fitted on the data up to {v['calibration_end'].date()}, the model "
            f"predicts {vm['total_predicted']:,.0f} purchases after it against {vm['total_actual']:,.0f} "
            f"actual ({fmt_pct(vm['relative_error'])}). By calibration-period frequency:"))
        table(_validation_table(ctx, v["validation"]))
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
        clv_plots.plot_holdout(v["validation"], ax=axes[0], language=lang)
        clv_plots.plot_clv_distribution(cust, ax=axes[1], language=lang)
    else:
        md(ctx.tr("数据期太短，无法留出检验期（需要至少六个周期的历史）。",
                  "The history is too short to hold out a validation period (it needs six periods)."))
        fig, ax = plt.subplots(figsize=(7, 4.5))
        clv_plots.plot_clv_distribution(cust, ax=ax, language=lang)
    _show(fig)


def _validation_table(ctx: StageContext, t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        ctx.tr("建模期重复购买次数", "calibration purchases"): t["group"],
        ctx.tr("客户数", "customers"): t["customers"].map(fmt_int),
        ctx.tr("验证期实际（人均）", "actual per customer"): t["actual"].round(2),
        ctx.tr("模型预测（人均）", "predicted per customer"): t["predicted"].round(2),
    })


# --- churn ---------------------------------------------------------------------------------
def churn(ctx: StageContext, inp: Inputs, v: dict) -> dict:
    return pipeline.churn_step(inp, v)


def show_churn(ctx: StageContext, ch: dict, inp: Inputs) -> None:
    lang = ctx.language
    if ch.get("skipped"):
        md(ctx.tr("历史数据不足以训练流失模型（需要对比期之前至少两个周期）。",
                  "Too little history to train the churn model (it needs two periods before the "
                  "comparison period)."))
        return
    res, plan = ch["result"], ch["plan"]
    mm, bm = res["metrics"]["model"], res["metrics"]["baseline"]
    cut = ", ".join(str(c.date()) for c in ch["training_cutoffs"])
    md(ctx.tr(
        f"流失 = 下一周期内没有购买。模型（{ctx.cfg.model.segment.churn_model}）在截止日 {cut} 的特征上训练，"
        f"并在 {plan['validation'].date()} 做时间外验证（标签为本期是否购买）："
        f"**AUC {mm['auc']:.3f}**，PR-AUC {mm['pr_auc']:.3f}，前 10% 提升度 {mm['top_decile_lift']:.2f}"
        f"（逻辑回归基线 AUC {bm['auc']:.3f}；为客户打分的是验证更好的"
        f"{'梯度提升模型' if res['scoring_kind'] == 'hgb' else '逻辑回归模型'}）。本期活跃客户的预计流失率 "
        f"**{fmt_pct(ch['scored']['churn_probability'].mean())}**，预计损失（CLV × 流失概率）"
        f"合计 {_money(ch['scored']['expected_loss'].sum(), ctx)}。",
        f"Churn = no purchase in the next period. The model ({ctx.cfg.model.segment.churn_model}) "
        f"trains on features at {cut} and is validated out of time at {plan['validation'].date()} "
        f"(labelled by this period): **AUC {mm['auc']:.3f}**, PR-AUC {mm['pr_auc']:.3f}, top-decile "
        f"lift {mm['top_decile_lift']:.2f} (logistic baseline AUC {bm['auc']:.3f}; the "
        f"{'gradient boosting' if res['scoring_kind'] == 'hgb' else 'logistic'} model, which "
        "validated better, scores the customers). Expected churn "
        f"of the active customers: **{fmt_pct(ch['scored']['churn_probability'].mean())}**; "
        f"expected loss (CLV × churn probability) {_money(ch['scored']['expected_loss'].sum(), ctx)}."))
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    val = res["validation"]
    churn_plots.plot_roc_pr(val["y"], val["p_model"], val["p_baseline"], ax=axes[0], language=lang)
    churn_plots.plot_lift(res["lift"], ax=axes[1], language=lang)
    churn_plots.plot_feature_importance(res["importance"], ax=axes[2], language=lang)
    _show(fig)
    md(ctx.tr(f"高价值客户中预计损失最大的 {len(ch['top'])} 位（姓名已脱敏）：",
              f"The {len(ch['top'])} high-value customers with the largest expected loss "
              "(names masked):"))
    table(_top_table(ctx, ch["top"], inp))


def _top_table(ctx: StageContext, top: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    out = top[["customer_id", "churn_probability", "clv", "expected_loss"]].copy()
    if inp.customers is not None and "name" in inp.customers.columns:
        names = inp.customers.set_index("customer_id")["name"]
        out.insert(1, "name", out["customer_id"].map(names))
    out["churn_probability"] = out["churn_probability"].map(fmt_pct)
    out["clv"] = out["clv"].map(fmt_int)
    out["expected_loss"] = out["expected_loss"].map(fmt_int)
    return out.rename(columns={"customer_id": ctx.tr("客户编号", "customer"),
                               "name": ctx.tr("姓名（脱敏）", "name (masked)"),
                               "churn_probability": ctx.tr("流失概率", "churn probability"),
                               "clv": "CLV", "expected_loss": ctx.tr("预计损失", "expected loss")})


# --- who buys less often -------------------------------------------------------------------
def shifts(ctx: StageContext, inp: Inputs, c: dict, r: dict) -> dict:
    return pipeline.shift_step(inp, c, r)


def show_shifts(ctx: StageContext, sh: dict, c: dict) -> None:
    lang, tables = ctx.language, sh["tables"]
    if all(t.empty for t in tables.values()):
        md(ctx.tr("没有可比较的老客户。", "No established customers to compare."))
        return
    md(ctx.tr(
        f"同一批老客户（首购早于 {sh['compare']}）在 {sh['compare']} 与 {sh['period']} 的人均购买次数；"
        "分组依据的是对比期开始前的行为，因此分组本身不受两期购买的影响。",
        f"Purchases per customer of the same established customers (first purchase before "
        f"{sh['compare']}) in {sh['compare']} and {sh['period']}; the groups come from their "
        "behaviour before the comparison period, so the two periods compared do not shape them."))
    desc = c["profile"].set_index("cluster")["description"]
    names = {"price_tier": (ctx.tr("价格层级", "Price tier"), lambda g: tier_label(g, lang)),
             "cluster": (ctx.tr("聚类", "Cluster"),
                         lambda g: f"{clusters_mod.cluster_label(int(g), lang)} · "
                                   f"{desc.get(int(g), '')}"),
             "customer_type": (ctx.tr("客户类型", "Customer type"), str)}
    for grouping, t in tables.items():
        if t.empty:
            continue
        title, label = names.get(grouping, (grouping, str))
        worst = t.iloc[0]
        md(f"**{title}**：" + ctx.tr(
            f"下降最多的是 {label(worst['group'])}，{fmt_pct(worst['change'])}，"
            f"相对其他客户 {fmt_pct(worst['relative_change'])}。",
            f"the largest fall is {label(worst['group'])}: {fmt_pct(worst['change'])}, "
            f"{fmt_pct(worst['relative_change'])} against the rest."))
        table(pd.DataFrame({
            ctx.tr("组", "group"): [label(g) for g in t["group"]],
            ctx.tr("老客户数", "customers"): t["customers"].map(fmt_int),
            ctx.tr("对比期人均次数", "per customer before"): t["freq_before"].round(2),
            ctx.tr("本期人均次数", "per customer now"): t["freq_now"].round(2),
            ctx.tr("变化", "change"): t["change"].map(fmt_pct),
            ctx.tr("相对其他客户", "against the rest"): t["relative_change"].map(fmt_pct),
            "p": t["p_value"].map(lambda v: f"{v:.3g}"),
            ctx.tr("预警", "flag"): t["flagged"].map({True: "⚠", False: ""}),
        }))


# --- explorer and save ---------------------------------------------------------------------
def customers(ctx: StageContext, inp: Inputs, r: dict, a: dict, life: dict, v: dict, ch: dict,
              c: dict) -> pd.DataFrame:
    return outputs.customer_table(inp, r, a, life, v, ch, c)


def explore(ctx: StageContext, inp: Inputs, table_: pd.DataFrame, c: dict,
            interactive: bool = True) -> None:
    from .explorer import show_explorer, show_static

    if interactive:
        show_explorer(table_, c["features"], inp.customers, ctx.language)
    show_static(table_, c, inp.customers, ctx.language)


def save(ctx: StageContext, inp: Inputs, table_: pd.DataFrame, o: dict, r: dict, a: dict,
         life: dict, v: dict, ch: dict, c: dict, sh: dict):
    ctx.write("customers", table_)
    write_export(outputs.export_frame(table_), ctx.paths.exports / "segments.csv")
    m = outputs.metrics(inp, o, r, a, life, v, ch, c, sh)
    fl = outputs.flags(inp, m, r, c, sh, ch)
    skipped = []
    if ch.get("skipped"):
        skipped.append({"section": "churn", "reason": "history too short"})
    if "validation" not in v:
        skipped.append({"section": "clv_validation", "reason": "history too short"})
    return ctx.save_findings(m, fl, skipped)


def show_flags(ctx: StageContext) -> None:
    from .notebook import show_flags as show

    show(ctx)
