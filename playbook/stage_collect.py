"""Stage 01_collect: load each source, keep this unit, and take stock of what arrived.

Each function is one notebook cell: compute, show (narrative, table or chart), or save.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import pandas as pd

from . import charts, collect
from .context import StageContext, open_stage
from .findings import flag
from .notebook import fmt_int, md, table
from .schema import TABLES


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "collect")


@dataclass
class Collected:
    tables: dict[str, pd.DataFrame]
    inventory: pd.DataFrame
    coverage: pd.DataFrame
    missing: pd.DataFrame
    staged_rows: dict[str, int] = field(default_factory=dict)


def load_staged(ctx: StageContext) -> dict[str, pd.DataFrame]:
    """The run's staged copy of every source (read from the original when not staged)."""
    if ctx.staged_dir is not None and ctx.staged:
        from .staging import load_staged as from_cache

        return from_cache(ctx.cfg, ctx.staged_dir, ctx.staged)[0]
    from . import sources

    return {t: sources.read_table(ctx.cfg.source(t), ctx.cfg.mapping(t))
            for t in ctx.cfg.source_tables()}


def run(ctx: StageContext) -> Collected:
    """Scope every table to the unit and write `data/raw_<table>.parquet`."""
    staged = load_staged(ctx)
    unit = "total" if ctx.is_total else ctx.unit
    tables = collect.scope_to_unit(staged, ctx.cfg.model.unit_column, unit)
    for name in TABLES:
        ctx.remove(f"raw_{name}")
    for name, df in tables.items():
        ctx.write(f"raw_{name}", df)
    meta = {t: {k: v for k, v in m.items() if k in ("location", "fingerprint", "encoding", "format")}
            for t, m in ctx.staged.items()}
    inv = collect.inventory(tables, meta)
    start, end = ctx.window
    cov = collect.monthly_coverage(tables, ctx.cfg.model.read.date_format, start=start, end=end)
    missing = collect.missing_inputs(tables, ctx.language)
    return Collected(tables, inv, cov, missing, {t: len(df) for t, df in staged.items()})


def show_inventory(ctx: StageContext, res: Collected) -> None:
    start, end = ctx.window
    n_orders = len(res.tables.get("orders", []))
    md(ctx.tr(
        f"本单元 **{ctx.unit}** 共收到 **{len(res.tables)}** 张表，其中订单 **{fmt_int(n_orders)}** 行。"
        f"复盘周期为 **{ctx.period.label}**，分析窗口 {start.date()} 至 {end.date()}"
        f"（含前 {ctx.cfg.model.history} 个同长度周期）。下表列出每个数据源的行数、列数、日期范围和指纹；"
        "指纹不变即数据未变，重跑时会跳过已完成的阶段。",
        f"Unit **{ctx.unit}** received **{len(res.tables)}** tables, including "
        f"**{fmt_int(n_orders)}** order rows. The review period is **{ctx.period.label}**; the "
        f"analysis window runs from {start.date()} to {end.date()} (the period plus "
        f"{ctx.cfg.model.history} earlier periods of the same length). The table lists each "
        "source's rows, columns, date range and fingerprint; an unchanged fingerprint means "
        "unchanged data, so a re-run skips the stages already done."))
    table(inventory_view(ctx, res.inventory))


def inventory_view(ctx: StageContext, inv: pd.DataFrame) -> pd.DataFrame:
    """The inventory as the report shows it: file names, dates without times, labelled columns."""
    view = pd.DataFrame({
        ctx.tr("表", "table"): inv["table"],
        ctx.tr("行数", "rows"): inv["rows"].map(fmt_int),
        ctx.tr("列数", "columns"): inv["columns"],
        ctx.tr("日期列", "date column"): inv["date_column"].fillna("—"),
        ctx.tr("最早", "from"): pd.to_datetime(inv["date_from"]).dt.strftime("%Y-%m-%d").fillna("—"),
        ctx.tr("最晚", "to"): pd.to_datetime(inv["date_to"]).dt.strftime("%Y-%m-%d").fillna("—"),
        ctx.tr("日期可解析", "dates parsed"): inv["dates_parsed"].map(
            lambda v: "—" if pd.isna(v) else f"{100 * v:.1f}%"),
        ctx.tr("来源", "source"): inv["location"].fillna("").map(lambda p: str(p).rsplit("/", 1)[-1]),
        ctx.tr("格式", "format"): inv["format"].fillna("—"),
        ctx.tr("编码", "encoding"): inv["encoding"].fillna("—"),
        ctx.tr("指纹", "fingerprint"): inv["fingerprint"].fillna("—"),
    })
    return view


def show_coverage(ctx: StageContext, res: Collected) -> None:
    cov = res.coverage
    if cov.empty:
        md(ctx.tr("没有带日期的表，无法显示月度覆盖。", "No dated table: no monthly coverage to show."))
        return None
    gaps = _gaps(ctx, cov)
    md(ctx.tr(
        f"按月统计的行数覆盖 {len(cov)} 个月。" + (f"订单缺失的月份：{', '.join(gaps)}。" if gaps
                                               else "窗口内每个月都有订单。"),
        f"Rows per month cover {len(cov)} months. " + (
            f"Months without orders: {', '.join(gaps)}." if gaps
            else "Every month of the window has orders.")))
    fig, ax = plt.subplots(figsize=(10, 3.8))
    charts.plot_coverage(cov, ax=ax, language=ctx.language)
    ax.set_title(ctx.tr("各表按月行数", "Rows per month, by table"))
    fig.tight_layout()
    plt.show()
    return None


def _gaps(ctx: StageContext, cov: pd.DataFrame) -> list[str]:
    if "orders" not in cov.columns:
        return []
    start, end = ctx.window
    months = pd.period_range(start, end, freq="M").astype(str)
    counts = cov["orders"].copy()
    counts.index = counts.index.astype(str)
    return [m for m in months if counts.get(m, 0) == 0]


def show_missing(ctx: StageContext, res: Collected) -> None:
    if res.missing.empty:
        md(ctx.tr("所有可选数据都已提供，后续各阶段的全部分析都可以进行。",
                  "Every optional input is present: all later sections can run."))
        return
    md(ctx.tr(
        f"以下 **{len(res.missing)}** 项数据缺失，相关分析将在后续阶段中跳过并说明原因：",
        f"These **{len(res.missing)}** inputs are missing; the sections they feed are skipped "
        "later, with the reason shown:"))
    table(res.missing)


def save(ctx: StageContext, res: Collected):
    metrics: dict = {"tables_present": len(res.tables)}
    metrics.update(collect.collect_metrics(res.tables))
    for t, n in res.staged_rows.items():
        metrics[f"staged_rows_{t}"] = n
    flags = []
    gaps = _gaps(ctx, res.coverage) if not res.coverage.empty else []
    if gaps:
        flags.append(flag("coverage_gap", "warning",
                          ctx.tr(f"{len(gaps)} 个月没有订单数据", f"{len(gaps)} month(s) have no orders"),
                          months=gaps))
    in_period = 0
    if "orders" in res.tables:
        from .dates import parse_dates

        d = parse_dates(res.tables["orders"]["order_date"], ctx.cfg.model.read.date_format)
        in_period = int(((d >= ctx.period.start) & (d < ctx.period.end_exclusive)).sum())
    metrics["orders_in_period"] = in_period
    if in_period == 0:
        flags.append(flag("no_orders_in_period", "critical",
                          ctx.tr(f"{ctx.period.label} 没有订单", f"No orders in {ctx.period.label}"),
                          period=ctx.period.label))
    skipped = res.missing.to_dict("records") if not res.missing.empty else []
    return ctx.save_findings(metrics, flags, skipped)
