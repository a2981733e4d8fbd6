"""Stages 04 and 05 on difficult input: a hostile comment renders inert and masked, and absent
tables leave sections that say which data would enable them."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import write_run_file

from playbook.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("inputs")]

HOSTILE = "<script>alert('x')</script>售后太差了，请回电 13812345678"


@pytest.fixture(scope="module")
def sparse_run(tmp_path_factory, sample_dir):
    """华南 only, with feedback whose most frequent 2026Q3 comment is hostile, and no
    complaints, interactions, competitors or market."""
    work = tmp_path_factory.mktemp("sparse")
    fb = pd.read_excel(sample_dir / "feedback.xlsx", engine="openpyxl")
    cust = pd.read_csv(sample_dir / "customers.csv", encoding="gb18030", dtype=str)
    south = set(cust.loc[cust["region"] == "华南", "customer_id"])
    dates = pd.to_datetime(fb["response_date"])
    pick = fb.index[fb["customer_id"].isin(south) & (dates >= "2026-07-01")][:60]
    fb.loc[pick, "comment"] = HOSTILE
    fb.to_csv(work / "feedback.csv", index=False, encoding="utf-8")
    run_file = write_run_file(work, sample_dir, name="sparse", units=["华南"],
                              include_total=False)
    doc = run_file.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(doc)
    data["sources"] = {"orders": data["sources"]["orders"],
                       "customers": data["sources"]["customers"],
                       "feedback": str(work / "feedback.csv")}
    run_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = main(["run", str(run_file), "--out", str(work / "out"), "--jobs", "1"])
    return work / "out" / "sparse" / "华南", code


def test_hostile_comment_is_inert_and_masked(sparse_run):
    unit, code = sparse_run
    assert code == 0
    html = (unit / "04_feedback.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in html            # shown, as text
    assert "<script>alert(" not in html
    assert "13812345678" not in html and "138****5678" in html
    report = (unit / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in report and "13812345678" not in report


def test_absent_tables_are_named_in_the_report_and_findings(sparse_run):
    unit, _ = sparse_run
    fb = (unit / "04_feedback.html").read_text(encoding="utf-8")
    assert "本节需要 <code>complaints</code> 数据" in fb
    assert "本节需要 <code>interactions</code> 数据" in fb
    comp = (unit / "05_competition.html").read_text(encoding="utf-8")
    assert "本节需要 <code>competitors</code> 数据" in comp
    assert "本节需要 <code>market</code> 数据" in comp
    f4 = json.loads((unit / "findings" / "feedback.json").read_text(encoding="utf-8"))
    assert {s["needs"] for s in f4["skipped"]} == {"complaints", "interactions"}
    assert f4["metrics"]["responses"] > 0
    f5 = json.loads((unit / "findings" / "competition.json").read_text(encoding="utf-8"))
    assert {s["needs"] for s in f5["skipped"]} == {"competitors", "market"}
    assert f5["flags"] == [] and f5["metrics"]["revenue"] > 0
