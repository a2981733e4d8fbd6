"""Run-file validation: every error names the key, the value given and what is allowed."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from playbook.config import load_run_file
from playbook.errors import InputError, ParameterError, UnknownKeyError
from playbook.periods import parse_period


def _write(tmp_path: Path, doc: dict) -> Path:
    (tmp_path / "orders.csv").write_text("customer_id,order_date,amount\nC1,2026-07-01,10\n",
                                         encoding="utf-8")
    p = tmp_path / "run.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return p


BASE = {"period": "2026Q3", "sources": {"orders": "orders.csv"}}


def test_minimal_run_file_defaults(tmp_path):
    cfg = load_run_file(_write(tmp_path, BASE))
    assert cfg.name == "2026Q3"
    assert cfg.model.history == 8 and cfg.model.language == "zh"
    assert cfg.period.start == pd.Timestamp("2026-07-01") and cfg.period.end == pd.Timestamp("2026-09-30")
    # the window is the period plus 8 earlier quarters
    assert cfg.window == (pd.Timestamp("2024-07-01"), pd.Timestamp("2026-09-30"))
    assert cfg.source("orders").path == (tmp_path / "orders.csv").resolve()


def test_unknown_key_named_with_allowed(tmp_path):
    with pytest.raises(UnknownKeyError) as e:
        load_run_file(_write(tmp_path, {**BASE, "perod": "2026Q3"}))
    msg = str(e.value)
    assert "Unknown key 'perod'" in msg and "period" in msg and str(tmp_path) in msg
    assert e.value.exit_code == 2


def test_unknown_nested_key(tmp_path):
    with pytest.raises(UnknownKeyError, match=r"Unknown key 'clean.max_amout'.*max_amount"):
        load_run_file(_write(tmp_path, {**BASE, "clean": {"max_amout": 5}}))


def test_unknown_source_table(tmp_path):
    with pytest.raises(UnknownKeyError, match=r"'sources.order_lines'.*orders"):
        load_run_file(_write(tmp_path, {**BASE, "sources": {"orders": "orders.csv",
                                                              "order_lines": "x.csv"}}))


@pytest.mark.parametrize("bad", ["2026Q5", "2026-13", "Q3 2026", "2026"])
def test_bad_period(tmp_path, bad):
    with pytest.raises(InputError) as e:
        load_run_file(_write(tmp_path, {**BASE, "period": bad}))
    assert "The 'period' parameter must be YYYYQn" in str(e.value)
    assert repr(bad) in str(e.value)


def test_bad_language_and_history(tmp_path):
    with pytest.raises(ParameterError, match=r"The 'language' parameter must be 'zh' or 'en'. Got 'fr'"):
        load_run_file(_write(tmp_path, {**BASE, "language": "fr"}))
    with pytest.raises(ParameterError, match=r"The 'history' parameter must be .*0.* Got -1"):
        load_run_file(_write(tmp_path, {**BASE, "history": -1}))


def test_missing_orders_source(tmp_path):
    with pytest.raises(InputError, match=r"'sources.orders' source is required"):
        load_run_file(_write(tmp_path, {"period": "2026Q3", "sources": {"customers": "c.csv"}}))


def test_db_source_needs_table_or_query(tmp_path):
    doc = {**BASE, "sources": {"orders": {"url": "sqlite:///x.db"}}}
    with pytest.raises(InputError, match=r"exactly one of 'table' or 'query'"):
        load_run_file(_write(tmp_path, doc))


def test_overrides_apply_before_validation(tmp_path):
    p = _write(tmp_path, BASE)
    cfg = load_run_file(p, ["period=2026Q2", "history=2", "clean.max_amount=50", "language=en"])
    assert cfg.period.label == "2026Q2" and cfg.model.history == 2
    assert cfg.model.clean.max_amount == 50 and cfg.model.language == "en"
    with pytest.raises(ParameterError, match="The '--set' parameter must be key=value"):
        load_run_file(p, ["period"])
    with pytest.raises(UnknownKeyError, match="Unknown key 'bogus'"):
        load_run_file(p, ["bogus=1"])


def test_periods_month_custom_and_history():
    m = parse_period("2026-07")
    assert (m.start, m.end) == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-31"))
    assert m.shift(-7).label == "2025-12"
    q = parse_period("2026Q1")
    assert [p.label for p in q.history(2)] == ["2025Q3", "2025Q4", "2026Q1"]
    assert q.year_ago().label == "2025Q1"
    c = parse_period({"start": "2026-07-01", "end": "2026-07-10"})
    assert c.days == 10 and c.previous().start == pd.Timestamp("2026-06-21")
    with pytest.raises(ParameterError):
        parse_period({"start": "2026-07-10", "end": "2026-07-01"})


def test_settings_table_hides_password(tmp_path):
    doc = {**BASE, "sources": {"orders": "orders.csv",
                               "feedback": {"url": "postgresql+psycopg://u:s3cret@h/db", "table": "f"}}}
    cfg = load_run_file(_write(tmp_path, doc))
    shown = str(cfg.settings_table())
    assert "s3cret" not in shown and "sources.feedback" in shown


def test_units_are_data_values(tmp_path):
    cfg = load_run_file(_write(tmp_path, {**BASE, "unit_column": "store", "units": [101, "华东"]}))
    assert cfg.model.units == ["101", "华东"]
    with pytest.raises(InputError, match="The 'units' parameter must be all or a non-empty list"):
        load_run_file(_write(tmp_path, {**BASE, "units": []}))
    with pytest.raises(ParameterError, match="The 'units' parameter must be"):
        load_run_file(_write(tmp_path, {**BASE, "units": "some"}))
