"""Stage 04_feedback: what each notebook cell calls: compute one section, show it, save at the end.

The computation is in ``playbook.feedback`` (``pipeline`` runs it as a recipe), the charts in
``playbook.plots``; this module reads the unit's cleaned tables and 03's customer labels, shows
results with their narrative in the run's language, and writes ``findings/feedback.json``,
``exports/callback_detractors.csv`` and ``data/feedback_scored.parquet``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .context import StageContext, open_stage
from .exports import write_export
from .feedback import outputs, pipeline
from .feedback.labels import aspect_label, sentiment_label
from .feedback.pipeline import Inputs
from .notebook import fmt_int, fmt_pct, md, show_missing, table
from .notebook import show_figure as _show
from .plots import complaints as complaint_plots
from .plots import feedback as feedback_plots
from .plots import text as text_plots

TABLES = ("orders", "customers", "feedback", "complaints", "interactions")


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "feedback")


def load(ctx: StageContext) -> Inputs:
    """The unit's cleaned tables (02_clean) with 03's labels on the customers."""
    tables = {t: ctx.read(t) for t in TABLES if ctx.has(t)}
    if "customers" in tables and "segment_label" not in tables["customers"]:
        md(ctx.tr("*03_segment 尚未运行：按分群和生命周期的分解将缺失。*",
                  "*03_segment has not run: breakdowns by segment and lifecycle are missing.*"))
    unit_column = ctx.cfg.model.unit_column if ctx.is_total else None
    return pipeline.make_inputs(tables, ctx.period, ctx.cfg.model.history, ctx.cfg.model.feedback,
                                ctx.language, unit_column)


def _p(v) -> str:
    return "—" if pd.isna(v) else f"{v:.2g}"


def overview(ctx: StageContext, inp: Inputs) -> None:
    have = {"feedback": inp.feedback, "complaints": inp.complaints,
            "interactions": inp.interactions}
    dates = {"feedback": "response_date", "complaints": "opened_at", "interactions": "date"}
    rows = []
    for name, df in have.items():
        if df is None:
            rows.append((name, "—", ctx.tr("未提供", "not given")))
            continue
        d = df[dates[name]]
        n_now = int(((d >= inp.period.start) & (d < inp.period.end_exclusive)).sum())
        rows.append((name, fmt_int(len(df)), fmt_int(n_now)))
    md(ctx.tr(f"复盘期 **{inp.period.label}**，对比期 **{inp.comparison.label}**。各数据表的记录数：",
              f"Review period **{inp.period.label}**, comparison period "
              f"**{inp.comparison.label}**. Records in each table:"))
    table(pd.DataFrame(rows, columns=[ctx.tr("数据", "table"), ctx.tr("窗口内", "in window"),
                                      ctx.tr("本期", "this period")]))


# --- satisfaction --------------------------------------------------------------------------
def satisfaction(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.satisfaction_step(inp)


def show_satisfaction(ctx: StageContext, sat: dict) -> None:
    if "skipped" in sat:
        show_missing(ctx, "feedback", ctx.tr("CSAT、NPS 及其分解", "CSAT, NPS and breakdowns"))
        return
    c, n = sat["csat"], sat["nps"]
    conf = f"{ctx.cfg.model.feedback.confidence:.0%}"
    md(ctx.tr(
        f"{sat['period']} 共 {fmt_int(sat['responses'])} 份问卷。CSAT 均分 **{c['mean']:.2f}**"
        f"（{conf} 置信区间 {c['mean_lo']:.2f}–{c['mean_hi']:.2f}），满意率（4–5 分）"
        f"**{fmt_pct(c['top2'])}**（{fmt_pct(c['top2_lo'])}–{fmt_pct(c['top2_hi'])}）；"
        f"NPS **{n['nps']:.1f}**（{n['nps_lo']:.1f} 至 {n['nps_hi']:.1f}），推荐者 "
        f"{fmt_pct(n['promoters'])}，贬损者 {fmt_pct(n['detractors'])}。",
        f"{sat['period']} has {fmt_int(sat['responses'])} survey responses. Mean CSAT "
        f"**{c['mean']:.2f}** ({conf} CI {c['mean_lo']:.2f}–{c['mean_hi']:.2f}), top-2-box "
        f"**{fmt_pct(c['top2'])}** ({fmt_pct(c['top2_lo'])}–{fmt_pct(c['top2_hi'])}); NPS "
        f"**{n['nps']:.1f}** ({n['nps_lo']:.1f} to {n['nps_hi']:.1f}), promoters "
        f"{fmt_pct(n['promoters'])}, detractors {fmt_pct(n['detractors'])}."))
    names = outputs.METRIC_NAMES[ctx.language]
    ch = sat["change"]
    fmt = {"csat_top2": fmt_pct, "nps": lambda v: f"{v:.1f}"}
    table(pd.DataFrame({
        ctx.tr("指标", "metric"): [names[m] for m in ch["metric"]],
        sat["compare"]: [fmt.get(m, lambda v: f"{v:.2f}")(v) for m, v in zip(ch["metric"], ch["before"], strict=True)],
        sat["period"]: [fmt.get(m, lambda v: f"{v:.2f}")(v) for m, v in zip(ch["metric"], ch["now"], strict=True)],
        ctx.tr("变化", "change"): [fmt_pct(v) if m == "csat_top2" else f"{v:+.2f}"
                                  for m, v in zip(ch["metric"], ch["change"], strict=True)],
        "p": ch["p_value"].map(_p),
    }))
    fig, axs = plt.subplots(1, 3, figsize=(14, 4))
    tr = sat["trend"]
    feedback_plots.plot_trend(tr, "csat_mean", "csat_mean_lo", "csat_mean_hi", ax=axs[0],
                              language=ctx.language, metric="csat")
    feedback_plots.plot_trend(tr, "csat_top2", "csat_top2_lo", "csat_top2_hi", ax=axs[1],
                              language=ctx.language, metric="top2")
    feedback_plots.plot_trend(tr, "nps", "nps_lo", "nps_hi", ax=axs[2], language=ctx.language,
                              metric="nps")
    _show(fig)


_BY_NAMES = {"segment_label": ("分群", "segment"), "lifecycle_label": ("生命周期阶段", "lifecycle"),
             "channel": ("问卷渠道", "survey channel")}


def _by_name(ctx: StageContext, col: str) -> str:
    zh, en = _BY_NAMES.get(col, (ctx.tr("业务单元", "unit") + f"（{col}）", f"unit ({col})"))
    return ctx.tr(zh, en)


def show_breakdowns(ctx: StageContext, sat: dict) -> None:
    if "skipped" in sat:
        return
    if not sat["by"]:
        md(ctx.tr("没有可用于分解的列。", "No column to break the scores down by."))
        return
    for col, t in sat["by"].items():
        if t.empty:
            continue
        chg = sat["by_change"][col].set_index(col) if not sat["by_change"][col].empty else None
        md(f"**{_by_name(ctx, col)}**")
        d = pd.DataFrame({
            _by_name(ctx, col): t[col].astype(str),
            ctx.tr("问卷数", "responses"): t["csat_n"].map(fmt_int),
            ctx.tr("CSAT 均分", "mean CSAT"): t["csat_mean"].map(lambda v: f"{v:.2f}"),
            ctx.tr("满意率", "top-2-box"): t["csat_top2"].map(fmt_pct),
            "NPS": [f"{v:.1f} ({lo:.0f}…{hi:.0f})" for v, lo, hi in
                    zip(t["nps"], t["nps_lo"], t["nps_hi"], strict=True)],
        })
        if chg is not None:
            nps = chg[chg["metric"] == "nps"] if "metric" in chg else chg
            d[ctx.tr("NPS 变化", "NPS change")] = [
                f"{nps.loc[g, 'change']:+.1f} (p={_p(nps.loc[g, 'p_value'])})"
                if g in nps.index else "—" for g in t[col]]
        table(d)
        fig, ax = plt.subplots(figsize=(9, max(2.5, 0.45 * len(t) + 1)))
        name = _by_name(ctx, col)
        feedback_plots.plot_breakdown(t.rename(columns={col: name}), name, "nps", "nps_lo",
                                      "nps_hi", ax=ax, language=ctx.language, metric="nps")
        _show(fig)


# --- drivers -------------------------------------------------------------------------------
def drivers(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.drivers_step(inp)


def show_drivers(ctx: StageContext, drv: dict) -> None:
    if "skipped" in drv:
        show_missing(ctx, "feedback", ctx.tr(f"需要 {drv['skipped']} 列", f"needs {drv['skipped']}"))
        return
    w, ch, lang = drv["weights"], drv["change"], ctx.language
    if not w.empty:
        top = w.iloc[0]
        md(ctx.tr(
            f"五个方面共同解释了 {drv['target'].upper()} 方差的 {fmt_pct(w.attrs['r2'])}"
            f"（n = {fmt_int(w.attrs['n'])}）。影响最大的是 **{aspect_label(top['aspect'], lang)}**，"
            f"占可解释部分的 {fmt_pct(top['share'])}。",
            f"Together the aspects explain {fmt_pct(w.attrs['r2'])} of the variance of "
            f"{drv['target'].upper()} (n = {fmt_int(w.attrs['n'])}). The strongest driver is "
            f"**{aspect_label(top['aspect'], lang)}**, with {fmt_pct(top['share'])} of the "
            "explained part."))
    c = ch.set_index("aspect")
    table(pd.DataFrame({
        ctx.tr("方面", "aspect"): [aspect_label(a, lang) for a in w["aspect"]],
        ctx.tr("相对权重（占 R²）", "relative weight (share of R²)"): w["share"].map(fmt_pct),
        ctx.tr("标准化回归系数", "standardized beta"): w["beta"].map(lambda v: f"{v:.2f}"),
        ctx.tr("本期评分", "rating now"): [f"{c.loc[a, 'now']:.2f}" for a in w["aspect"]],
        ctx.tr("对比期评分", "rating before"): [f"{c.loc[a, 'before']:.2f}" for a in w["aspect"]],
        ctx.tr("变化", "change"): [f"{c.loc[a, 'change']:+.2f}" for a in w["aspect"]],
        "p": [_p(c.loc[a, "p_value"]) for a in w["aspect"]],
    }))
    fig, axs = plt.subplots(1, 2, figsize=(14, 5))
    feedback_plots.plot_importance_performance(drv["ip"], ax=axs[0], language=lang)
    feedback_plots.plot_aspect_change(c["now"], c["before"], ax=axs[1], language=lang)
    _show(fig)
    if drv["by_change"]:
        md(ctx.tr("各业务单元的方面评分变化（本期 − 对比期）：",
                  "Change of each aspect's rating by unit (now − before):"))
        rows = {u: t.set_index("aspect")["change"] for u, t in drv["by_change"].items()}
        d = pd.DataFrame(rows).T
        d.columns = [aspect_label(a, lang) for a in d.columns]
        table(d.round(2))


# --- complaints ----------------------------------------------------------------------------
def complaints(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.complaints_step(inp)


def show_complaints(ctx: StageContext, comp: dict) -> None:
    if "skipped" in comp:
        show_missing(ctx, comp["skipped"], ctx.tr("投诉率与服务标准", "complaint rates and service standards"))
        return
    r = comp["change"].iloc[0]
    md(ctx.tr(
        f"{comp['period']} 共 {fmt_int(r['complaints_now'])} 件投诉，每千名活跃客户 "
        f"**{r['per_1000_now']:.1f}** 件（{comp['compare']}：{r['per_1000_before']:.1f}，p = {_p(r['p_value'])}）。",
        f"{comp['period']} had {fmt_int(r['complaints_now'])} complaints, **{r['per_1000_now']:.1f}** "
        f"per 1,000 active customers ({comp['compare']}: {r['per_1000_before']:.1f}, "
        f"p = {_p(r['p_value'])})."))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    complaint_plots.plot_complaint_rates(comp.get("rates_category", pd.DataFrame()), comp["rates"],
                                         by="category" if "rates_category" in comp else None,
                                         ax=ax, language=ctx.language)
    _show(fig)
    for by in ("category", "severity", ctx.cfg.model.unit_column):
        t = comp.get(f"change_{by}") if by else None
        if t is None or t.empty:
            continue
        name = {"category": ctx.tr("类别", "category"), "severity": ctx.tr("严重程度", "severity")}.get(by, by)
        md(f"**{ctx.tr('按', 'By ')}{name}**")
        table(pd.DataFrame({
            name: t[by].astype(str),
            comp["compare"]: [f"{a} ({b:.1f}‰)" for a, b in zip(t["complaints_before"], t["per_1000_before"], strict=True)],
            comp["period"]: [f"{a} ({b:.1f}‰)" for a, b in zip(t["complaints_now"], t["per_1000_now"], strict=True)],
            ctx.tr("倍数", "ratio"): t["ratio"].map(lambda v: "—" if pd.isna(v) else f"×{v:.2f}"),
            "p": t["p_value"].map(_p),
        }))


def show_service(ctx: StageContext, comp: dict) -> None:
    if "skipped" in comp:
        return
    s = ctx.cfg.model.feedback
    sv = comp["service"]
    if sv.empty:
        md(ctx.tr("本期没有投诉。", "No complaints this period."))
        return
    r = sv.iloc[0]
    md(ctx.tr(
        f"服务标准：{s.first_response_hours:g} 小时内首次响应、{s.resolution_hours:g} 小时内解决。"
        f"本期 {fmt_pct(r['responded_in_time'])} 按时响应（中位 {r['median_response_hours']:.1f} 小时），"
        f"{fmt_pct(r['resolved_in_time'])} 按时解决（中位 {r['median_resolution_hours']:.1f} 小时），"
        f"{fmt_pct(r['open_share'])} 仍未关闭。",
        f"Service standards: first response within {s.first_response_hours:g} h, resolution "
        f"within {s.resolution_hours:g} h. This period {fmt_pct(r['responded_in_time'])} were "
        f"answered in time (median {r['median_response_hours']:.1f} h), "
        f"{fmt_pct(r['resolved_in_time'])} resolved in time (median "
        f"{r['median_resolution_hours']:.1f} h); {fmt_pct(r['open_share'])} are still open."))
    cat = comp.get("service_category")
    if cat is not None and not cat.empty:
        before = comp["service_category_before"].set_index("category")
        table(pd.DataFrame({
            ctx.tr("类别", "category"): cat["category"],
            ctx.tr("投诉数", "tickets"): cat["tickets"].map(fmt_int),
            ctx.tr("中位响应（小时）", "median response (h)"): cat["median_response_hours"].round(1),
            ctx.tr("按时响应", "answered in time"): cat["responded_in_time"].map(fmt_pct),
            ctx.tr("对比期按时响应", "before"): cat["category"].map(before["responded_in_time"]).map(fmt_pct),
            ctx.tr("中位解决（小时）", "median resolution (h)"): cat["median_resolution_hours"].round(1),
            ctx.tr("按时解决", "resolved in time"): cat["resolved_in_time"].map(fmt_pct),
            ctx.tr("对比期按时解决", "before "): cat["category"].map(before["resolved_in_time"]).map(fmt_pct),
        }))
        fig, ax = plt.subplots(figsize=(9, 4))
        complaint_plots.plot_service_levels(cat, ax=ax, language=ctx.language,
                                            response_hours=s.first_response_hours,
                                            resolution_hours=s.resolution_hours,
                                            target=s.service_level_target)
        _show(fig)


def show_complainers(ctx: StageContext, comp: dict) -> None:
    if "skipped" in comp:
        return
    rep = comp["repeat"]
    md(ctx.tr(
        f"近 12 个月有 {fmt_int(rep['complainers'])} 位客户投诉，其中 {fmt_int(rep['repeat_complainers'])} 位"
        f"（{fmt_pct(rep['repeat_share'])}）投诉不少于 {ctx.cfg.model.feedback.repeat_tickets} 次，"
        f"占投诉总数的 {fmt_pct(rep['repeat_ticket_share'])}。",
        f"In the last 12 months {fmt_int(rep['complainers'])} customers complained; "
        f"{fmt_int(rep['repeat_complainers'])} of them ({fmt_pct(rep['repeat_share'])}) at least "
        f"{ctx.cfg.model.feedback.repeat_tickets} times, with {fmt_pct(rep['repeat_ticket_share'])} "
        "of the tickets."))
    ch = comp["churn"]
    if ch.empty:
        md(ctx.tr("*投诉与流失的关系需要 03_segment 的生命周期标签。*",
                  "*Complaints against churn needs the lifecycle labels of 03_segment.*"))
        return
    names = {"complainers": ctx.tr("投诉过的客户", "complained"), "others": ctx.tr("其他客户", "others")}
    cols = {
        ctx.tr("客户", "customers"): ch["group"].map(names),
        ctx.tr("人数", "count"): ch["customers"].map(fmt_int),
        ctx.tr("本期流失率", "churned this period"): ch["churn_rate"].map(fmt_pct),
        ctx.tr("风险或流失", "at risk or churned"): ch["at_risk_or_churned_rate"].map(fmt_pct),
    }
    if "churn_probability" in ch:
        cols[ctx.tr("预测流失概率", "predicted churn")] = ch["churn_probability"].map(fmt_pct)
    table(pd.DataFrame(cols))
    c = ch.iloc[0]
    md(ctx.tr(f"投诉客户的流失率是其他客户的 {c['ratio']:.2f} 倍（p = {_p(c['p_value'])}）。"
              "投诉本身未必导致流失，但它标出了需要挽回的客户。",
              f"Customers who complained churned {c['ratio']:.2f}× as often as the rest "
              f"(p = {_p(c['p_value'])}). A complaint need not cause churn, but it marks the "
              "customers to win back."))


# --- text ----------------------------------------------------------------------------------
def text(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.text_step(inp)


def show_sentiment(ctx: StageContext, txt: dict) -> None:
    if "comments" not in txt:
        show_missing(ctx, "feedback.comment", ctx.tr("评论情感、关键词与主题", "comment sentiment, keywords and topics"))
        return
    md(ctx.tr(
        f"本期 {fmt_int(len(txt['now']))} 条评论，负面占 **{fmt_pct(txt['negative_now'])}**"
        f"（对比期 {fmt_pct(txt['negative_before'])}，p = {_p(txt['negative_p'])}）。",
        f"{fmt_int(len(txt['now']))} comments this period; **{fmt_pct(txt['negative_now'])}** "
        f"negative (comparison period {fmt_pct(txt['negative_before'])}, "
        f"p = {_p(txt['negative_p'])})."))
    fig, axs = plt.subplots(1, 3, figsize=(15, 4.5))
    text_plots.plot_sentiment_share(txt["shares"], ax=axs[0], language=ctx.language)
    text_plots.plot_keywords(txt["keywords"], ax=axs[1], language=ctx.language, label="negative")
    text_plots.plot_keywords(txt["keywords"], ax=axs[2], language=ctx.language, label="positive")
    _show(fig)


def show_topics(ctx: StageContext, txt: dict) -> None:
    lang = ctx.language
    if "topics" in txt and not txt["topics"].empty:
        md(ctx.tr("**评论主题**（TF-IDF + NMF）：", "**Comment topics** (TF-IDF + NMF):"))
        table(_topic_table(ctx, txt["topics"]))
        v = txt["verbatims"]
        if not v.empty:
            md(ctx.tr("代表性原话（联系方式已脱敏）：", "Representative verbatims (contact data masked):"))
            key = "sentiment" if "sentiment" in v else v.columns[0]
            table(pd.DataFrame({ctx.tr("情感", "sentiment"): v[key].map(lambda s: sentiment_label(str(s), lang)),
                                ctx.tr("原话", "verbatim"): v["text"] if "text" in v else v.iloc[:, 1],
                                ctx.tr("次数", "times"): v["count"] if "count" in v else ""}))
    if "complaint_topics" in txt and not txt["complaint_topics"].empty:
        md(ctx.tr("**投诉文本主题**：", "**Complaint text topics**:"))
        table(_topic_table(ctx, txt["complaint_topics"]))
        v = txt["complaint_verbatims"]
        if not v.empty:
            table(pd.DataFrame({ctx.tr("主题", "topic"): v[v.columns[0]],
                                ctx.tr("原话", "verbatim"): v["text"] if "text" in v else v.iloc[:, 1],
                                ctx.tr("次数", "times"): v["count"] if "count" in v else ""}))


def _topic_table(ctx: StageContext, topics: pd.DataFrame) -> pd.DataFrame:
    terms = topics["terms"].map(lambda t: " / ".join(t) if isinstance(t, list | tuple) else str(t))
    return pd.DataFrame({ctx.tr("主题", "topic"): topics["topic"], ctx.tr("关键词", "terms"): terms,
                         ctx.tr("条数", "documents"): topics["documents"].map(fmt_int),
                         ctx.tr("占比", "share"): topics["share"].map(fmt_pct)})


# --- interactions --------------------------------------------------------------------------
def interactions(ctx: StageContext, inp: Inputs) -> dict:
    return pipeline.interactions_step(inp)


def show_interactions(ctx: StageContext, eng: dict) -> None:
    if "skipped" in eng:
        show_missing(ctx, "interactions", ctx.tr("互动与购买的关系", "engagement and its link to purchase"))
        return
    bt = eng["by_type"]
    table(pd.DataFrame({
        ctx.tr("类型", "type"): bt["type"], ctx.tr("次数", "interactions"): bt["interactions"].map(fmt_int),
        ctx.tr("客户数", "customers"): bt["customers"].map(fmt_int),
        ctx.tr("人均", "per customer"): bt["per_customer"].round(2),
        ctx.tr("较对比期", "vs before"): bt.get("change", pd.Series(dtype=float)).map(fmt_pct),
    }))
    for by in ("segment_label", "lifecycle_label"):
        t = eng.get(f"by_{by}")
        if t is not None and not t.empty:
            name = _by_name(ctx, by)
            table(pd.DataFrame({name: t[by], ctx.tr("客户数", "customers"): t["customers"].map(fmt_int),
                                ctx.tr("有互动占比", "engaged"): t["engaged_share"].map(fmt_pct),
                                ctx.tr("人均互动", "per customer"): t["per_customer"].round(2)}))
    if "summary" in eng:
        s = eng["summary"]
        md(ctx.tr(
            f"本期有互动的客户中 {fmt_pct(s['purchase_rate_engaged'])} 下单，无互动的客户为 "
            f"{fmt_pct(s['purchase_rate_not_engaged'])}（{s['lift']:.1f} 倍）。这是相关而非因果：常买的客户也更常浏览。",
            f"Of the customers who engaged this period {fmt_pct(s['purchase_rate_engaged'])} bought, "
            f"against {fmt_pct(s['purchase_rate_not_engaged'])} of the others ({s['lift']:.1f}×). "
            "An association, not an effect: frequent buyers also browse more."))
        fig, ax = plt.subplots(figsize=(8, 4))
        complaint_plots.plot_engagement_purchase(eng["purchase"], ax=ax, language=ctx.language)
        _show(fig)


# --- save and flags ------------------------------------------------------------------------
def save(ctx: StageContext, inp: Inputs, sat: dict, drv: dict, comp: dict, txt: dict,
         eng: dict):
    calls = pipeline.callbacks(inp)
    write_export(calls, ctx.paths.exports / "callback_detractors.csv")
    if "comments" in txt:
        keep = ["customer_id", "response_date", "period", "sentiment_score", "sentiment"]
        ctx.write("feedback_scored", txt["comments"][keep])
    m = outputs.metrics(inp, sat, drv, comp, txt, eng, calls)
    fl = outputs.flags(inp, sat, drv, comp, txt)
    skipped = [{"section": k, "needs": v["skipped"]} for k, v in
               (("satisfaction", sat), ("drivers", drv), ("complaints", comp),
                ("text", txt), ("interactions", eng)) if "skipped" in v]
    return ctx.save_findings(m, fl, skipped)


def show_callbacks(ctx: StageContext) -> None:
    path = ctx.paths.exports / "callback_detractors.csv"
    n = max(0, sum(1 for _ in path.open(encoding="utf-8-sig")) - 1) if path.exists() else 0
    md(ctx.tr(f"`exports/callback_detractors.csv` 列出 {fmt_int(n)} 位需要回访的贬损者（仅客户编号与评分，按 CLV 排序）。",
              f"`exports/callback_detractors.csv` lists {fmt_int(n)} detractors to call back "
              "(customer IDs and scores only, highest CLV first)."))


def show_flags(ctx: StageContext) -> None:
    from .notebook import show_flags as show

    show(ctx)
