"""Tests for playbook.report.summary: top findings, the executive summary, the run summary."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from playbook.errors import ParameterError
from playbook.report import (
    assert_offline,
    executive_summary_html,
    flag_theme,
    render_run_summary,
    render_unit_report,
    top_findings,
    unit_kpis,
)


def _flag(flag_id: str, severity: str, message: str | None = None, **evidence) -> dict:
    return {"id": flag_id, "severity": severity, "message": message or f"msg {flag_id}",
            "evidence": evidence}


def _doc(stage: str, flags: list[dict] | None = None, metrics: dict | None = None,
         unit: str = "华南", period: str = "2026Q3") -> dict:
    return {"stage": stage, "unit": unit, "period": period, "metrics": metrics or {},
            "flags": flags or [], "skipped": []}


def _ids(found: list[dict]) -> list[str]:
    return [f["id"] for f in found]


# ---------------------------------------------------------------------------- themes


@pytest.mark.parametrize(("flag_id", "theme"), [
    ("satisfaction_drop_region_华南", "satisfaction_drop"),
    ("satisfaction_drop_csat_mean", "satisfaction_drop"),
    ("service_level_drop_售后_response", "service_level_drop"),
    ("service_level_resolution", "service_level"),
    ("aspect_drop_after_sales_华南", "aspect_drop"),
    ("aspect_important_weak_after_sales", "aspect_important_weak"),
    ("competitor_price_cut_优选商城_华北", "competitor_price_cut"),
    ("at_risk_value_rising", "at_risk_value_rising"),
    ("frequency_drop_price_tier_price_sensitive", "frequency_drop"),
    ("mix_shift_age_band_young_美妆", "mix_shift"),
    ("churn_high", "churn_high"),
    ("churn_rising_x", "churn_rising"),
    ("satisfaction_dropped", "satisfaction_dropped"),  # a prefix must be followed by "_"
    ("brand_new_flag_x", "brand_new_flag_x"),
])
def test_flag_theme(flag_id: str, theme: str) -> None:
    assert flag_theme(flag_id) == theme


# ---------------------------------------------------------------------------- top_findings


def test_severity_comes_first_whatever_the_stage() -> None:
    docs = {
        "segment": _doc("segment", [_flag("churn_high", "info")]),
        "feedback": _doc("feedback", [_flag("aspect_drop_price", "warning")]),
        "collect": _doc("collect", [_flag("source_missing", "critical")]),
    }
    assert _ids(top_findings(docs)) == ["source_missing", "aspect_drop_price", "churn_high"]


def test_one_finding_per_theme_the_most_severe_then_the_first_listed() -> None:
    docs = {
        "feedback": _doc("feedback", [
            _flag("satisfaction_drop_csat_mean", "warning"),
            _flag("satisfaction_drop_nps", "critical"),      # most severe of its theme
            _flag("satisfaction_drop_csat_top2", "critical"),
            _flag("service_level_drop_售后_response", "critical"),
            _flag("service_level_drop_售后_resolution", "critical"),  # same theme, 2nd: out
            _flag("service_level_response", "warning"),       # a different theme
        ]),
        # the same theme in a later stage of the stage order loses the tie
        "competition": _doc("competition", [_flag("satisfaction_drop_region_华北", "critical")]),
    }
    found = top_findings(docs, n=10)
    assert _ids(found) == [
        "satisfaction_drop_nps", "service_level_drop_售后_response", "service_level_response",
    ]
    assert [f["theme"] for f in found] == [
        "satisfaction_drop", "service_level_drop", "service_level",
    ]


def test_at_most_two_per_stage_while_other_stages_have_the_same_severity() -> None:
    docs = {
        "feedback": _doc("feedback", [
            _flag("satisfaction_drop_nps", "critical"),
            _flag("aspect_drop_after_sales", "critical"),
            _flag("complaints_rising_售后", "critical"),
            _flag("service_level_drop_售后_response", "critical"),
            _flag("service_level_response", "warning"),
        ]),
        "competition": _doc("competition", [
            _flag("competitor_price_cut_A", "critical"),
            _flag("competitor_ahead_A", "warning"),
        ]),
        "segment": _doc("segment", [_flag("churn_high", "info")]),
    }
    # feedback's 3rd critical waits for competition's critical; then feedback goes on (no
    # other stage has a critical left); at warning level feedback (4 picked) waits for
    # competition although feedback comes first in the stage order.
    assert _ids(top_findings(docs, n=8)) == [
        "satisfaction_drop_nps", "aspect_drop_after_sales", "competitor_price_cut_A",
        "complaints_rising_售后", "service_level_drop_售后_response",
        "competitor_ahead_A", "service_level_response", "churn_high",
    ]
    assert _ids(top_findings(docs, n=3)) == [
        "satisfaction_drop_nps", "aspect_drop_after_sales", "competitor_price_cut_A",
    ]


def test_when_every_stage_is_at_the_cap_the_least_represented_goes_next() -> None:
    docs = {
        "feedback": _doc("feedback", [_flag(f"fb_{i}", "critical") for i in range(3)]),
        "segment": _doc("segment", [_flag(f"seg_{i}", "critical") for i in range(3)]),
    }
    assert _ids(top_findings(docs, n=6)) == [
        "seg_0", "seg_1", "fb_0", "fb_1", "seg_2", "fb_2",
    ]


def test_stage_order_breaks_ties() -> None:
    stages = ["collect", "clean", "strategy", "trends", "competition", "feedback", "segment",
              "zzz_custom"]
    docs = {s: _doc(s, [_flag(f"x_{s}", "warning")]) for s in stages}
    found = top_findings(docs, n=10)
    assert [f["stage"] for f in found] == [
        "segment", "feedback", "competition", "trends", "strategy", "clean", "collect",
        "zzz_custom",
    ]


def test_items_carry_stage_id_severity_message_and_evidence() -> None:
    docs = {"feedback": _doc("feedback", [
        _flag("aspect_drop_after_sales", "critical", "售后 3.86 → 2.88", now=2.88, before=3.86),
    ])}
    (item,) = top_findings(docs)
    assert item == {"stage": "feedback", "id": "aspect_drop_after_sales",
                    "theme": "aspect_drop", "severity": "critical",
                    "message": "售后 3.86 → 2.88", "evidence": {"now": 2.88, "before": 3.86}}
    assert top_findings({}) == []
    assert top_findings({"clean": _doc("clean")}) == []


# -------------------------------------------------------------- the sample's planted stories

_MIX_SHIFT = _flag("mix_shift_age_band_young_美妆", "critical", "年轻客户美妆占比 15% → 35%")


def test_story_a_tops_huanan() -> None:
    # the flags of the demo's 华南 (ids and severities as the stages write them)
    docs = {
        "collect": _doc("collect"),
        "clean": _doc("clean"),
        "segment": _doc("segment", [
            _flag("segment_shrinking_cant_lose", "critical"),
            _flag("at_risk_value_rising", "warning"),
            _flag("frequency_drop_price_tier_price_sensitive", "warning"),
        ]),
        "feedback": _doc("feedback", [
            _flag("satisfaction_drop_csat_mean", "critical"),
            _flag("satisfaction_drop_csat_top2", "critical"),
            _flag("satisfaction_drop_nps", "critical"),
            _flag("aspect_drop_after_sales", "critical"),
            _flag("complaints_rising_售后", "critical"),
            _flag("service_level_drop_售后_response", "critical"),
            _flag("service_level_drop_售后_resolution", "critical"),
            _flag("aspect_important_weak_after_sales", "warning"),
            _flag("service_level_response", "warning"),
            _flag("service_level_resolution", "warning"),
        ]),
        "competition": _doc("competition", [
            _flag("competitor_ahead_优选商城", "warning"),
            _flag("competitor_ahead_品质汇", "warning"),
        ]),
        "trends": _doc("trends", [_MIX_SHIFT]),
    }
    found = _ids(top_findings(docs))
    assert found == [
        "segment_shrinking_cant_lose", "satisfaction_drop_csat_mean", "aspect_drop_after_sales",
        "mix_shift_age_band_young_美妆", "complaints_rising_售后",
    ]
    # without trends' story B, story A still holds the top
    del docs["trends"]
    found = _ids(top_findings(docs))
    assert {"aspect_drop_after_sales", "complaints_rising_售后"} <= set(found)
    assert sum(f.startswith("satisfaction_drop") for f in found) == 1


def test_stories_b_and_c_top_huabei() -> None:
    docs = {
        "segment": _doc("segment", [
            _flag("at_risk_value_rising", "warning"),
            _flag("frequency_drop_price_tier_price_sensitive", "critical"),
            _flag("frequency_drop_cluster_3", "warning"),
            _flag("frequency_drop_customer_type_个人", "warning"),
        ]),
        "feedback": _doc("feedback", [
            _flag("service_level_resolution", "warning"),
            _flag("aspect_important_weak_after_sales", "info"),
        ]),
        "competition": _doc("competition", [
            _flag("competitor_price_cut_优选商城", "critical"),
            _flag("competitor_ahead_优选商城", "warning"),
            _flag("competitor_ahead_品质汇", "warning"),
            _flag("competitor_share_gain_优选商城", "warning"),
        ]),
        "trends": _doc("trends", [_MIX_SHIFT]),
    }
    found = _ids(top_findings(docs))
    assert found == [
        "frequency_drop_price_tier_price_sensitive", "competitor_price_cut_优选商城",
        "mix_shift_age_band_young_美妆", "at_risk_value_rising", "service_level_resolution",
    ]


def test_all_three_stories_top_total() -> None:
    docs = {
        "segment": _doc("segment", [
            _flag("segment_shrinking_cant_lose", "warning"),
            _flag("at_risk_value_rising", "warning"),
            _flag("frequency_drop_price_tier_price_sensitive", "critical"),
        ]),
        "feedback": _doc("feedback", [
            _flag("satisfaction_drop_region_华南", "critical"),
            _flag("aspect_drop_after_sales_华南", "critical"),
            _flag("service_level_drop_售后_response", "critical"),
            _flag("satisfaction_drop_csat_mean", "warning"),
            _flag("complaints_rising_售后", "warning"),
        ]),
        "competition": _doc("competition", [
            _flag("competitor_price_cut_优选商城_华北", "critical"),
            _flag("competitor_share_gain_优选商城", "warning"),
        ]),
        "trends": _doc("trends", [_MIX_SHIFT]),
    }
    assert _ids(top_findings(docs)) == [
        "frequency_drop_price_tier_price_sensitive", "satisfaction_drop_region_华南",
        "aspect_drop_after_sales_华南", "competitor_price_cut_优选商城_华北",
        "mix_shift_age_band_young_美妆",
    ]


# ---------------------------------------------------------------------------- KPIs

_SEGMENT_METRICS = {"revenue_now": 1100.0, "revenue_before": 1000.0, "active_now": 120,
                    "active_before": 100, "as_of": "2026-09-30", "compare_as_of": "2026-06-30",
                    "churn_scoring_model": "logistic"}
_FEEDBACK_METRICS = {"nps": 35.0, "nps_before": 40.0, "csat_mean": 4.1, "csat_mean_before": 4.0,
                     "complaints_per_1000": 12.5, "complaints_per_1000_before": 15.0}


def test_unit_kpis_prefer_trends_and_fall_back_to_the_stages() -> None:
    docs = {"segment": _doc("segment", metrics=_SEGMENT_METRICS),
            "feedback": _doc("feedback", metrics=_FEEDBACK_METRICS)}
    rows = {r["id"]: r for r in unit_kpis(docs)}
    assert (rows["revenue"]["now"], rows["revenue"]["change"]) == (1100.0, 100.0)
    assert rows["revenue"]["source"] == "segment.revenue_now"
    assert rows["retention_rate"]["now"] is None
    assert rows["complaints_per_1000"]["change"] == pytest.approx(-2.5)
    docs["trends"] = _doc("trends", metrics={"revenue": 2000.0, "revenue_before": 1600.0,
                                             "active": 150, "retention_rate": 0.8,
                                             "retention_rate_change": 0.05})
    rows = {r["id"]: r for r in unit_kpis(docs)}
    assert rows["revenue"]["source"] == "trends.revenue"
    assert (rows["revenue"]["now"], rows["revenue"]["before"]) == (2000.0, 1600.0)
    assert (rows["active_customers"]["now"], rows["active_customers"]["change"]) == (150, None)
    # without a previous value, <name>_change is the difference now - before
    assert rows["retention_rate"]["before"] == pytest.approx(0.75)
    assert rows["nps"]["source"] == "feedback.nps"


# ---------------------------------------------------------------------------- unit summary


def _write(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")


_FEEDBACK_FLAGS = [
    _flag("aspect_drop_after_sales", "critical", "<b>售后</b> 评分 3.86 → 2.88"),
    _flag("complaints_rising_售后", "critical", "售后投诉 15.3 → 33.6 每千人"),
    _flag("service_level_response", "warning", "仅 78% 的投诉 24 小时内响应"),  # 6th: out
]
_SEGMENT_FLAGS = [
    _flag("segment_shrinking_cant_lose", "critical", "不能失去 49 → 29 人"),
    _flag("frequency_drop_price_tier_price_sensitive", "warning", "价格敏感型频次 -34.7%"),
    _flag("at_risk_value_rising", "warning", "风险金额 1,510,746"),
]
_ACTIONS = [
    {"id": f"a{p}", "name": f"行动{p}" + (" <i>x</i>" if p == 1 else ""), "priority": p,
     "customers": 100 * p, "net_value": 1234.0 * p, "channel": f"渠道{p}"}
    for p in (6, 2, 5, 1, 4, 3)
]


def _unit(folder: Path, unit: str = "华南", *, plan: bool = True, loop: bool = True,
          flags: bool = True) -> Path:
    f = folder / "findings"
    _write(f / "collect.json", _doc("collect", unit=unit, metrics={
        "rows_orders": 500, "rows_customers": 80, "rows_feedback": 60, "rows_total": 640,
        "staged_rows_orders": 9999, "orders_in_period": 150}))
    _write(f / "clean.json", _doc("clean", unit=unit, metrics={
        "orders_rows_kept": 490, "customers_rows_kept": 80, "balanced": True}))
    _write(f / "segment.json", _doc("segment", _SEGMENT_FLAGS if flags else [],
                                    _SEGMENT_METRICS, unit=unit))
    _write(f / "feedback.json", _doc("feedback", _FEEDBACK_FLAGS if flags else [],
                                     _FEEDBACK_METRICS, unit=unit))
    if loop:
        _write(f / "strategy.json", _doc("strategy", unit=unit, metrics={
            "loop_kpis_met": 2, "loop_kpis_total": 3}))
    if plan:
        _write(folder / "plan.json", {"unit": unit, "period": "2026Q3", "actions": _ACTIONS})
    return folder


def test_executive_summary_sections_findings_kpis_and_actions(tmp_path: Path) -> None:
    page = executive_summary_html(_unit(tmp_path / "华南"))
    for heading in ("管理层摘要 · 华南 · 2026Q3", "目标", "数据来源", "结果", "建议"):
        assert heading in page
    # the five findings, escaped, in importance order; the sixth is left out (segment and
    # feedback both have 2 picked when the last warning is chosen: stage order decides)
    assert "&lt;b&gt;售后&lt;/b&gt; 评分 3.86 → 2.88" in page and "<b>售后" not in page
    order = ["不能失去 49 → 29 人", "&lt;b&gt;售后", "售后投诉 15.3", "价格敏感型频次",
             "风险金额 1,510,746"]
    positions = [page.index(m) for m in order]
    assert positions == sorted(positions)
    assert "仅 78%" not in page
    assert page.count("🔴") == 1 + 3 and page.count("🟠") == 1 + 2  # counts line + findings
    assert "🔴 严重 3 · 🟠 警告 3 · 🔵 提示 0" in page
    # KPI strip: 1100 vs 1000 = +10.0 %; 120 vs 100 = +20.0 %; NPS 35 - 40; CSAT 4.1 - 4.0;
    # complaints 12.5 - 15 (down is good)
    for text in ("¥1,100", "+10.0%", "+20.0%", "35.0", "▼ -5.0", "4.10", "+0.10",
                 "12.5", "-2.5"):
        assert text in page
    assert re.search(r'pb-chg good"[^>]*>▼ -2\.5', page)
    assert re.search(r'pb-chg bad"[^>]*>▼ -5\.0', page)
    # data sources
    assert "订单 500 行（保留 490）" in page and "客户 80 行（保留 80）" in page
    assert "反馈 60 行" in page and "9,999" not in page
    assert "截至 2026-09-30" in page and "本期订单 150 笔" in page
    # the plan's top five actions by priority, escaped; the sixth left out
    assert "行动1 &lt;i&gt;x&lt;/i&gt;" in page and "<i>x" not in page
    names = [f"行动{p}" for p in range(1, 6)]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    assert "行动6" not in page
    assert "¥1,234" in page and "¥6,170" in page and "渠道5" in page and "500" in page
    assert "上期计划：3 项目标中达成 2 项" in page
    assert_offline(page)


def test_executive_summary_uses_trends_and_speaks_english(tmp_path: Path) -> None:
    unit = _unit(tmp_path / "south", unit="South", plan=False, loop=False)
    _write(unit / "findings" / "trends.json", _doc("trends", metrics={
        "revenue": 2000.0, "revenue_before": 1600.0, "retention_rate": 0.8,
        "retention_rate_before": 0.75}))
    page = executive_summary_html(unit, language="en", currency="USD")
    assert "Executive summary · South · 2026Q3" in page
    assert "$2,000" in page and "+25.0%" in page and "$1,100" not in page
    assert "80.0%" in page and "+5.0 pt" in page
    assert "Retention" in page and "orders 500 rows (490 kept)" in page
    assert "stage 07" in page  # no plan yet
    assert "pb-loop" not in page and "targets met" not in page
    labels_only = re.sub(r'<ol class="pb-findings">.*?</ol>', "", page, flags=re.S)
    assert not re.search(r"[\u4e00-\u9fff]", labels_only)


def test_executive_summary_without_flags_or_findings(tmp_path: Path) -> None:
    assert executive_summary_html(tmp_path / "nothing") == ""
    (tmp_path / "empty" / "findings").mkdir(parents=True)
    assert executive_summary_html(tmp_path / "empty") == ""
    page = executive_summary_html(_unit(tmp_path / "calm", flags=False))
    assert "各阶段未发现需要关注的问题" in page and "pb-findings" not in page
    with pytest.raises(ParameterError):
        executive_summary_html(tmp_path / "calm", language="fr")


def test_executive_summary_on_top_of_the_unit_report(tmp_path: Path) -> None:
    unit = _unit(tmp_path / "华南")
    out = render_unit_report([("01 收集", unit / "missing.ipynb")], unit / "report.html",
                             title="华南", summary_html=executive_summary_html(unit))
    page = out.read_text(encoding="utf-8")
    assert '<div class="pb-ex">' in page and ".pb-kpis" in page  # the summary and its CSS
    assert "&lt;b&gt;售后&lt;/b&gt;" in page
    assert page.index("pb-ex-title") < page.index('class="pb-stage"')


# ---------------------------------------------------------------------------- run summary


def _run(tmp_path: Path) -> Path:
    run_dir = tmp_path / "demo"
    _unit(run_dir / "total", unit="total")
    _unit(run_dir / "华东", unit="华东", plan=False, loop=False)
    _unit(run_dir / "华南", unit="华南")
    (run_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    units = {  # total not last in the record: the page puts it last
        "华东": {"unit": "华东", "dir": "华东", "report": "华东/report.html", "stages": {}},
        "total": {"unit": "total", "dir": "total", "report": "total/report.html", "stages": {}},
        "华南": {"unit": "华南", "dir": "华南", "report": None, "stages": {}},
        "西南": {"unit": "西南", "dir": "西南", "report": None, "stages": {}},  # no findings
    }
    _write(run_dir / "run.json", {"name": "demo", "period": "2026Q3", "language": "zh",
                                  "units": units})
    return run_dir


def _header_cells(page: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    return [re.sub(r"<br>.*", "", c) for c in re.findall(r'<th scope="col">(.*?)</th>', head)]


def test_run_summary_one_column_per_unit_total_last(tmp_path: Path) -> None:
    run_dir = _run(tmp_path)
    out = render_run_summary(run_dir)
    assert out == run_dir / "summary.html"
    page = out.read_text(encoding="utf-8")
    assert_offline(page)
    assert "<script" not in page.lower()
    assert "<title>管理层汇总 · demo · 2026Q3</title>" in page
    assert _header_cells(page) == ["华东", "华南", "西南", "total"]
    assert 'href="%E5%8D%8E%E4%B8%9C/report.html"' in page and 'href="index.html"' in page
    # the top three findings per unit with findings (3 columns), escaped; the 4th left out
    assert page.count("不能失去 49 → 29 人") == 3
    assert page.count("&lt;b&gt;售后&lt;/b&gt;") == 3 and "<b>售后" not in page
    assert "价格敏感型频次" not in page
    # KPIs and flag counts per column; 西南 has no data
    assert page.count("¥1,100") == 3 and page.count("+10.0%") == 3
    assert re.search(r"🔴 严重</th>(<td[^>]*>3</td>){2}<td[^>]*>—</td><td[^>]*>3</td>", page)
    assert "无数据" in page
    # top three actions from the plans (华南 and total), none for 华东
    assert page.count("行动1 &lt;i&gt;x&lt;/i&gt;") == 2 and page.count("行动3") == 2
    assert "行动4" not in page
    assert page.count("07 策略阶段") == 2  # 华东 and 西南 have no plan
    assert page.count("上期计划：3 项目标中达成 2 项") == 2


def test_run_summary_in_english_elsewhere(tmp_path: Path) -> None:
    run_dir = _run(tmp_path)
    out = render_run_summary(run_dir, tmp_path / "pages" / "s.html", language="en")
    page = out.read_text(encoding="utf-8")
    assert "<title>Management summary · demo · 2026Q3</title>" in page
    for label in ("Revenue", "Active customers", "Top findings", "Top actions",
                  "Last period&#x27;s plan: 2 of 3 targets met", "Unit report"):
        assert label in page
    assert "管理层" not in page and "关键指标" not in page
    # links from the page's folder to the run folder
    assert 'href="../demo/%E5%8D%8E%E4%B8%9C/report.html"' in page
    assert 'href="../demo/index.html"' in page


def test_run_summary_needs_a_run_record(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run.json"):
        render_run_summary(tmp_path)
