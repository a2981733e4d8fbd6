"""Benchmarks (`make bench`): time and peak memory of the heavy steps, each in its own process.

    .venv/bin/python bench/run.py [--customers 200000] [--only NAME]

Each case runs in a fresh interpreter so its peak RSS is its own. Results are printed as a table
and written to outputs/bench/results.json. The figures go into the closing notes of issues.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "outputs" / "bench"

# the scaled sample's tables with the types 02_clean gives them, and a timer for each step
# (the prelude of the *_scaled stage cases)
LOAD_SCALED = """
import pandas as pd
from playbook.periods import parse_period
d = OUT / f"scaled{N}"
t = time.perf_counter()
o = pd.read_parquet(d / "orders.parquet")
o["order_date"] = pd.to_datetime(o["order_date"], errors="coerce", format="%Y-%m-%d %H:%M:%S")
o = o[o["order_date"].notna() & o["customer_id"].notna() & (o["order_date"] < "2026-10-01")
      & (o["amount"].abs() < 1e6)]
o = o.assign(is_return=o["amount"] < 0)
tables = {"orders": o}
for name in ("customers", "feedback", "complaints", "interactions", "competitors", "market"):
    tables[name] = pd.read_parquet(d / f"{name}.parquet")
for name, col in (("feedback", "response_date"), ("interactions", "date"),
                  ("complaints", "opened_at"), ("complaints", "first_response_at"),
                  ("complaints", "closed_at")):
    tables[name][col] = pd.to_datetime(tables[name][col])
print(f"  load: {time.perf_counter() - t:.1f}s, orders {len(o):,} rows")
steps = {}
def step(name, fn):
    t = time.perf_counter()
    steps[name] = fn()
    print(f"  {name}: {time.perf_counter() - t:.1f}s")
"""
SCALED = ("segment_scaled", "feedback_scaled", "trends_scaled")

CASES: dict[str, str] = {
    # the bundled sample at its default size, as `make demo` writes it
    "generate_20k": """
        from playbook.sample import generate
        generate(OUT / "sample20k", customers=20_000, seed=42)
    """,
    # the scale knob (parquet files, as the segment benchmark uses)
    "generate_scaled": """
        from playbook.sample import generate
        generate(OUT / f"scaled{N}", customers=N, seed=1, fmt="parquet")
    """,
    # reading + mapping every source of the 20k sample (CSV, GB18030 CSV, XLSX, parquet)
    "read_sources_20k": """
        from playbook.sources import SourceSpec, read_table
        import pandas as pd
        for f in sorted((OUT / "sample20k").iterdir()):
            if f.name.startswith("_"): continue
            df = read_table(SourceSpec(table=f.stem, path=f))
            print(f"  {f.name}: {len(df):,} rows")
    """,
    # cleaning the scaled sample's tables in one process
    "clean_scaled": """
        import pandas as pd
        from playbook.clean import clean_all, CleanSettings, reconcile
        from playbook.sources import SourceSpec, read_table
        d = OUT / f"scaled{N}"
        tables = {f.stem: read_table(SourceSpec(table=f.stem, path=f))
                  for f in sorted(d.glob("*.parquet")) if not f.name.startswith("_")}
        print(f"  orders: {len(tables['orders']):,} rows")
        res = clean_all(tables, window_start=pd.Timestamp("2023-10-01"),
                        window_end=pd.Timestamp("2026-09-30"), today=pd.Timestamp("2026-10-15"),
                        settings=CleanSettings())
        print("  balanced:", reconcile(res)["balanced"])
    """,
    # stage 03's computation over the scaled sample (1M customers ≈ 12.8M order rows): the
    # pipeline steps the notebook calls, each timed; the orders get the types 02_clean gives them
    "segment_scaled": """
        from playbook.segment import pipeline
        from playbook.segment.settings import SegmentSettings
        t = time.perf_counter()
        inp = pipeline.make_inputs(tables, parse_period("2026Q3"), pd.Timestamp("2023-10-01"),
                                   SegmentSettings(), "zh")
        print(f"  purchases: {time.perf_counter() - t:.1f}s, {len(inp.purchases):,} purchases, "
              f"{inp.purchases['customer_id'].nunique():,} customers")
        step("overview", lambda: pipeline.overview(inp))
        step("rfm", lambda: pipeline.rfm_step(inp))
        step("abc", lambda: pipeline.abc_step(inp, steps["rfm"]))
        step("clusters", lambda: pipeline.cluster_step(inp))
        step("shifts", lambda: pipeline.shift_step(inp, steps["clusters"], steps["rfm"]))
        step("lifecycle", lambda: pipeline.lifecycle_step(inp))
        step("cohorts", lambda: pipeline.cohort_step(inp))
        step("clv", lambda: pipeline.clv_step(inp))
        step("churn", lambda: pipeline.churn_step(inp, steps["clv"]))
        from playbook.segment import outputs
        step("customers", lambda: outputs.customer_table(inp, steps["rfm"], steps["abc"],
             steps["lifecycle"], steps["clv"], steps["churn"], steps["clusters"]))
        print(f"  k={steps['clusters']['model'].k_}, churn AUC "
              f"{steps['churn']['result']['metrics']['model']['auc']:.3f}")
    """,
    # stages 04 and 05 over the scaled sample (1M customers ≈ 1.2M survey answers): the
    # pipeline steps the notebooks call, each timed (03's labels absent: the complaint-churn
    # comparison and the price-cut link are skipped)
    "feedback_scaled": """
        from playbook.feedback import pipeline as fp
        from playbook.feedback.settings import FeedbackSettings
        from playbook.competition import pipeline as cp
        from playbook.competition.settings import CompetitionSettings
        period = parse_period("2026Q3")
        t = time.perf_counter()
        inp = fp.make_inputs(tables, period, 11, FeedbackSettings(), "zh", "region")
        print(f"  inputs: {time.perf_counter() - t:.1f}s, {len(inp.feedback):,} answers, "
              f"{len(inp.complaints):,} complaints, {len(inp.interactions):,} interactions")
        step("satisfaction", lambda: fp.satisfaction_step(inp))
        step("drivers", lambda: fp.drivers_step(inp))
        step("complaints", lambda: fp.complaints_step(inp))
        step("text", lambda: fp.text_step(inp))
        step("interactions", lambda: fp.interactions_step(inp))
        step("callbacks", lambda: fp.callbacks(inp))
        ci = cp.make_inputs(tables, period, 11, CompetitionSettings(), "zh", "region")
        step("market", lambda: cp.market_step(ci))
        step("competitors", lambda: cp.compare_step(ci, steps["market"]))
    """,
    # stage 06 over the scaled sample: the period table, months, the category mix by age band
    # and customer type, and the forecasts with their backtests (03's price tiers absent)
    "trends_scaled": """
        from playbook.trends import pipeline as tp
        from playbook.trends.settings import TrendsSettings
        t = time.perf_counter()
        inp = tp.make_inputs(tables, parse_period("2026Q3"), 11, TrendsSettings(), "zh")
        print(f"  inputs: {time.perf_counter() - t:.1f}s")
        step("series", lambda: tp.series_step(inp))
        step("mix", lambda: tp.mix_step(inp))
        step("forecast", lambda: tp.forecast_step(inp, steps["series"]))
        print("  flags:", [f["id"] for f in tp.flags(inp, steps["mix"], steps["forecast"])][:5])
    """,
}


def run_case(name: str, n: int) -> dict:
    body = textwrap.dedent(CASES[name])
    if name in SCALED:
        body = LOAD_SCALED + body
    code = (f"from pathlib import Path\nOUT = Path({str(OUT)!r})\nN = {n}\n"
            "import resource, time\nt0 = time.perf_counter()\n" + body +
            "\nprint('__BENCH__', time.perf_counter() - t0, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        return {"case": name, "ok": False}
    lines = proc.stdout.strip().splitlines()
    for ln in lines[:-1]:
        print(ln)
    _, secs, rss = lines[-1].split()
    return {"case": name, "ok": True, "seconds": round(float(secs), 2),
            "wall_seconds": round(wall, 2), "peak_rss_mb": round(int(rss) / 1024, 1)}


def run_demo() -> dict:
    """The whole demo (5 units × every stage, HTML included), forced, with 2 jobs.

    It runs under a small wrapper process so that the peak RSS reported is the largest process
    of the demo itself (runner, unit workers and kernels), not of the other cases.
    """
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        f"rc = subprocess.call([{str(ROOT / '.venv' / 'bin' / 'playbook')!r}, 'demo', '--force', "
        f"'--out', {str(OUT / 'demo_out')!r}], stdout=subprocess.DEVNULL)\n"
        "print(rc, time.perf_counter() - t0, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    rc, secs, rss = proc.stdout.split()
    return {"case": "demo_run_forced", "ok": rc == "0", "seconds": round(float(secs), 2),
            "wall_seconds": round(float(secs), 2), "peak_rss_mb": round(int(rss) / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=200_000, help="size of the scaled sample")
    ap.add_argument("--only", action="append", help="run only these cases")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for name in CASES:
        if args.only and name not in args.only:
            continue
        print(f"{name} …", flush=True)
        results.append(run_case(name, args.customers))
    if not args.only or "demo" in args.only:
        print("demo_run_forced …", flush=True)
        results.append(run_demo())
    print(f"\n{'case':<20} {'seconds':>9} {'peak MB':>9}")
    for r in results:
        print(f"{r['case']:<20} {r.get('seconds', float('nan')):>9.2f} "
              f"{r.get('peak_rss_mb', float('nan')):>9.1f}  {'' if r['ok'] else 'FAILED'}")
    (OUT / "results.json").write_text(json.dumps({"customers": args.customers,
                                                  "results": results}, indent=2))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
