"""The executive summary on top of each unit's report, and the run's management summary page.

Both are built from the stages' findings files (``<unit>/findings/<stage>.json``) and the plan
stage 07 writes (``<unit>/plan.json``); nothing is recomputed from data.

Top findings (`top_findings`)
-----------------------------
Every flag of every stage is a candidate. The `n` most important are chosen so:

1. **One finding per theme.** A flag's theme is its id without the trailing group/unit part: the
   longest prefix of `THEMES` that is the whole id or is followed by ``_`` (so
   ``satisfaction_drop_region_华南`` is ``satisfaction_drop``, ``service_level_drop_售后_response``
   is ``service_level_drop`` and ``service_level_resolution`` is ``service_level``); an id with
   no such prefix is its own theme. Within a theme (across all stages) the most severe flag is
   kept; ties go to the stage first in the stage order below, then to the flag first in its
   stage's list (stages list their flags most severe first).
2. **Severity first**: every critical finding comes before every warning, every warning before
   every info (an unknown severity ranks after info).
3. **Stage order** breaks ties within a severity: segment, feedback, competition, trends,
   strategy, clean, collect (other stages after these, by name); then the flag's place in its
   stage's list.
4. **At most 2 findings per stage while other stages still have findings of the same severity**:
   walking the candidates of one severity in that order, a finding whose stage already has 2
   findings picked (at any severity) is passed over as long as a candidate of the same
   severity from a stage with fewer than 2 is left. When none is left, the next finding comes
   from the stage with the fewest findings picked so far (stage order, then list order, among
   those).

Each finding is ``{"stage", "id", "theme", "severity", "message", "evidence"}``.

KPI strip (`unit_kpis`)
-----------------------
Six KPIs, each from the first source that has it (stage findings metrics):

=====================  ===============================  ==================================
KPI                    first choice (trends.json)        fallback
=====================  ===============================  ==================================
revenue                ``revenue``                       segment ``revenue_now``
active_customers       ``active``                        segment ``active_now``
retention_rate         ``retention_rate``                —
nps                    —                                 feedback ``nps``
csat_mean              —                                 feedback ``csat_mean``
complaints_per_1000    —                                 feedback ``complaints_per_1000``
=====================  ===============================  ==================================

The previous value is the metric ``<base>_before`` (``base`` is the name without ``_now``); the
change is now − before, or, without a previous value, the metric ``<base>_change`` read as that
difference. Money and counts show the relative change, shares the change in percentage points,
scores and rates per 1,000 the difference.

Summaries
---------
- `executive_summary_html`: one screen for a unit's report: goals (目标), data sources (数据来源:
  rows per table from ``collect.json`` ``rows_<table>``, kept rows from ``clean.json``
  ``<table>_rows_kept``, the period and the comparison date from ``segment.json`` ``as_of`` /
  ``compare_as_of``), results (结果: the KPI strip, flag counts, the five top findings) and
  recommendations (建议: the plan's top actions by priority, and the closed-loop line from
  ``strategy.json`` metrics ``loop_kpis_met`` / ``loop_kpis_total`` when present).
- `render_run_summary`: ``summary.html`` for the run, one column per unit (``total`` last).

All text from findings and plans is HTML-escaped; the pages load nothing from the network.
"""
from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..layout import STAGE_TITLES, safe_name
from .index_page import PAGE_BASE_CSS, _href, _link
from .labels import LABELS, check_language
from .offline import write_page

SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
SEVERITY_ICONS = {"critical": "🔴", "warning": "🟠", "info": "🔵"}

#: Stage order that breaks ties between findings of the same severity.
STAGE_PRIORITY = ("segment", "feedback", "competition", "trends", "strategy", "clean", "collect")
#: Order the stages run in (used to list findings files).
STAGE_RUN_ORDER = ("collect", "clean", "segment", "feedback", "competition", "trends", "strategy")
#: Findings picked from one stage before other stages of the same severity get their turn.
STAGE_CAP = 2

#: Flag-id prefixes naming a theme (the rest of the id is the group, aspect or unit).
THEMES = (
    "satisfaction_drop",
    "aspect_drop",
    "aspect_important_weak",
    "complaints_rising",
    "service_level_drop",
    "service_level",
    "complainers_churn_more",
    "negative_comments_rising",
    "competitor_price_cut",
    "competitor_ahead",
    "competitor_share_gain",
    "market_share_loss",
    "frequency_drop",
    "segment_shrinking",
    "at_risk_value_rising",
    "churn_high",
    "churn_rising",
    "clv_model_off",
    "mix_shift",
    "trend_break",
    "kpi_missed",
    "action_no_effect",
)
_THEMES_LONGEST_FIRST = sorted(THEMES, key=len, reverse=True)

#: (kpi id, kind, direction (+1 up is good, -1 down is good), sources in order of preference).
KPI_SOURCES: tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...] = (
    ("revenue", "money", 1, (("trends", "revenue"), ("segment", "revenue_now"))),
    ("active_customers", "count", 1, (("trends", "active"), ("segment", "active_now"))),
    ("retention_rate", "share", 1, (("trends", "retention_rate"),)),
    ("nps", "score1", 1, (("trends", "nps"), ("feedback", "nps"))),
    ("csat_mean", "score2", 1, (("trends", "csat_mean"), ("feedback", "csat_mean"))),
    ("complaints_per_1000", "per_1000", -1,
     (("trends", "complaints_per_1000"), ("feedback", "complaints_per_1000"))),
)

TABLE_ORDER = ("orders", "customers", "feedback", "complaints", "interactions", "competitors",
               "market")

TEXTS: dict[str, dict[str, Any]] = {
    "zh": {
        "exec_title": "管理层摘要",
        "goals": "目标",
        "goals_text": "复盘「{unit}」在 {period} 的客户：价值与分群、满意度与投诉、竞争和趋势，"
                      "找出最重要的问题并确定下一期的行动。",
        "sources": "数据来源",
        "results": "结果",
        "recommendations": "建议",
        "rows": "{n} 行",
        "kept": "（保留 {n}）",
        "period_line": "期间 {period}",
        "as_of": "截至 {date}",
        "compare": "对比截至 {date} 的上期",
        "orders_in_period": "本期订单 {n} 笔",
        "no_sources": "没有收集阶段的记录。",
        "no_findings": "各阶段未发现需要关注的问题。",
        "flag_counts": "问题",
        "no_plan": "行动计划由 07 策略阶段制定（尚未运行）。",
        "no_actions": "计划中没有行动。",
        "action": "行动",
        "customers": "客户数",
        "net_value": "净价值",
        "channel": "渠道",
        "loop": "上期计划：{n} 项目标中达成 {k} 项",
        "kpis": "关键指标",
        "severity": {"critical": "严重", "warning": "警告", "info": "提示"},
        "top_findings": "主要发现",
        "top_actions": "主要行动",
        "closed_loop": "上期计划闭环",
        "no_data": "无数据",
        "index": "运行总览",
        "before": "上期",
        "kpi_names": {
            "revenue": "收入",
            "active_customers": "活跃客户",
            "retention_rate": "留存率",
            "nps": "NPS",
            "csat_mean": "CSAT 均分",
            "complaints_per_1000": "每千客户投诉",
        },
        "tables": {
            "orders": "订单", "customers": "客户", "feedback": "反馈", "complaints": "投诉",
            "interactions": "互动", "competitors": "竞品", "market": "市场",
        },
        "sep": "；",
        "list_sep": "，",
    },
    "en": {
        "exec_title": "Executive summary",
        "goals": "Goals",
        "goals_text": "Review {unit}'s customers in {period}: value and segments, satisfaction "
                      "and complaints, competition and trends; find the issues that matter most "
                      "and decide next period's actions.",
        "sources": "Data sources",
        "results": "Results",
        "recommendations": "Recommendations",
        "rows": "{n} rows",
        "kept": " ({n} kept)",
        "period_line": "period {period}",
        "as_of": "to {date}",
        "compare": "compared with the period to {date}",
        "orders_in_period": "{n} orders in the period",
        "no_sources": "No record of the collect stage.",
        "no_findings": "No stage found anything that needs attention.",
        "flag_counts": "Issues",
        "no_plan": "The action plan is made by stage 07 (strategy), not run yet.",
        "no_actions": "The plan has no actions.",
        "action": "Action",
        "customers": "Customers",
        "net_value": "Net value",
        "channel": "Channel",
        "loop": "Last period's plan: {k} of {n} targets met",
        "kpis": "Key figures",
        "severity": {"critical": "critical", "warning": "warning", "info": "info"},
        "top_findings": "Top findings",
        "top_actions": "Top actions",
        "closed_loop": "Last period's plan",
        "no_data": "no data",
        "index": "Run overview",
        "before": "previous",
        "kpi_names": {
            "revenue": "Revenue",
            "active_customers": "Active customers",
            "retention_rate": "Retention",
            "nps": "NPS",
            "csat_mean": "CSAT (mean)",
            "complaints_per_1000": "Complaints per 1,000",
        },
        "tables": {
            "orders": "orders", "customers": "customers", "feedback": "feedback",
            "complaints": "complaints", "interactions": "interactions",
            "competitors": "competitors", "market": "market",
        },
        "sep": "; ",
        "list_sep": ", ",
    },
}

_CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥",
                     "HKD": "HK$"}

#: Styles of the executive summary and the management summary (added to the report pages' CSS).
SUMMARY_CSS = """
.pb-ex { border: 1px solid #d5dbe3; border-radius: 8px; padding: 10px 18px 12px;
  background: #fbfcfd; }
.pb-ex h2.pb-ex-title { font-size: 1.35em; margin: 4px 0 8px; color: #17324d; }
.pb-ex h3 { font-size: 1.02em; margin: 10px 0 4px; color: #1f5fa8; }
.pb-ex p { margin: 2px 0; }
.pb-kpis { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0;
  margin: 6px 0; }
.pb-kpis li { border: 1px solid #d5dbe3; border-radius: 6px; padding: 4px 10px;
  background: #fff; min-width: 7.5em; }
.pb-kpi-name { display: block; color: #5f6b7a; font-size: 0.82em; }
.pb-kpi-value { font-weight: 600; font-size: 1.08em; }
.pb-chg { font-size: 0.85em; margin-left: 4px; white-space: nowrap; }
.pb-chg.good { color: #1b6e34; } .pb-chg.bad { color: #a4262c; } .pb-chg.flat { color: #5f6b7a; }
ol.pb-findings { margin: 4px 0; padding-left: 1.6em; }
ol.pb-findings li { margin: 2px 0; }
.pb-stage-tag { color: #5f6b7a; font-size: 0.85em; margin-right: 4px; }
.pb-counts { color: #5f6b7a; font-size: 0.9em; }
table.pb-actions { border-collapse: collapse; font-size: 0.9em; margin: 4px 0; }
table.pb-actions th, table.pb-actions td { border: 1px solid #d5dbe3; padding: 3px 8px;
  text-align: left; }
table.pb-actions th { background: #f3f6f9; }
table.pb-actions td.num { text-align: right; white-space: nowrap; }
.pb-loop { font-weight: 600; margin-top: 6px; }
.pb-muted { color: #5f6b7a; }
"""

_PAGE_CSS = PAGE_BASE_CSS + """
main { max-width: 1400px; margin: 0 auto; padding: 0 24px 48px; }
a { color: #1f5fa8; }
table.pb-run { border-collapse: collapse; font-size: 0.9em; table-layout: fixed; width: 100%; }
table.pb-run th, table.pb-run td { border: 1px solid #d5dbe3; padding: 6px 8px;
  vertical-align: top; word-break: break-word; }
table.pb-run thead th { background: #f3f6f9; }
table.pb-run tbody th { text-align: left; background: #fafbfc; width: 11em; }
table.pb-run tr.pb-section th { background: #eef3f9; color: #17324d; font-size: 1.02em; }
table.pb-run td ol { margin: 0; padding-left: 1.3em; }
table.pb-run td ol li { margin-bottom: 4px; }
table.pb-run td.num { white-space: nowrap; }
@media print { main { max-width: none; } }
"""


# --------------------------------------------------------------------------- findings


def flag_theme(flag_id: str) -> str:
    """The theme of a flag id: its `THEMES` prefix, or the whole id (see the module docstring)."""
    flag_id = str(flag_id)
    for prefix in _THEMES_LONGEST_FIRST:
        if flag_id == prefix or flag_id.startswith(prefix + "_"):
            return prefix
    return flag_id


def _stage_rank(stage: str) -> tuple[int, str]:
    if stage in STAGE_PRIORITY:
        return (STAGE_PRIORITY.index(stage), "")
    return (len(STAGE_PRIORITY), stage)


def _severity_rank(severity: object) -> int:
    return SEVERITY_RANK.get(str(severity), len(SEVERITY_RANK))


def top_findings(docs: Mapping[str, Mapping[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    """The `n` most important findings of a unit from its stages' findings docs.

    `docs` maps a stage name to its findings doc (``{"metrics", "flags", ...}``). The rules
    (one per theme, severity, at most `STAGE_CAP` per stage, stage order) are in the module
    docstring. Returns a list of ``{"stage", "id", "theme", "severity", "message",
    "evidence"}``, most important first.
    """
    best: dict[str, tuple[tuple, dict[str, Any]]] = {}
    for stage, doc in docs.items():
        for pos, flag in enumerate((doc or {}).get("flags") or []):
            if not isinstance(flag, Mapping):
                continue
            flag_id = str(flag.get("id") or "")
            item = {
                "stage": str(stage),
                "id": flag_id,
                "theme": flag_theme(flag_id),
                "severity": str(flag.get("severity") or "info"),
                "message": str(flag.get("message") or flag_id),
                "evidence": flag.get("evidence") or {},
            }
            key = (_severity_rank(item["severity"]), _stage_rank(item["stage"]), pos)
            if item["theme"] not in best or key < best[item["theme"]][0]:
                best[item["theme"]] = (key, item)
    candidates = sorted(best.values(), key=lambda kv: kv[0])

    picked: list[dict[str, Any]] = []
    count: dict[str, int] = {}
    for severity in sorted({key[0] for key, _ in candidates}):
        pool = [item for key, item in candidates if key[0] == severity]
        while pool and len(picked) < n:
            choice = next((it for it in pool if count.get(it["stage"], 0) < STAGE_CAP), None)
            if choice is None:
                fewest = min(count.get(it["stage"], 0) for it in pool)
                choice = next(it for it in pool if count.get(it["stage"], 0) == fewest)
            pool.remove(choice)
            picked.append(choice)
            count[choice["stage"]] = count.get(choice["stage"], 0) + 1
    return picked


def read_unit_findings(unit_dir: Path) -> dict[str, dict[str, Any]]:
    """The findings docs of a unit folder, by stage, in run order (unknown stages by name)."""
    folder = Path(unit_dir) / "findings"
    if not folder.is_dir():
        return {}
    files = {p.stem: p for p in folder.glob("*.json") if p.is_file()}
    order = sorted(files, key=lambda s: (
        STAGE_RUN_ORDER.index(s) if s in STAGE_RUN_ORDER else len(STAGE_RUN_ORDER), s))
    docs: dict[str, dict[str, Any]] = {}
    for stage in order:
        try:
            doc = json.loads(files[stage].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"Cannot read the findings file {files[stage]}: {exc}") from exc
        docs[stage] = doc if isinstance(doc, dict) else {}
    return docs


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def unit_kpis(docs: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The KPI strip of a unit: ``{"id", "kind", "direction", "now", "before", "change",
    "source"}`` for each KPI of `KPI_SOURCES` (``now`` is None when no stage has it)."""
    out = []
    for kpi_id, kind, direction, sources in KPI_SOURCES:
        row: dict[str, Any] = {"id": kpi_id, "kind": kind, "direction": direction,
                               "now": None, "before": None, "change": None, "source": None}
        for stage, name in sources:
            metrics = (docs.get(stage) or {}).get("metrics") or {}
            now = _number(metrics.get(name))
            if now is None:
                continue
            base = name[: -len("_now")] if name.endswith("_now") else name
            before = _number(metrics.get(f"{base}_before"))
            change = now - before if before is not None else _number(metrics.get(f"{base}_change"))
            if before is None and change is not None:
                before = now - change
            row.update(now=now, before=before, change=change, source=f"{stage}.{name}")
            break
        out.append(row)
    return out


def _plan(unit_dir: Path) -> dict[str, Any] | None:
    path = Path(unit_dir) / "plan.json"
    if not path.is_file():
        return None
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"Cannot read the plan {path}: {exc}") from exc
    return plan if isinstance(plan, dict) else {}


def _top_actions(plan: Mapping[str, Any], k: int) -> list[Mapping[str, Any]]:
    actions = [a for a in plan.get("actions") or [] if isinstance(a, Mapping)]

    def priority(a: Mapping[str, Any]) -> float:
        p = _number(a.get("priority"))
        return p if p is not None else math.inf

    return sorted(actions, key=priority)[:k]


def _loop(docs: Mapping[str, Mapping[str, Any]]) -> tuple[int, int] | None:
    metrics = (docs.get("strategy") or {}).get("metrics") or {}
    met, total = _number(metrics.get("loop_kpis_met")), _number(metrics.get("loop_kpis_total"))
    if met is None or total is None or total <= 0:
        return None
    return int(met), int(total)


# --------------------------------------------------------------------------- formatting


def _money(value: float, currency: str) -> str:
    symbol = _CURRENCY_SYMBOLS.get(currency.upper())
    sign = "-" if value < 0 else ""
    if symbol:
        return f"{sign}{symbol}{abs(value):,.0f}"
    return f"{sign}{abs(value):,.0f} {currency}"


def _format_kpi(value: float, kind: str, currency: str) -> str:
    if kind == "money":
        return _money(value, currency)
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "score2":
        return f"{value:.2f}"
    return f"{value:,.1f}"


def _format_change(row: Mapping[str, Any], currency: str) -> str:
    change, before, kind = row["change"], row["before"], row["kind"]
    if kind in ("money", "count") and before:
        return f"{change / abs(before):+.1%}"
    if kind == "money":
        return ("+" if change >= 0 else "-") + _money(abs(change), currency)
    if kind == "count":
        return f"{change:+,.0f}"
    if kind == "share":
        return f"{change * 100:+.1f} pt"
    if kind == "score2":
        return f"{change:+.2f}"
    return f"{change:+,.1f}"


def _kpi_value_html(row: Mapping[str, Any], text: Mapping[str, Any], currency: str) -> str:
    if row["now"] is None:
        return '<span class="pb-kpi-value pb-muted">—</span>'
    value = html.escape(_format_kpi(row["now"], row["kind"], currency))
    out = f'<span class="pb-kpi-value">{value}</span>'
    if row["change"] is not None:
        signed = row["change"] * row["direction"]
        tone = "good" if signed > 0 else "bad" if signed < 0 else "flat"
        arrow = "▲" if row["change"] > 0 else "▼" if row["change"] < 0 else "■"
        title = ""
        if row["before"] is not None:
            before = _format_kpi(row["before"], row["kind"], currency)
            title = f' title="{html.escape(text["before"])}: {html.escape(before)}"'
        out += (f'<span class="pb-chg {tone}"{title}>{arrow} '
                f"{html.escape(_format_change(row, currency))}</span>")
    return out


def _stage_label(stage: str, language: str) -> str:
    zh, en = STAGE_TITLES.get(stage, (stage, stage.title()))
    return zh if language == "zh" else en


def _finding_li(item: Mapping[str, Any], language: str) -> str:
    icon = SEVERITY_ICONS.get(item["severity"], "⚪")
    return (f'<li class="sev-{html.escape(item["severity"])}">'
            f'<span title="{html.escape(item["severity"])}">{icon}</span> '
            f'<span class="pb-stage-tag">{html.escape(_stage_label(item["stage"], language))}'
            f"</span>{html.escape(item['message'])}</li>")


def _flag_counts(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITY_RANK, 0)
    for doc in docs.values():
        for flag in (doc or {}).get("flags") or []:
            severity = str((flag or {}).get("severity") or "info")
            if severity in counts:
                counts[severity] += 1
    return counts


def _int(value: object) -> str:
    number = _number(value)
    return f"{number:,.0f}" if number is not None else "—"


def _sources_html(docs: Mapping[str, Mapping[str, Any]], text: Mapping[str, Any]) -> str:
    collect = (docs.get("collect") or {}).get("metrics") or {}
    clean = (docs.get("clean") or {}).get("metrics") or {}
    tables = [t for t in TABLE_ORDER if _number(collect.get(f"rows_{t}")) is not None]
    tables += sorted(
        k[len("rows_"):] for k in collect
        if k.startswith("rows_") and k != "rows_total" and k[len("rows_"):] not in TABLE_ORDER
        and _number(collect[k]) is not None
    )
    parts = []
    for table in tables:
        name = text["tables"].get(table, table)
        piece = f"{name} {text['rows'].format(n=_int(collect[f'rows_{table}']))}"
        kept = _number(clean.get(f"{table}_rows_kept"))
        if kept is not None:
            piece += text["kept"].format(n=_int(kept))
        parts.append(piece)
    period = next((str(d.get("period")) for d in docs.values() if d and d.get("period")), "")
    segment = (docs.get("segment") or {}).get("metrics") or {}
    when = [text["period_line"].format(period=period)] if period else []
    if segment.get("as_of"):
        when.append(text["as_of"].format(date=segment["as_of"]))
    if segment.get("compare_as_of"):
        when.append(text["compare"].format(date=segment["compare_as_of"]))
    if _number(collect.get("orders_in_period")) is not None:
        when.append(text["orders_in_period"].format(n=_int(collect["orders_in_period"])))
    lines = []
    if parts:
        lines.append(f"<p>{html.escape(text['list_sep'].join(parts))}</p>")
    else:
        lines.append(f'<p class="pb-muted">{html.escape(text["no_sources"])}</p>')
    if when:
        lines.append(f'<p class="pb-muted">{html.escape(text["list_sep"].join(when))}</p>')
    return "".join(lines)


def _actions_table(actions: list[Mapping[str, Any]], text: Mapping[str, Any],
                   currency: str) -> str:
    head = "".join(f"<th>{html.escape(text[k])}</th>"
                   for k in ("action", "customers", "net_value", "channel"))
    rows = []
    for a in actions:
        net = _number(a.get("net_value"))
        rows.append(
            f"<tr><td>{html.escape(str(a.get('name') or a.get('id') or ''))}</td>"
            f'<td class="num">{_int(a.get("customers"))}</td>'
            f'<td class="num">{html.escape(_money(net, currency)) if net is not None else "—"}'
            f"</td><td>{html.escape(str(a.get('channel') or '—'))}</td></tr>"
        )
    return (f'<table class="pb-actions"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _loop_text(loop: tuple[int, int], text: Mapping[str, Any]) -> str:
    return text["loop"].format(k=loop[0], n=loop[1])


# --------------------------------------------------------------------------- pages


def executive_summary_html(
    unit_dir: Path, language: str = "zh", currency: str = "CNY", *, top_actions: int = 5,
    n_findings: int = 5,
) -> str:
    """One screen of HTML for the top of a unit's report: goals, data sources, results (KPI
    strip, flag counts, the top findings) and recommendations (the plan's top actions and last
    period's scorecard). "" when the unit folder has no findings at all. Everything is escaped.
    """
    text = TEXTS[check_language(language)]
    unit_dir = Path(unit_dir)
    docs = read_unit_findings(unit_dir)
    if not docs:
        return ""
    unit = next((str(d.get("unit")) for d in docs.values() if d and d.get("unit")), unit_dir.name)
    period = next((str(d.get("period")) for d in docs.values() if d and d.get("period")), "")

    kpis = "".join(
        f'<li><span class="pb-kpi-name">{html.escape(text["kpi_names"][row["id"]])}</span>'
        f"{_kpi_value_html(row, text, currency)}</li>"
        for row in unit_kpis(docs)
    )
    counts = _flag_counts(docs)
    counts_text = " · ".join(
        f"{SEVERITY_ICONS[s]} {text['severity'][s]} {counts[s]}" for s in SEVERITY_RANK)
    findings = top_findings(docs, n_findings)
    if findings:
        findings_html = ('<ol class="pb-findings">'
                         + "".join(_finding_li(f, language) for f in findings) + "</ol>")
    else:
        findings_html = f'<p class="pb-muted">{html.escape(text["no_findings"])}</p>'

    plan = _plan(unit_dir)
    if plan is None:
        recs = f'<p class="pb-muted">{html.escape(text["no_plan"])}</p>'
    else:
        actions = _top_actions(plan, top_actions)
        recs = (_actions_table(actions, text, currency) if actions
                else f'<p class="pb-muted">{html.escape(text["no_actions"])}</p>')
    loop = _loop(docs)
    if loop is not None:
        recs += f'<p class="pb-loop">{html.escape(_loop_text(loop, text))}</p>'

    title = " · ".join(p for p in (text["exec_title"], unit, period) if p)
    return (
        '<div class="pb-ex">\n'
        f'<h2 class="pb-ex-title">{html.escape(title)}</h2>\n'
        f'<h3>{html.escape(text["goals"])}</h3>'
        f'<p>{html.escape(text["goals_text"].format(unit=unit, period=period))}</p>\n'
        f'<h3>{html.escape(text["sources"])}</h3>{_sources_html(docs, text)}\n'
        f'<h3>{html.escape(text["results"])}</h3>'
        f'<ul class="pb-kpis">{kpis}</ul>\n'
        f'<p class="pb-counts">{html.escape(text["flag_counts"])}: {html.escape(counts_text)}</p>'
        f"{findings_html}\n"
        f'<h3>{html.escape(text["recommendations"])}</h3>{recs}\n'
        "</div>"
    )


def _ordered_units(units: Mapping[str, Mapping[str, Any]]) -> list[str]:
    names = [u for u in units if u != "total"]
    return names + (["total"] if "total" in units else [])


def render_run_summary(
    run_dir: Path, html_path: Path | None = None, language: str = "zh", currency: str = "CNY",
    *, top_actions: int = 3, n_findings: int = 3,
) -> Path:
    """Write the run's management summary (``summary.html`` in `run_dir` by default); return it.

    One column per unit of ``run.json`` (``total`` last): the KPIs with their change, flag counts
    by severity, the top findings, the plan's top actions and last period's scorecard. Inline
    CSS, no scripts, nothing from the network (checked with `assert_offline`).
    """
    labels = LABELS[check_language(language)]
    text = TEXTS[language]
    run_dir = Path(run_dir)
    run_json = run_dir / "run.json"
    if not run_json.is_file():
        raise FileNotFoundError(f"No run record at {run_json}: run the playbook first.")
    run = json.loads(run_json.read_text(encoding="utf-8"))
    html_path = Path(html_path) if html_path is not None else run_dir / "summary.html"
    base = html_path.parent
    units: Mapping[str, Mapping[str, Any]] = run.get("units") or {}
    names = _ordered_units(units)

    columns = []
    for name in names:
        info = units[name] or {}
        folder = run_dir / str(info.get("dir") or safe_name(name))
        docs = read_unit_findings(folder)
        plan = _plan(folder)
        columns.append({"name": name, "info": info, "docs": docs, "plan": plan,
                         "kpis": {r["id"]: r for r in unit_kpis(docs)}})

    def section(title: str) -> str:
        return (f'<tr class="pb-section"><th colspan="{len(columns) + 1}">'
                f"{html.escape(title)}</th></tr>")

    rows = [section(text["kpis"])]
    for kpi_id, *_ in KPI_SOURCES:
        cells = "".join(
            f'<td class="num">{_kpi_value_html(c["kpis"][kpi_id], text, currency)}</td>'
            if c["docs"] else '<td class="pb-muted">—</td>'
            for c in columns
        )
        rows.append(f"<tr><th>{html.escape(text['kpi_names'][kpi_id])}</th>{cells}</tr>")

    rows.append(section(text["flag_counts"]))
    all_counts = [_flag_counts(c["docs"]) for c in columns]
    for severity in SEVERITY_RANK:
        cells = "".join(
            f'<td class="num">{counts[severity]}</td>' if c["docs"] else
            '<td class="pb-muted">—</td>'
            for c, counts in zip(columns, all_counts, strict=True)
        )
        label = f"{SEVERITY_ICONS[severity]} {text['severity'][severity]}"
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")

    rows.append(section(text["top_findings"]))
    cells = []
    for c in columns:
        found = top_findings(c["docs"], n_findings)
        if found:
            cells.append("<td><ol>" + "".join(_finding_li(f, language) for f in found)
                         + "</ol></td>")
        else:
            key = "no_findings" if c["docs"] else "no_data"
            cells.append(f'<td class="pb-muted">{html.escape(text[key])}</td>')
    rows.append(f"<tr><th></th>{''.join(cells)}</tr>")

    rows.append(section(text["top_actions"]))
    cells = []
    for c in columns:
        if c["plan"] is None:
            cells.append(f'<td class="pb-muted">{html.escape(text["no_plan"])}</td>')
            continue
        actions = _top_actions(c["plan"], top_actions)
        if not actions:
            cells.append(f'<td class="pb-muted">{html.escape(text["no_actions"])}</td>')
            continue
        items = []
        for a in actions:
            net = _number(a.get("net_value"))
            details = [f"{text['customers']} {_int(a.get('customers'))}"]
            if net is not None:
                details.append(f"{text['net_value']} {_money(net, currency)}")
            if a.get("channel"):
                details.append(f"{text['channel']} {a['channel']}")
            items.append(f"<li><strong>{html.escape(str(a.get('name') or a.get('id') or ''))}"
                         f'</strong><br><span class="pb-muted">'
                         f"{html.escape(text['list_sep'].join(details))}</span></li>")
        cells.append(f"<td><ol>{''.join(items)}</ol></td>")
    rows.append(f"<tr><th></th>{''.join(cells)}</tr>")

    rows.append(section(text["closed_loop"]))
    cells = []
    for c in columns:
        loop = _loop(c["docs"])
        cells.append(f'<td class="pb-loop">{html.escape(_loop_text(loop, text))}</td>' if loop
                     else '<td class="pb-muted">—</td>')
    rows.append(f"<tr><th></th>{''.join(cells)}</tr>")

    head = []
    for c in columns:
        report = c["info"].get("report")
        link = ""
        if report:
            href = _href(os.path.abspath(run_dir / str(report)), Path(os.path.abspath(base)))
            link = f'<br><span class="pb-muted">{_link(href, labels["unit_report"])}</span>'
        head.append(f'<th scope="col">{html.escape(str(c["name"]))}{link}</th>')

    name = str(run.get("name") or "")
    period = str(run.get("period") or "")
    title = " · ".join(p for p in (labels["summary"], name, period) if p)
    top_links = ""
    if (run_dir / "index.html").is_file():
        href = _href(os.path.abspath(run_dir / "index.html"), Path(os.path.abspath(base)))
        top_links = f'<p class="links">{_link(href, text["index"])}</p>\n'
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<style type="text/css">{_PAGE_CSS}{SUMMARY_CSS}</style>\n</head>\n<body>\n<main>\n'
        f"<header><h1>{html.escape(title)}</h1></header>\n"
        f"{top_links}"
        '<table class="pb-run">\n'
        f'<thead><tr><th>{html.escape(labels["unit"])}</th>{"".join(head)}</tr></thead>\n'
        f'<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</main>\n</body>\n</html>\n'
    )
    return write_page(page, html_path)
