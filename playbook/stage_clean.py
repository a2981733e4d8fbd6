"""Stage 02_clean: coerce types, remove duplicates, reject invalid rows with a reason, mask PII.

Every input row is kept or written to `data/rejected_<table>.parquet` with its reason, and
`findings/clean.json` reconciles the counts: rows in = rows kept + rows rejected.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import charts, clean
from .context import StageContext, open_stage
from .findings import flag
from .notebook import fmt_int, fmt_pct, md, table
from .schema import TABLES

HIGH_REJECT_RATE = 0.05


def open(run_config: str, unit: str, unit_dir: str) -> StageContext:  # noqa: A001 (cell verb)
    return open_stage(run_config, unit, unit_dir, "clean")


def settings(ctx: StageContext) -> clean.CleanSettings:
    s = ctx.cfg.model.clean
    return clean.CleanSettings(max_amount=s.max_amount, max_quantity=s.max_quantity,
                               dedupe_keys={k: list(v) for k, v in s.dedupe_keys.items()},
                               date_format=ctx.cfg.model.read.date_format,
                               drop_exact_duplicates=s.drop_exact_duplicates)


def run(ctx: StageContext) -> dict[str, clean.CleanResult]:
    """Clean every collected table; write the kept and the rejected rows."""
    raw = {t: ctx.read(f"raw_{t}") for t in TABLES if ctx.has(f"raw_{t}")}
    if "orders" not in raw:
        from .errors import UpstreamMissingError

        raise UpstreamMissingError(ctx.unit, "02_clean", "data/raw_orders.parquet")
    start, end = ctx.window
    results = clean.clean_all(raw, window_start=start, window_end=end,
                              today=pd.Timestamp(ctx.cfg.today), settings=settings(ctx))
    for t in TABLES:
        ctx.remove(t)
        ctx.remove(f"rejected_{t}")
    for t, res in results.items():
        ctx.write(t, res.kept)
        ctx.write(f"rejected_{t}", res.rejected)
    return results


def show_quality(ctx: StageContext, results: dict[str, clean.CleanResult]) -> None:
    rec = clean.reconcile(results)
    rows = []
    for t, r in _per_table(rec).items():
        rows.append({ctx.tr("表", "table"): t, ctx.tr("输入行", "rows in"): r["rows_in"],
                     ctx.tr("保留", "kept"): r["rows_kept"], ctx.tr("拒绝", "rejected"): r["rows_rejected"],
                     ctx.tr("拒绝率", "reject rate"): fmt_pct(r["rows_rejected"] / r["rows_in"]) if r["rows_in"] else "—",
                     ctx.tr("平衡", "balanced"): "✓" if r["balanced"] else "✗"})
    total_in = sum(r.rows_in for r in results.values())
    total_rej = sum(len(r.rejected) for r in results.values())
    md(ctx.tr(
        f"共处理 **{fmt_int(total_in)}** 行，拒绝 **{fmt_int(total_rej)}** 行（{fmt_pct(total_rej / total_in if total_in else 0)}）。"
        "每一行要么保留，要么连同原因写入 `data/rejected_<表>.parquet`，下表逐表核对：输入 = 保留 + 拒绝。"
        "退款和取消的订单作为退货保留，不会被删除；姓名、电话和邮箱已脱敏。",
        f"**{fmt_int(total_in)}** rows processed, **{fmt_int(total_rej)}** rejected "
        f"({fmt_pct(total_rej / total_in if total_in else 0)}). Every row is either kept or written, "
        "with its reason, to `data/rejected_<table>.parquet`; the table reconciles each input: "
        "rows in = kept + rejected. Refunds and cancellations are kept as returns, never dropped; "
        "names, phones and e-mails are masked."))
    table(pd.DataFrame(rows))
    return None


def _per_table(rec: dict) -> dict[str, dict]:
    """reconcile() gives one entry per table plus the overall "balanced"."""
    return {k: v for k, v in rec.items() if isinstance(v, dict)}


def show_missing(ctx: StageContext, results: dict[str, clean.CleanResult]) -> None:
    frames = []
    for t, r in results.items():
        m = clean.missing_by_column(r.kept)
        m.insert(0, "table", t)
        frames.append(m)
    miss = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    shown = miss[miss["missing"] > 0] if not miss.empty else miss
    if shown.empty:
        md(ctx.tr("保留的数据中没有缺失值。", "The kept rows have no missing values."))
        return None
    md(ctx.tr("保留数据中各列的缺失情况（只列出有缺失的列）：",
              "Missing values in the kept rows, by column (columns with gaps only):"))
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.28 * len(shown))))
    labelled = shown.assign(column=shown["table"] + "." + shown["column"])
    charts.plot_missing(labelled, ax=ax, language=ctx.language)
    fig.tight_layout()
    plt.show()
    return None


def show_rejects(ctx: StageContext, results: dict[str, clean.CleanResult]) -> None:
    by_reason: dict[str, int] = {}
    for r in results.values():
        for reason, n in r.by_reason.items():
            by_reason[reason] = by_reason.get(reason, 0) + n
    if not by_reason:
        md(ctx.tr("没有被拒绝的行。", "No row was rejected."))
        return None
    top = sorted(((k, v) for k, v in by_reason.items() if v), key=lambda kv: -kv[1])
    md(ctx.tr("拒绝原因（按行数）：", "Rejected rows by reason:") + " " + "; ".join(
        f"{clean.reason_label(k, ctx.language)} {fmt_int(v)}" for k, v in top))
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * len(by_reason))))
    charts.plot_rejects(by_reason, ax=ax, language=ctx.language)
    fig.tight_layout()
    plt.show()
    return None


def show_before_after(ctx: StageContext, results: dict[str, clean.CleanResult]) -> None:
    ba = clean.before_after(results)
    md(ctx.tr("清洗前后每张表的行数：", "Rows per table before and after cleaning:"))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    charts.plot_before_after(ba, ax=ax, language=ctx.language)
    fig.tight_layout()
    plt.show()
    return None


def save(ctx: StageContext, results: dict[str, clean.CleanResult]):
    rec = clean.reconcile(results)
    tables = _per_table(rec)
    metrics: dict = {"balanced": bool(rec["balanced"])}
    flags = []
    for t, r in tables.items():
        metrics[f"{t}_rows_in"] = r["rows_in"]
        metrics[f"{t}_rows_kept"] = r["rows_kept"]
        metrics[f"{t}_rows_rejected"] = r["rows_rejected"]
        for reason, n in r["by_reason"].items():
            metrics[f"{t}_rejected_{reason}"] = n
        rate = r["rows_rejected"] / r["rows_in"] if r["rows_in"] else 0.0
        metrics[f"{t}_reject_rate"] = rate
        if rate > HIGH_REJECT_RATE:
            flags.append(flag(f"high_reject_rate_{t}", "warning",
                              ctx.tr(f"{t} 表拒绝率 {fmt_pct(rate)}，高于 {fmt_pct(HIGH_REJECT_RATE)}",
                                     f"{t}: {fmt_pct(rate)} of rows rejected, above {fmt_pct(HIGH_REJECT_RATE)}"),
                              table=t, rate=rate, by_reason=r["by_reason"]))
    if not metrics["balanced"]:
        flags.append(flag("unbalanced", "critical", "rows in != kept + rejected", tables=tables))
    if "orders" in results:
        metrics["orders_returns_kept"] = int(results["orders"].kept.get("is_return", pd.Series(dtype=bool)).sum())
    return ctx.save_findings(metrics, flags, [])
