"""Real data no one here wrote: CDNOW_master.txt from the lifetimes wheel, read and cleaned."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml

from playbook.clean import CleanSettings, clean_all, reconcile
from playbook.collect import scope_to_unit
from playbook.config import load_run_file


@pytest.fixture(scope="module")
def cdnow_run_file(tmp_path_factory) -> Path:
    spec = importlib.util.find_spec("lifetimes")
    assert spec is not None, "the test extra installs lifetimes, which ships CDNOW"
    master = Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_master.txt"
    doc = {"period": "1998Q2", "history": 5, "language": "en",
           "sources": {"orders": str(master)},
           "columns": {"orders": {"customer_id": "customer_id", "order_date": "date",
                                  "quantity": "number_of_cds", "amount": "dollar_value"}}}
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _clean(run_file: Path, **settings):
    from playbook.sources import read_table

    cfg = load_run_file(run_file)
    orders = read_table(cfg.source("orders"), cfg.mapping("orders"))
    tables = scope_to_unit({"orders": orders}, None, "total")
    start, end = cfg.window
    return orders, clean_all(tables, window_start=start, window_end=end,
                             today=pd.Timestamp("2026-11-22"), settings=CleanSettings(**settings))


def test_cdnow_reads_and_reconciles(cdnow_run_file):
    orders, results = _clean(cdnow_run_file)
    assert len(orders) == 69_659
    assert orders["customer_id"].nunique() == 23_570
    assert orders["customer_id"].iloc[0] == "00001", "leading zeros are kept"
    rec = reconcile(results)
    assert rec["balanced"]
    o = rec["orders"]
    assert o["rows_in"] == 69_659 == o["rows_kept"] + o["rows_rejected"]
    # the file has no transaction id: 255 rows repeat an earlier row exactly
    assert o["by_reason"]["exact_duplicate"] == 255 and o["rows_rejected"] == 255
    kept = results["orders"].kept
    assert kept["customer_id"].nunique() == 23_570
    assert kept["order_date"].min() == pd.Timestamp("1997-01-01")
    assert kept["order_date"].max() == pd.Timestamp("1998-06-30")


def test_cdnow_keeping_identical_purchases(cdnow_run_file):
    _, results = _clean(cdnow_run_file, drop_exact_duplicates=False)
    kept = results["orders"].kept
    assert len(kept) == 69_659 and results["orders"].rejected.empty
    assert round(float(kept["amount"].sum()), 2) == 2_500_315.63
