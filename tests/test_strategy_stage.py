"""Stages 06 and 07 end to end: every unit renders, the plan and its action lists are written,
the executive summary and summary.html show the planted stories for the right units, and a
second quarter closes the loop against the first one's plan."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_run_file

from playbook.cli import main
from playbook.report.summary import read_unit_findings, top_findings

pytestmark = [pytest.mark.slow]
PERSONAL = {"name", "phone", "email"}


def _units(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["units"]


@pytest.mark.xdist_group("demo")
def test_trends_and_strategy_render_for_every_unit(demo_run):
    run_dir, code, _ = demo_run
    assert code == 0
    for name, rec in _units(run_dir).items():
        folder = run_dir / rec["dir"]
        for stage, heads in {"06_trends": ("各期指标", "品类结构", "预测"),
                             "07_strategy": ("复盘", "本期发现", "行动方案", "KPI 目标")}.items():
            assert rec["stages"][stage]["status"] in ("ok", "up-to-date"), (name, stage, rec)
            html = (folder / f"{stage}.html").read_text(encoding="utf-8")
            assert all(h in html for h in heads), (name, stage)
            assert "Traceback" not in html
        plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        assert plan["period"] == "2026Q3" and plan["next_period"] == "2026Q4"
        assert {k["id"] for k in plan["kpis"]} >= {"revenue", "active_customers", "nps"}
        assert plan["actions"], name
        for a in plan["actions"]:
            ids = pd.read_csv(folder / a["export"], encoding="utf-8-sig")
            assert len(ids) == a["customers"] and not PERSONAL & set(ids.columns)
        assert a["net_value"] == pytest.approx(a["expected_saved"] - a["cost"])
        report = (folder / "report.html").read_text(encoding="utf-8")
        assert 'class="pb-summary"' in report and "建议" in report
    summary = (run_dir / "summary.html").read_text(encoding="utf-8")
    for name in _units(run_dir):
        assert name in summary
    assert "summary.html" in (run_dir / "index.html").read_text(encoding="utf-8")


@pytest.mark.xdist_group("demo")
def test_the_three_stories_lead_the_right_units(demo_run):
    run_dir, _, _ = demo_run
    units = _units(run_dir)

    def top(unit: str) -> list[str]:
        return [f["id"] for f in top_findings(read_unit_findings(run_dir / units[unit]["dir"]))]

    south, north, total = top("华南"), top("华北"), top("total")
    assert any(i.startswith(("aspect_drop_after_sales", "complaints_rising_售后",
                             "service_level_drop_售后")) for i in south), south
    assert any(i.startswith(("frequency_drop_price_tier_price_sensitive",
                             "competitor_price_cut_优选商城")) for i in north), north
    assert any(i.startswith("mix_shift_age_band_<30_美妆") for i in total), total
    assert any(i.startswith(("aspect_drop_after_sales_华南", "satisfaction_drop_region_华南"))
               for i in total), total
    assert any(i.startswith(("competitor_price_cut_优选商城_华北",
                             "frequency_drop_price_tier_price_sensitive")) for i in total), total


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory, sample_dir):
    """华南 reviewed for 2026Q2, then 2026Q3 (whose 07 checks the 2026Q2 plan)."""
    work = tmp_path_factory.mktemp("loop")
    out = work / "out"
    codes = []
    for period, name, history in (("2026Q2", "q2", 10), ("2026Q3", "q3", 11)):
        run_file = write_run_file(work, sample_dir, name=name, period=period, history=history,
                                  units=["华南"], include_total=False)
        codes.append(main(["run", str(run_file), "--out", str(out), "--jobs", "1"]))
    return out, codes


@pytest.mark.xdist_group("loop")
def test_the_second_quarter_checks_the_first_quarters_plan(two_quarters):
    out, codes = two_quarters
    assert codes == [0, 0]
    q2 = json.loads((out / "q2" / "华南" / "plan.json").read_text(encoding="utf-8"))
    doc = json.loads((out / "q3" / "华南" / "findings" / "strategy.json").read_text(
        encoding="utf-8"))
    m = doc["metrics"]
    assert m["loop_kpis_total"] == len([k for k in q2["kpis"]]) > 0
    assert 0 <= m["loop_kpis_met"] <= m["loop_kpis_total"]
    assert doc["skipped"] == []
    missed = {f["id"] for f in doc["flags"] if f["id"].startswith("kpi_missed_")}
    assert len(missed) == m["loop_kpis_total"] - m["loop_kpis_met"]
    html = (out / "q3" / "华南" / "07_strategy.html").read_text(encoding="utf-8")
    assert "q2/华南/plan.json" in html and ("达成" in html)
    first = (out / "q2" / "华南" / "07_strategy.html").read_text(encoding="utf-8")
    assert "没有找到上一期" in first
