"""Stage 05_competition: what each notebook cell calls: compute one section, show it, save.

The computation is in ``playbook.competition`` (``pipeline`` runs it as a recipe), the charts in
``playbook.plots.competition``; this module reads the unit's cleaned tables and 03's customer
labels, shows results with their narrative, and writes ``findings/competition.json`` and
``data/competition_panel.parquet``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .competition import pipeline
from .competition.pipeline import Inputs
from .context import StageContext, open_stage
from .notebook import fmt_pct, md, show_missing, table
from .notebook import show_figure as _show
from .plots import competition as plots

TABLES = ("orders", "customers", "feedback", "competitors", "market")


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "competition")


def load(ctx: StageContext) -> Inputs:
    tables = {t: ctx.read(t) for t in TABLES if ctx.has(t)}
    unit_column = ctx.cfg.model.unit_column if ctx.is_total else None
    return pipeline.make_inputs(tables, ctx.period, ctx.cfg.model.history,
                                ctx.cfg.model.competition, ctx.language, unit_column)


def _name(ctx: StageContext, entity: str) -> str:
    return plots.entity_label(entity, ctx.language)


# --- market --------------------------------------------------------------------------------
def market(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.market_step(inp)


def show_market(ctx: StageContext, mk: dict) -> None:
    if "view" not in mk:
        show_missing(ctx, "market", ctx.tr("市场规模、增长与我们的市场份额",
                                           "market size, growth and our share of the market"))
        return
    v = mk["view"]
    last = v.iloc[-1]
    md(ctx.tr(
        f"{last['period']} 市场规模 {last['market_size']:,.0f} {ctx.cfg.model.currency}"
        f"（同比 {fmt_pct(last['growth'])}），我们的销售额占 **{fmt_pct(last['our_share'])}**"
        f"（较上期 {_pp(last['our_share_change'])}）。",
        f"In {last['period']} the market was {last['market_size']:,.0f} {ctx.cfg.model.currency} "
        f"({fmt_pct(last['growth'])} year on year); our revenue was **{fmt_pct(last['our_share'])}** "
        f"of it ({_pp(last['our_share_change'])} on the previous period)."))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    plots.plot_market(v, ax=ax, language=ctx.language)
    _show(fig)


def _pp(v) -> str:
    return "—" if pd.isna(v) else f"{100 * v:+.1f} pt"


# --- competitors ---------------------------------------------------------------------------
def competitors(ctx: StageContext, inp: Inputs, mk: dict) -> dict:
    return pipeline.compare_step(inp, mk)


def show_share(ctx: StageContext, cmp: dict) -> None:
    if "skipped" in cmp:
        show_missing(ctx, "competitors", ctx.tr(
            "与竞争对手的份额、满意度、价格和各方面评分对比（需要 competitor、period 及 market_share、"
            "csat、nps、price_index、rating_<方面> 等列）",
            "our share, satisfaction, price and aspect ratings against each competitor (needs "
            "competitor, period and market_share, csat, nps, price_index, rating_<aspect>)"))
        return
    st = cmp["streaks"]
    md(ctx.tr("各竞争对手与我们的市场份额走势：", "Market share of each competitor and ours over time:"))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    plots.plot_share_trend(cmp["panel"], ax=ax, language=ctx.language)
    _show(fig)
    if not st.empty:
        table(pd.DataFrame({
            ctx.tr("竞争对手", "competitor"): st["competitor"].map(lambda c: _name(ctx, c)),
            ctx.tr("本期份额", "share now"): st["share"].map(fmt_pct),
            ctx.tr("连续上升期数", "periods rising in a row"): st["streak"],
            ctx.tr("期间增加", "gain"): st["gain"].map(_pp),
            ctx.tr("预警", "flag"): st["rising"].map({True: "⚠", False: ""}),
        }))


def show_gaps(ctx: StageContext, cmp: dict, inp: Inputs) -> None:
    if "skipped" in cmp:
        return
    g = cmp["gaps"]
    if g.empty:
        md(ctx.tr("本期没有可对比的指标。", "No metric to compare this period."))
        return
    lead = cmp["leads"]
    md(ctx.tr(
        f"差距 = 我们 − 对手（价格指数为对手 − 我们，越低越便宜），正数表示我们更好。"
        f"{lead['competitor'].nunique()} 个对手至少在一项指标上明显领先。",
        f"Gap = ours − theirs (for the price index theirs − ours: lower is cheaper), so positive "
        f"means we are better. {lead['competitor'].nunique()} competitor(s) clearly lead on at "
        "least one metric."))
    table(pd.DataFrame({
        ctx.tr("竞争对手", "competitor"): g["competitor"].map(lambda c: _name(ctx, c)),
        ctx.tr("指标", "metric"): g["metric"].map(lambda m: plots.metric_label(m, ctx.language)),
        ctx.tr("我们", "us"): g["ours"].round(3), ctx.tr("对手", "them"): g["theirs"].round(3),
        ctx.tr("差距", "gap"): g["gap"].round(3),
        ctx.tr("判断", "status"): g["status"].map({
            "strength": ctx.tr("优势", "strength"), "weakness": ctx.tr("劣势", "weakness"),
            "par": ctx.tr("持平", "par")}),
    }))
    fig = plt.figure(figsize=(14, 5.5))
    ax1 = fig.add_subplot(1, 2, 1)
    plots.plot_gaps(g, ax=ax1, language=ctx.language)
    ax2 = fig.add_subplot(1, 2, 2, projection="polar")
    plots.plot_radar(cmp["panel"], inp.period.label, ax=ax2, language=ctx.language)
    _show(fig)


def show_prices(ctx: StageContext, cmp: dict, inp: Inputs) -> None:
    if "skipped" in cmp:
        return
    mv = cmp["moves"]
    uc = inp.unit_column if inp.unit_column and inp.unit_column in mv else None
    cuts = mv[mv["cut"].fillna(False).astype(bool)]
    md(ctx.tr(
        f"{inp.comparison.label} → {inp.period.label} 的价格与份额变化；价格指数下降至少 "
        f"{ctx.cfg.model.competition.price_cut:g} 视为降价。本期 {len(cuts)} 处降价。",
        f"Price and share moves {inp.comparison.label} → {inp.period.label}; a fall of the price "
        f"index by {ctx.cfg.model.competition.price_cut:g} or more is a price cut. "
        f"{len(cuts)} cut(s) this period."))
    cols = {}
    if uc:
        cols[ctx.tr("业务单元", "unit")] = mv[uc].astype(str)
    cols.update({
        ctx.tr("竞争对手", "competitor"): mv["competitor"].map(lambda c: _name(ctx, c)),
        ctx.tr("价格指数（前）", "price index before"): mv["price_before"].round(3),
        ctx.tr("价格指数（本期）", "price index now"): mv["price_now"].round(3),
        ctx.tr("份额变化", "share change"): mv["share_change"].map(_pp),
        ctx.tr("降价", "cut"): mv["cut"].map({True: "⚠", False: ""}),
    })
    table(pd.DataFrame(cols))
    fig, ax = plt.subplots(figsize=(8, 5))
    plots.plot_price_share(mv, ax=ax, language=ctx.language, unit_column=uc or "region")
    _show(fig)


# --- link with our customers ---------------------------------------------------------------
def link(ctx: StageContext, inp: Inputs, cmp: dict) -> dict:
    return pipeline.link_step(inp, cmp)


def show_link(ctx: StageContext, lk: dict) -> None:
    if "skipped" in lk:
        show_missing(ctx, lk["skipped"], ctx.tr("竞争对手降价与我们客户流失的关联",
                                                "the link of competitors' price cuts with our customers"))
        return
    s, t = lk["summary"], lk["shifts"]
    ps = t[t["tier"] == "price_sensitive"]
    table(pd.DataFrame({
        ctx.tr("地区", "region"): ps["region"],
        ctx.tr("价格敏感客户", "price-sensitive customers"): ps["customers"],
        ctx.tr("对比期人均次数", "per customer before"): ps["freq_before"].round(2),
        ctx.tr("本期人均次数", "per customer now"): ps["freq_now"].round(2),
        ctx.tr("变化", "change"): ps["change"].map(fmt_pct),
        ctx.tr("相对同地区其他客户", "against the rest of the region"): ps["relative_change"].map(fmt_pct),
        "p": ps["p_value"].map(lambda v: "—" if pd.isna(v) else f"{v:.2g}"),
        ctx.tr("转入风险/流失", "moved to at risk / churned"): ps["moved_to_risk_share"].map(fmt_pct),
    }))
    if not s["regions_with_cut"]:
        md(ctx.tr("本期没有竞争对手降价。", "No competitor cut prices this period."))
        return
    who = "、".join(s["competitors"]) if ctx.zh() else ", ".join(s["competitors"])
    where = "、".join(s["regions_with_cut"]) if ctx.zh() else ", ".join(s["regions_with_cut"])
    base = {"other_regions": ctx.tr("其他地区", "the other regions"),
            "rest_of_region": ctx.tr("同地区其他客户", "the rest of the region")}.get(s["baseline"], "—")
    verdict = (ctx.tr("**流失集中在降价地区。**", "**The losses concentrate where prices were cut.**")
               if s["concentrated"] else
               ctx.tr("降价地区没有明显更多的流失。", "No markedly larger loss where prices were cut."))
    md(ctx.tr(
        f"{who} 在 {where} 降价。降价地区我们价格敏感型客户的购买频次相对变化 "
        f"{fmt_pct(s['mean_relative_change_with_cut'])}，{base}为 "
        f"{fmt_pct(s['mean_relative_change_without_cut'])}。{verdict}",
        f"{who} cut prices in {where}. There our price-sensitive customers' purchase frequency "
        f"changed {fmt_pct(s['mean_relative_change_with_cut'])} relative to the rest, against "
        f"{fmt_pct(s['mean_relative_change_without_cut'])} in {base}. {verdict}"))


# --- save and flags ------------------------------------------------------------------------
def save(ctx: StageContext, inp: Inputs, mk: dict, cmp: dict, lk: dict):
    if "panel" in cmp:
        ctx.write("competition_panel", cmp["panel"])
    m = pipeline.metrics(inp, mk, cmp, lk)
    fl = pipeline.flags(inp, mk, cmp, lk)
    skipped = [{"section": t, "needs": t} for t in inp.absent]
    if "skipped" in lk and "competitors" not in inp.absent:
        skipped.append({"section": "link", "needs": lk["skipped"]})
    return ctx.save_findings(m, fl, skipped)


def show_flags(ctx: StageContext) -> None:
    from .notebook import show_flags as show

    show(ctx)


