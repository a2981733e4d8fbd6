"""Real data no one here wrote: CDNOW (Fader & Hardie), through collect and clean.

The `lifetimes` wheel on PyPI ships `lifetimes/datasets/CDNOW_master.txt` (69,659 purchases of
23,570 customers, 1997-01 to 1998-06, whitespace-separated). This writes a run file with only an
orders table and a column mapping, runs stages 01-02 with the real runner, and prints the
reconciliation from findings/clean.json.

    make cdnow          # or: .venv/bin/python bench/cdnow.py [--out outputs]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import yaml

from playbook.cli import main as playbook


def cdnow_master() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("the lifetimes wheel is not installed: pip install lifetimes (make install does)")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_master.txt"


def run_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "name": "cdnow",
        "period": "1998Q2",
        "history": 5,  # 1997Q1 .. 1998Q2: the whole data set
        "language": "en",
        "currency": "USD",
        "sources": {"orders": str(cdnow_master())},
        "columns": {"orders": {"customer_id": "customer_id", "order_date": "date",
                               "quantity": "number_of_cds", "amount": "dollar_value"}},
    }
    path = folder / "cdnow.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("outputs"))
    args = ap.parse_args()
    rf = run_file(args.out / "_cdnow")
    t0 = time.time()
    code = playbook(["run", str(rf), "--out", str(args.out), "--stages", "collect,clean",
                     "--force", "--jobs", "1"])
    seconds = time.time() - t0
    findings = json.loads((args.out / "cdnow" / "total" / "findings" / "clean.json").read_text())
    m = findings["metrics"]
    print(f"\nCDNOW through collect + clean in {seconds:.1f}s (exit {code})")
    print(f"  rows in {m['orders_rows_in']:,} = kept {m['orders_rows_kept']:,} + rejected "
          f"{m['orders_rows_rejected']:,}  balanced={m['balanced']}")
    for k, v in sorted(m.items()):
        if k.startswith("orders_rejected_"):
            print(f"    {k.removeprefix('orders_rejected_')}: {v:,}")
    import pandas as pd

    kept = pd.read_parquet(args.out / "cdnow" / "total" / "data" / "orders.parquet")
    print(f"  customers kept: {kept['customer_id'].nunique():,}; revenue {kept['amount'].sum():,.2f}")
    return code


if __name__ == "__main__":
    sys.exit(main())
