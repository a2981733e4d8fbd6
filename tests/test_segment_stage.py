"""Stage 03 end to end on the sample company: outputs, numbers that add up, story C, exports."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from playbook.cli import main
from playbook.segment.lifecycle import STAGES
from playbook.segment.rfm import CN_CLASSES, SEGMENTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

SCORES = ("lifecycle_stage", "segment", "cn_class", "abc_grade", "cluster", "price_tier", "clv",
          "p_alive", "churn_probability", "expected_loss", "segment_label", "lifecycle_label")


def _units(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["units"]


def _findings(run_dir: Path, folder: str) -> dict:
    return json.loads((run_dir / folder / "findings" / "segment.json").read_text(encoding="utf-8"))


def test_every_unit_has_the_segment_outputs(demo_run):
    run_dir, code, _ = demo_run
    assert code == 0
    for name, rec in _units(run_dir).items():
        assert rec["stages"]["03_segment"]["status"] in ("ok", "up-to-date"), (name, rec)
        folder = run_dir / rec["dir"]
        table = pd.read_parquet(folder / "data" / "customers.parquet")
        assert set(SCORES) <= set(table.columns), name
        assert table["customer_id"].is_unique
        html = (folder / "03_segment.html").read_text(encoding="utf-8")
        for heading in ("RFM 分群", "ABC 分级", "行为聚类与客户画像", "生命周期", "队列留存",
                        "客户终身价值", "流失风险", "预警"):
            assert heading in html, (name, heading)
        assert html.count("data:image/png;base64") >= 10
        assert "Traceback" not in html and "stage.show_rfm" not in html
        report = (folder / "report.html").read_text(encoding="utf-8")
        assert "03_segment" in report or "客户分群与价值" in report


def test_the_numbers_add_up(demo_run):
    run_dir, _, _ = demo_run
    for name, rec in _units(run_dir).items():
        folder = run_dir / rec["dir"]
        m = _findings(run_dir, rec["dir"])["metrics"]
        table = pd.read_parquet(folder / "data" / "customers.parquet")
        scored = table[table["segment"].notna()]
        # every customer with a purchase has exactly one of the 11 segments and 8 classes
        assert sum(m[f"seg_{s}_customers"] for s in SEGMENTS) == len(scored) == m["customers_ever"]
        assert sum(m[f"cn_{c}_customers"] for c in CN_CLASSES) == len(scored)
        assert sum(m[f"seg_{s}_revenue_share"] for s in SEGMENTS) == pytest.approx(1)
        assert sum(m[f"abc_{g}_revenue_share"] for g in "ABC") == pytest.approx(1)
        # grade A is the few that bring ~70 %: the customer crossing 70 % is still A
        assert 0.70 <= m["abc_A_revenue_share"] < 0.80
        assert m["abc_A_customer_share"] < 0.35
        assert sum(m[f"lifecycle_{s}_now"] for s in STAGES) == len(table)
        assert (table["lifecycle_stage"] == "potential").sum() == m["lifecycle_potential_now"]
        assert m["clusters_k"] >= 2 and sum(
            m[f"cluster_{k}_customers"] for k in range(1, m["clusters_k"] + 1)) == table[
            "cluster"].notna().sum()
        assert m["clv_total"] == pytest.approx(table["clv"].sum(), rel=1e-6)
        assert 0.6 < m["churn_auc"] <= 1 and 0.6 < m["churn_baseline_auc"] <= 1
        assert m["churn_top_decile_lift"] > 1.2
        assert 0 < m["expected_churn_rate"] < 1
        assert abs(m["clv_holdout_rel_error"]) < 0.3, name
        assert (table["churn_probability"].dropna().between(0, 1)).all()


def test_story_c_price_sensitive_customers_buying_less_are_flagged_in_north(demo_run):
    """Story C: North's price-sensitive customers order 45 % less than the rest in 2026Q3."""
    run_dir, _, _ = demo_run
    units = _units(run_dir)
    north = next(u for u in units if u in ("华北", "North"))
    doc = _findings(run_dir, units[north]["dir"])
    flags = {f["id"]: f for f in doc["flags"]}
    flag = flags.get("frequency_drop_price_tier_price_sensitive")
    assert flag is not None, list(flags)
    assert flag["evidence"]["relative_change"] < -0.3
    assert flag["evidence"]["change"] < -0.4
    assert "价格敏感" in flag["message"]
    # and it is the largest relative fall of the price tiers
    m = doc["metrics"]
    tiers = {t: m[f"shift_price_tier_{t}_relative_change"]
             for t in ("price_sensitive", "mainstream", "premium")
             if f"shift_price_tier_{t}_relative_change" in m}
    assert min(tiers, key=tiers.get) == "price_sensitive"


def test_the_crm_export_holds_ids_and_labels_only(demo_run, sample_dir):
    run_dir, _, _ = demo_run
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str, encoding="gb18030")
    for rec in _units(run_dir).values():
        path = run_dir / rec["dir"] / "exports" / "segments.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        export = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        assert list(export.columns) == ["customer_id", "rfm_segment", "rfm_class", "abc_grade",
                                        "cluster", "price_tier", "lifecycle_stage", "clv",
                                        "churn_probability"]
        assert export["customer_id"].is_unique
        assert not export.isin(set(customers["phone"].dropna())).any().any()
        assert not export.isin(set(customers["name"].dropna())).any().any()
        assert "冠军客户" in set(export["rfm_segment"].dropna())  # labels in the run's language


def test_segment_alone_reruns_to_the_same_scores(demo_run, tmp_path):
    """A second run of only 03 reads the customers table it wrote over and gets the same."""
    import shutil

    run_dir, _, run_file = demo_run
    out = tmp_path / "out"
    shutil.copytree(run_dir, out / run_dir.name)
    unit = next(u for u in _units(run_dir) if u != "total")
    folder = _units(run_dir)[unit]["dir"]
    before = pd.read_parquet(run_dir / folder / "data" / "customers.parquet")
    code = main(["run", str(run_file), "--out", str(out), "--stages", "segment", "--units", unit,
                 "--force", "--no-html"])
    assert code == 0
    after = pd.read_parquet(out / run_dir.name / folder / "data" / "customers.parquet")
    assert list(after.columns) == list(before.columns) and len(after) == len(before)
    for col in ("segment", "cn_class", "abc_grade", "lifecycle_stage", "cluster", "price_tier"):
        assert after[col].astype(str).tolist() == before[col].astype(str).tolist(), col


def test_year_ago_comparison_runs_the_whole_recipe(demo_run):
    """compare: year_ago on a unit's cleaned tables: every step runs, periods are a year apart."""
    from playbook.config import load_resolved
    from playbook.segment import outputs, pipeline
    from playbook.segment.settings import SegmentSettings

    run_dir, _, _ = demo_run
    cfg = load_resolved(run_dir / "_run" / "config.json")
    folder = run_dir / "total" / "data"
    tables = {t: pd.read_parquet(folder / f"{t}.parquet")
              for t in ("orders", "customers", "feedback", "complaints", "interactions")}
    tables["customers"] = outputs.restore_customers(tables["customers"])
    inp = pipeline.make_inputs(tables, cfg.period, cfg.window[0],
                               SegmentSettings(compare="year_ago"), "en")
    assert (inp.period.label, inp.comparison.label) == ("2026Q3", "2025Q3")
    r = pipeline.rfm_step(inp)
    life = pipeline.lifecycle_step(inp)
    c = pipeline.cluster_step(inp)
    sh = pipeline.shift_step(inp, c, r)
    assert sh["compare"] == "2025Q3"
    assert life["at_risk"]["before"]["period"] == "2025Q3"
    assert r["summary_before"]["customers"].sum() < r["summary"]["customers"].sum()  # growth
    tier = sh["tables"]["price_tier"].set_index("group")
    assert tier.loc["price_sensitive", "relative_change"] < 0  # story C against a year ago too
