"""Stage 06_trends: what each notebook cell calls: compute one section, show it, save at the end.

The computation is in ``playbook.trends`` (``pipeline`` runs it as a recipe), the charts in
``playbook.plots.trends``; this module writes ``findings/trends.json`` and
``data/trends_periods.parquet``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .context import StageContext, open_stage
from .notebook import fmt_int, fmt_pct, md, show_missing, table
from .notebook import show_figure as _show
from .plots import competition as competition_plots
from .plots import trends as plots
from .trends import pipeline
from .trends.pipeline import Inputs

TABLES = ("orders", "customers", "market")


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "trends")


def load(ctx: StageContext) -> Inputs:
    if not ctx.has("orders"):
        from .errors import UpstreamMissingError

        raise UpstreamMissingError(ctx.unit, "06_trends", "data/orders.parquet (02_clean)")
    tables = {t: ctx.read(t) for t in TABLES if ctx.has(t)}
    unit_column = ctx.cfg.model.unit_column if ctx.is_total else None
    return pipeline.make_inputs(tables, ctx.period, ctx.cfg.model.history, ctx.cfg.model.trends,
                                ctx.language, unit_column)


def _money(ctx: StageContext, v: float) -> str:
    return "—" if pd.isna(v) else f"{v:,.0f} {ctx.cfg.model.currency}"


# --- series --------------------------------------------------------------------------------
def series(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.series_step(inp)


def show_series(ctx: StageContext, s: dict) -> None:
    t = s["table"]
    now = t.iloc[-1]
    md(ctx.tr(
        f"{now['period']} 销售额 **{_money(ctx, now['revenue'])}**（环比 {fmt_pct(now['revenue_qoq'])}，"
        f"同比 {fmt_pct(now['revenue_yoy'])}），活跃客户 **{fmt_int(now['active'])}**"
        f"（同比 {fmt_pct(now['active_yoy'])}），其中新客户 {fmt_int(now['new'])}；上期客户留存率 "
        f"{fmt_pct(now['retention_rate'])}，复购率 {fmt_pct(now['repeat_rate'])}。",
        f"{now['period']}: revenue **{_money(ctx, now['revenue'])}** ({fmt_pct(now['revenue_qoq'])} "
        f"QoQ, {fmt_pct(now['revenue_yoy'])} YoY), **{fmt_int(now['active'])}** active customers "
        f"({fmt_pct(now['active_yoy'])} YoY), {fmt_int(now['new'])} of them new; retention of last "
        f"period's customers {fmt_pct(now['retention_rate'])}, repeat rate "
        f"{fmt_pct(now['repeat_rate'])}."))
    table(pd.DataFrame({
        ctx.tr("期间", "period"): t["period"],
        ctx.tr("销售额", "revenue"): t["revenue"].map(fmt_int),
        ctx.tr("同比", "YoY"): t["revenue_yoy"].map(fmt_pct),
        ctx.tr("订单", "orders"): t["orders"].map(fmt_int),
        ctx.tr("活跃", "active"): t["active"].map(fmt_int),
        ctx.tr("新客", "new"): t["new"].map(fmt_int),
        ctx.tr("回头", "returning"): t["returning"].map(fmt_int),
        ctx.tr("流失", "churned"): t["churned"].map(fmt_int),
        ctx.tr("留存率", "retention"): t["retention_rate"].map(fmt_pct),
        ctx.tr("客单价", "AOV"): t["aov"].map(fmt_int),
        ctx.tr("人均次数", "frequency"): t["frequency"].round(2),
        ctx.tr("复购率", "repeat rate"): t["repeat_rate"].map(fmt_pct),
    }))
    fig, axs = plt.subplots(2, 2, figsize=(14, 8))
    for ax, metric in zip(axs.flat, ("revenue", "active", "aov", "retention_rate"), strict=True):
        plots.plot_series(t, metric, ax=ax, language=ctx.language)
    _show(fig)


def show_monthly(ctx: StageContext, s: dict) -> None:
    prof = s["profile"]
    if not prof.empty:
        hi, lo = prof.loc[prof["index"].idxmax()], prof.loc[prof["index"].idxmin()]
        md(ctx.tr(f"旺季是 {int(hi['month'])} 月（季节指数 {hi['index']:.2f}），淡季是 {int(lo['month'])} 月"
                  f"（{lo['index']:.2f}）。",
                  f"The peak month is {int(hi['month'])} (seasonal index {hi['index']:.2f}), the "
                  f"trough month {int(lo['month'])} ({lo['index']:.2f})."))
    fig, ax = plt.subplots(figsize=(12, 4.5))
    plots.plot_monthly(s["monthly"], prof, ax=ax, language=ctx.language)
    _show(fig)


# --- mix -----------------------------------------------------------------------------------
def mix(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.mix_step(inp)


def show_mix(ctx: StageContext, mx: dict) -> None:
    names = pipeline.BY_NAMES[ctx.language]
    flagged = pd.concat([t[t["flagged"]].assign(by=k) for k, t in mx["shifts"].items()]
                        or [pd.DataFrame()], ignore_index=True)
    if flagged.empty:
        md(ctx.tr(f"与 {mx['baseline']} 相比，没有明显的品类结构变化。",
                  f"No marked change of the category mix against {mx['baseline']}."))
    else:
        md(ctx.tr(f"与 {mx['baseline']} 相比变化明显的品类占比：",
                  f"Category shares that moved markedly against {mx['baseline']}:"))
        group = [str(r[r["by"]]) if r["by"] != "all" else "—" for _, r in flagged.iterrows()]
        table(pd.DataFrame({
            ctx.tr("分组", "grouping"): flagged["by"].map(names),
            ctx.tr("组", "group"): group,
            ctx.tr("品类", "category"): flagged["category"],
            mx["baseline"]: flagged["share_baseline"].map(fmt_pct),
            ctx.tr("本期", "now"): flagged["share_now"].map(fmt_pct),
            ctx.tr("变化（百分点）", "change (points)"): (100 * flagged["change"]).round(1),
            "p": flagged["p_value"].map(lambda v: f"{v:.2g}"),
        }).head(15))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    plots.plot_mix(mx["mix"]["all"], ax=ax, language=ctx.language)
    _show(fig)
    for by in ("age_band", "customer_type"):
        mix_by = mx["mix"].get(by)
        if mix_by is None or mix_by.empty:
            continue
        groups = sorted(mix_by[by].dropna().astype(str).unique())
        fig, axs = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4), squeeze=False)
        for ax, g in zip(axs[0], groups, strict=True):
            plots.plot_mix(mix_by, group=g, ax=ax, language=ctx.language)
            if ax.get_legend() is not None and ax is not axs[0][-1]:
                ax.get_legend().remove()
        md(f"**{names[by]}**")
        _show(fig)


# --- groups and market ---------------------------------------------------------------------
def groups(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.groups_step(inp)


def show_groups(ctx: StageContext, g: dict) -> None:
    if "skipped" in g:
        show_missing(ctx, "customers", ctx.tr("需要 03_segment 的价格层级", "needs 03_segment's price tiers"))
        return
    fig, ax = plt.subplots(figsize=(10, 4.5))
    plots.plot_group_frequency(g["frequency"], ax=ax, language=ctx.language)
    _show(fig)


def show_market(ctx: StageContext, inp: Inputs) -> None:
    if inp.market is None:
        show_missing(ctx, "market", ctx.tr("市场规模与我们的份额", "market size and our share"))
        return
    from .competition.market import market_view, our_metrics

    labels = [p.label for p in inp.periods]
    view = market_view(inp.market, our_metrics(inp.orders, None, labels, inp.period.kind
                                               if inp.period.kind in ("quarter", "month")
                                               else "quarter"), inp.unit_column)
    view = view[view["period"].isin(labels)]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    competition_plots.plot_market(view, ax=ax, language=ctx.language)
    _show(fig)


# --- forecast ------------------------------------------------------------------------------
def forecast(ctx: StageContext, inp: Inputs, s: dict) -> dict:
    return pipeline.forecast_step(inp, s)


def show_forecast(ctx: StageContext, fc: dict) -> None:
    names = pipeline.METRIC_NAMES[ctx.language]
    rows = []
    for metric, f in fc.items():
        p = f["forecast"]
        sm = f["summary"]
        rows.append({
            ctx.tr("指标", "metric"): names[metric],
            ctx.tr("下一期", "next period"): p["periods"][0],
            ctx.tr("预测", "forecast"): fmt_int(p["point"][0]),
            ctx.tr(f"{p['confidence']:.0%} 区间", f"{p['confidence']:.0%} interval"):
                f"{fmt_int(p['lo'][0])} – {fmt_int(p['hi'][0])}",
            ctx.tr("回测 MAPE", "backtest MAPE"): fmt_pct(sm["mape"]),
            ctx.tr("回测覆盖", "backtest coverage"): fmt_pct(sm["coverage"]),
            ctx.tr("方法", "method"): p["method"],
        })
    table(pd.DataFrame(rows))
    fig, axs = plt.subplots(1, len(fc), figsize=(7 * len(fc), 4.5), squeeze=False)
    for ax, (_, f) in zip(axs[0], fc.items(), strict=True):
        plots.plot_forecast(f["values"], f["forecast"], f["backtest"], ax=ax,
                            language=ctx.language)
    _show(fig)


# --- save and flags ------------------------------------------------------------------------
def save(ctx: StageContext, inp: Inputs, s: dict, mx: dict, g: dict, fc: dict):
    ctx.write("trends_periods", s["table"])
    m = pipeline.metrics(inp, s, mx, fc)
    fl = pipeline.flags(inp, mx, fc)
    skipped = [{"section": "groups", "needs": g["skipped"]}] if "skipped" in g else []
    if inp.market is None:
        skipped.append({"section": "market", "needs": "market"})
    return ctx.save_findings(m, fl, skipped)


def show_flags(ctx: StageContext) -> None:
    from .notebook import show_flags as show

    show(ctx)
