"""Stage 07's recipe: finding last period's plan, reading its action lists, and the metrics."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from playbook.cli import main
from playbook.periods import parse_period
from playbook.strategy import pipeline

Q3 = parse_period("2026Q3")


def _run(root, name, period, unit="华南", plan=True, finished="2026-10-01T00:00:00"):
    folder = root / name
    (folder / unit / "exports").mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"period": period, "finished": finished,
                                                 "units": {unit: {"dir": unit}}}),
                                     encoding="utf-8")
    if plan:
        doc = {"unit": unit, "period": period, "kpis": [],
               "actions": [{"id": "winback", "export": "exports/actions_winback.csv"}]}
        (folder / unit / "plan.json").write_text(json.dumps(doc), encoding="utf-8")
        pd.DataFrame({"customer_id": ["C01", "C02"]}).to_csv(
            folder / unit / "exports" / "actions_winback.csv", index=False, encoding="utf-8-sig")
    return folder


def test_find_previous_picks_the_latest_run_of_the_previous_period(tmp_path):
    now = _run(tmp_path, "demo", "2026Q3")
    _run(tmp_path, "old", "2026Q2", finished="2026-07-01T00:00:00")
    new = _run(tmp_path, "demo-2026Q2", "2026Q2", finished="2026-07-02T00:00:00")
    _run(tmp_path, "noplan", "2026Q2", plan=False, finished="2026-07-03T00:00:00")
    _run(tmp_path, "year_ago", "2025Q3")
    got, note = pipeline.find_previous(tmp_path, now, "华南", Q3, "auto", tmp_path)
    assert got == new / "华南" and note.endswith("plan.json")
    prev = pipeline.load_previous(got)
    assert prev.targeted["winback"].tolist() == ["C01", "C02"] and prev.customers is None
    assert pipeline.find_previous(tmp_path, now, "华北", Q3, "auto", tmp_path)[0] is None
    none, why = pipeline.find_previous(tmp_path, now, "华南", Q3, "none", tmp_path)
    assert none is None and "none" in why
    explicit, _ = pipeline.find_previous(tmp_path, now, "华南", Q3, "old", tmp_path)
    assert explicit == tmp_path / "old" / "华南"


def test_metrics_sum_the_actions_and_count_the_scorecard():
    actions = pd.DataFrame({"customers": [10, 5], "value_at_stake": [1000.0, 200.0],
                            "expected_saved": [100.0, 40.0], "cost": [50.0, 60.0],
                            "net_value": [50.0, -20.0]})
    card = pd.DataFrame({"met": pd.array([True, False, pd.NA], dtype="boolean")})
    effects = pd.DataFrame({"control": [20, 0], "difference": [0.2, float("nan")],
                            "p_value": [0.01, float("nan")]})
    m = pipeline.metrics({"scorecard": card, "effects": effects}, {"actions": actions})
    assert m == {"actions": 2, "customers_targeted": 15, "value_at_stake": 1200.0,
                 "expected_saved": 140.0, "cost": 110.0, "net_value": 30.0,
                 "loop_kpis_total": 2, "loop_kpis_met": 1, "loop_actions_compared": 1,
                 "loop_actions_better": 1}


ACTION = ("actions:\n  - id: vip\n    name: {zh: a, en: b}\n    when: {segment: [%s]}\n"
          "    channel: {zh: a, en: b}\n    expected_effect: {zh: a, en: b}\n    kpi: nps\n"
          "    save_rate: %s\n    cost_per_customer: 1\n")


@pytest.mark.parametrize("text, words", [
    (ACTION % ("champions", "0.1") + "    bogus: 1\n", ["actions[0].bogus", "Allowed keys"]),
    (ACTION % ("champion", "0.1"), ["actions[0].when.segment", "champion"]),
    (ACTION % ("champions", "1.5"), ["actions[0].save_rate", "1.5"]),
    ("actions: [unclosed\n", ["not valid YAML"]),
])
def test_rulebook_errors_exit_2_before_anything_runs(tmp_path, capsys, sample_dir, text, words):
    from conftest import write_run_file

    book = tmp_path / "bad.yaml"
    book.write_text(text, encoding="utf-8")
    run_file = write_run_file(tmp_path, sample_dir, strategy={"rulebook": str(book)})
    code = main(["run", str(run_file), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert all(w in err for w in words), err
    assert str(book) in err
    assert not (tmp_path / "out").exists()  # nothing ran


def test_seasonal_naive_baseline_of_a_rate():
    table = pd.DataFrame({"period": ["2025Q3", "2025Q4", "2026Q3"],
                          "retention_rate": [0.70, 0.80, 0.66]})
    # next = 2026Q4: v[2025Q4] + v[2026Q3] − v[2025Q3] = 0.80 − 0.04
    assert pipeline.seasonal_naive(table, "retention_rate", Q3) == pytest.approx(0.76)
    assert pipeline.seasonal_naive(table.head(2), "retention_rate", Q3) is None
    assert pipeline.seasonal_naive(None, "retention_rate", Q3) is None
