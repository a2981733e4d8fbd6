"""Stage 07_strategy: what each notebook cell calls: the closed loop, the findings, the actions.

The computation is in ``playbook.strategy`` (``rulebook``, ``plan``, ``loop``, ``pipeline``);
this module writes ``exports/actions_<id>.csv``, ``plan.json`` and ``findings/strategy.json``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .context import StageContext, open_stage
from .exports import write_export
from .notebook import SEVERITY_ICONS, fmt_int, fmt_pct, md, table
from .notebook import show_figure as _show
from .plots import strategy as plots
from .strategy import pipeline
from .strategy import plan as plan_mod
from .strategy.pipeline import Inputs
from .strategy.rulebook import load_rulebook

TABLES = ("orders", "customers", "trends_periods")
STAGE_NAMES = {"segment": ("03 分群", "03 segments"), "feedback": ("04 反馈", "04 feedback"),
               "competition": ("05 竞争", "05 competition"), "trends": ("06 趋势", "06 trends")}


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "strategy")


def load(ctx: StageContext) -> Inputs:
    findings = {s: d for s in pipeline.STAGES if (d := ctx.findings(s)) is not None}
    tables = {t: ctx.read(t) for t in TABLES if ctx.has(t)}
    path = ctx.cfg.rulebook_path()
    unit_dir = ctx.paths.root
    prev_dir, note = pipeline.find_previous(unit_dir.parent.parent, unit_dir.parent, ctx.unit,
                                            ctx.period, ctx.cfg.model.strategy.previous_run,
                                            ctx.cfg.base_dir)
    return pipeline.make_inputs(ctx.unit, ctx.period, ctx.language, ctx.cfg.model.currency,
                                findings, tables, load_rulebook(path), path,
                                pipeline.load_previous(prev_dir), note)


def _value(v, unit: str | None) -> str:
    if v is None or pd.isna(v):
        return "—"
    if unit == "share":
        return fmt_pct(v)
    if unit in ("money", "count"):
        return fmt_int(v)
    return f"{v:.2f}" if unit == "score" and abs(v) < 10 else f"{v:,.1f}"


# --- closed loop ---------------------------------------------------------------------------
def closed_loop(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.loop_step(inp)


def show_closed_loop(ctx: StageContext, lp: dict) -> None:
    if "skipped" in lp:
        md(ctx.tr(f"*没有找到上一期（{ctx.period.previous().label}）的计划：{lp['skipped']}。"
                  "先运行上一期，本节就会对照它的目标与行动。*",
                  f"*No plan of the previous period ({ctx.period.previous().label}) was found: "
                  f"{lp['skipped']}. Run that period first and this section checks its targets "
                  "and actions.*"))
        return
    card = lp["scorecard"]
    met = int(card["met"].fillna(False).astype(bool).sum())
    md(ctx.tr(f"上一期计划（`{lp['source']}/plan.json`）的 {int(card['met'].notna().sum())} 个 KPI 目标中"
              f"达成 **{met}** 个。",
              f"Of the {int(card['met'].notna().sum())} KPI targets of last period's plan "
              f"(`{lp['source']}/plan.json`), **{met}** were met."))
    table(pd.DataFrame({
        "KPI": card["name"],
        ctx.tr("上期基线", "baseline"): [_value(v, u) for v, u in zip(card["baseline"], card["unit"], strict=True)],
        ctx.tr("目标", "target"): [_value(v, u) for v, u in zip(card["target"], card["unit"], strict=True)],
        ctx.tr("实际", "actual"): [_value(v, u) for v, u in zip(card["actual"], card["unit"], strict=True)],
        ctx.tr("完成进度", "progress"): card["progress"].map(fmt_pct),
        ctx.tr("结果", "result"): card["met"].map(
            lambda v: "—" if pd.isna(v) else ("✅ " + ctx.tr("达成", "met") if v else
                                              "❌ " + ctx.tr("未达成", "missed"))),
    }))
    eff = lp["effects"]
    if len(eff):
        names = {a["id"]: a.get("name", a["id"]) for a in lp["plan"].get("actions", [])}
        md(ctx.tr("各行动的目标客户与同分群、同生命周期阶段的未干预客户在本期的购买情况：",
                  "Each action's contacted customers against uncontacted customers of the same "
                  "segment and lifecycle stage, on their buying this period:"))
        table(pd.DataFrame({
            ctx.tr("行动", "action"): eff["action_id"].map(lambda i: names.get(i, i)),
            ctx.tr("目标客户", "contacted"): eff["targeted"].map(fmt_int),
            ctx.tr("对照客户", "control"): eff["control"].map(fmt_int),
            ctx.tr("目标客户购买率", "bought (contacted)"): eff["bought_targeted"].map(fmt_pct),
            ctx.tr("对照客户购买率", "bought (control)"): eff["bought_control"].map(fmt_pct),
            ctx.tr("差异", "difference"): eff["difference"].map(
                lambda v: "—" if pd.isna(v) else f"{100 * v:+.1f} pt"),
            "p": eff["p_value"].map(lambda v: "—" if pd.isna(v) else f"{v:.2g}"),
            ctx.tr("说明", "note"): eff["note"].fillna(""),
        }))


# --- findings ------------------------------------------------------------------------------
def show_findings(ctx: StageContext, inp: Inputs) -> None:
    order = {"critical": 0, "warning": 1, "info": 2}
    flags = sorted(inp.flags, key=lambda f: order.get(f["severity"], 3))
    if not flags:
        md(ctx.tr("各阶段没有预警。", "No stage raised a flag."))
        return
    counts = {s: sum(f["severity"] == s for f in flags) for s in order}
    md(ctx.tr(f"共 {len(flags)} 条预警：严重 {counts['critical']}，警告 {counts['warning']}，"
              f"提示 {counts['info']}。",
              f"{len(flags)} flags: {counts['critical']} critical, {counts['warning']} warnings, "
              f"{counts['info']} notes."))
    table(pd.DataFrame({
        "": [SEVERITY_ICONS.get(f["severity"], "") for f in flags],
        ctx.tr("阶段", "stage"): [ctx.tr(*STAGE_NAMES.get(f["stage"], (f["stage"], f["stage"])))
                                 for f in flags],
        ctx.tr("发现", "finding"): [f["message"] for f in flags],
    }), max_rows=40)


# --- actions and targets -------------------------------------------------------------------
def actions(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.plan_step(inp)


def show_actions(ctx: StageContext, pl: dict) -> None:
    a = pl["actions"]
    if a.empty:
        md(ctx.tr("规则库中没有规则被触发。", "No rule of the rulebook was triggered."))
    else:
        top = a.iloc[0]
        md(ctx.tr(
            f"触发 {len(a)} 个行动，共覆盖 {fmt_int(a['customers'].sum())} 位客户；排名第一的是"
            f"**{top['name']}**，预计净价值 {top['net_value']:,.0f} {ctx.cfg.model.currency}。",
            f"{len(a)} actions triggered, reaching {fmt_int(a['customers'].sum())} customers; "
            f"the first is **{top['name']}**, with an expected net value of "
            f"{top['net_value']:,.0f} {ctx.cfg.model.currency}."))
        table(pd.DataFrame({
            "#": a["priority"], ctx.tr("行动", "action"): a["name"],
            ctx.tr("触发", "trigger"): a["trigger"],
            ctx.tr("客户数", "customers"): a["customers"].map(fmt_int),
            ctx.tr("渠道", "channel"): a["channel"],
            ctx.tr("风险价值", "value at stake"): a["value_at_stake"].map(fmt_int),
            ctx.tr("挽回率", "save rate"): a["save_rate"].map(fmt_pct),
            ctx.tr("单客成本", "cost / customer"): a["cost_per_customer"].map(fmt_int),
            ctx.tr("固定成本", "fixed cost"): a["fixed_cost"].map(fmt_int),
            ctx.tr("预计挽回", "expected saved"): a["expected_saved"].map(fmt_int),
            ctx.tr("净价值", "net value"): a["net_value"].map(fmt_int),
            ctx.tr("预期效果", "expected effect"): a["expected_effect"],
        }))
        fig, ax = plt.subplots(figsize=(10, max(3, 0.5 * len(a) + 1.5)))
        plots.plot_actions(a, ax=ax, language=ctx.language, currency=ctx.cfg.model.currency)
        _show(fig)
    if pl["not_triggered"]:
        md(ctx.tr("未触发的规则：", "Rules not triggered: ") + "；".join(
            f"{n.get('id')}（{n.get('reason')}）" if isinstance(n, dict) else str(n)
            for n in pl["not_triggered"]))


def show_targets(ctx: StageContext, pl: dict) -> None:
    k = pl["kpis"]
    if not k:
        md(ctx.tr("没有可设定目标的 KPI。", "No KPI to set a target for."))
        return
    md(ctx.tr("基线是下一期的预期值，以免目标忽略季节：营收和活跃客户数取 06 阶段的预测，留存率和"
              "复购率取去年同期值加本期的同比变化，NPS、CSAT 和投诉率取本期值；提升幅度来自规则库的 "
              "`kpi_targets`。",
              "Baselines are next period's expected values, so that targets carry the season: "
              "revenue and active customers from 06's forecast, retention and repeat rate from "
              "the same period a year earlier plus this period's year-on-year change, NPS, CSAT "
              "and complaints from this period; the improvements come from the rulebook's "
              "`kpi_targets`."))
    table(pd.DataFrame({
        "KPI": [x["name"] for x in k],
        ctx.tr("基线", "baseline"): [_value(x["baseline"], x["unit"]) for x in k],
        ctx.tr(f"{pl['plan']['next_period']} 目标", f"target {pl['plan']['next_period']}"):
            [_value(x["target"], x["unit"]) for x in k],
        ctx.tr("方向", "direction"): [("↑" if x["direction"] == "up" else "↓") for x in k],
    }))


# --- save and flags ------------------------------------------------------------------------
def save(ctx: StageContext, inp: Inputs, lp: dict, pl: dict):
    for aid, targets in pl["targets"].items():
        if aid in set(pl["actions"]["id"]):
            write_export(targets, ctx.paths.exports / f"actions_{aid}.csv")
    plan_mod.write_plan(ctx.paths.root / "plan.json", pl["plan"])
    m = pipeline.metrics(lp, pl)
    skipped = [{"section": "closed_loop", "needs": lp["skipped"]}] if "skipped" in lp else []
    return ctx.save_findings(m, lp.get("flags", []), skipped)


def show_flags(ctx: StageContext) -> None:
    from .notebook import show_flags as show

    show(ctx)
