"""End to end on the sample company: run, reports, reconciliation, privacy, skipping, failures."""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from playbook.cli import main
from playbook.layout import NOTEBOOKS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def _units(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["units"]


def test_demo_run_completes_every_unit_and_stage(demo_run, sample_dir):
    run_dir, code, _ = demo_run
    assert code == 0
    units = _units(run_dir)
    regions = set(pd.read_csv(sample_dir / "orders.csv", dtype=str)["region"].dropna())
    assert set(units) == regions | {"total"} and len(regions) >= 4
    for name, rec in units.items():
        assert rec["stages"]["01_collect"]["status"] == "ok", rec
        assert rec["stages"]["02_clean"]["status"] == "ok", rec
        folder = run_dir / rec["dir"]
        for f in ("01_collect.ipynb", "01_collect.html", "02_clean.html", "report.html",
                  "findings/collect.json", "findings/clean.json", "data/orders.parquet"):
            assert (folder / f).exists(), (name, f)
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "report.html" in index and "02_clean.html" in index


def test_reconciliation_holds_on_sample(demo_run):
    run_dir, _, _ = demo_run
    for name, rec in _units(run_dir).items():
        folder = run_dir / rec["dir"]
        m = json.loads((folder / "findings" / "clean.json").read_text(encoding="utf-8"))["metrics"]
        assert m["balanced"] is True
        for table in ("orders", "customers", "feedback", "complaints"):
            kept = len(pd.read_parquet(folder / "data" / f"{table}.parquet"))
            rejected = pd.read_parquet(folder / "data" / f"rejected_{table}.parquet")
            raw = len(pd.read_parquet(folder / "data" / f"raw_{table}.parquet"))
            assert raw == m[f"{table}_rows_in"] == kept + len(rejected), (name, table)
            assert rejected["reason"].notna().all()
    total = json.loads((run_dir / "total" / "findings" / "clean.json").read_text())["metrics"]
    # the sample plants dirty orders; each kind is caught
    for reason in ("exact_duplicate", "missing_customer_id", "unparseable_date", "absurd_amount",
                   "unknown_customer", "future_date"):
        assert total.get(f"orders_rejected_{reason}", 0) > 0, reason
    assert total["orders_returns_kept"] > 0


def _html_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.rglob("*.html"))


def test_reports_are_offline_and_show_no_code(demo_run):
    run_dir, _, _ = demo_run
    pages = _html_files(run_dir)
    assert len(pages) >= 5 * 3 + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<script src="http' not in text and '<link href="http' not in text, page
        assert "src=\"http" not in text and "href=\"http" not in text, page
        if page.name.endswith("_clean.html"):
            assert "stage.show_quality" not in text, "code must be hidden"
            assert "data:image/png;base64" in text
            assert "数据质量与核对" in text, "narrative in the run's language"
            assert "Data quality and reconciliation" not in text, "not in the other language"
            assert "'rows_in':" not in text, "no raw dict reprs"


def test_no_personal_data_in_any_report_or_export(demo_run, sample_dir):
    """Every name (3+ characters), phone and e-mail of the sample is absent from every page,
    executed notebook, export and cleaned table; complaint texts with phones are scrubbed."""
    run_dir, _, _ = demo_run
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str, encoding="gb18030")
    needles = set(customers["phone"].dropna()) | set(customers["email"].dropna())
    needles |= {n for n in customers["name"].dropna() if len(n) >= 3}
    assert len(needles) > 1000
    texts = [p.read_text(encoding="utf-8") for p in _html_files(run_dir)]
    # the executed notebooks are rendered output too
    texts += [p.read_text(encoding="utf-8") for p in run_dir.rglob("*.ipynb")]
    texts += [p.read_text(encoding="utf-8", errors="replace")
              for p in run_dir.rglob("exports/*") if p.is_file()]
    for folder in (p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for table in ("customers", "rejected_customers", "complaints", "feedback"):
            f = folder / "data" / f"{table}.parquet"
            if f.exists():
                texts.append(pd.read_parquet(f).to_csv())
    blob = "\n".join(texts)
    leaked = [n for n in needles if n in blob]
    assert not leaked, leaked[:5]
    # no unmasked mobile number at all (complaint texts carry some that are nobody's record)
    visible = re.sub(r"data:image/[A-Za-z]+;base64,[A-Za-z0-9+/=]+", "", blob)
    # (a digit run after a decimal point is a fraction, e.g. a probability, not a phone)
    assert not re.findall(r"(?<![\d*.])1[3-9]\d{9}(?![\d*])", visible)


def test_second_run_skips_everything(demo_run, capsys):
    run_dir, _, run_file = demo_run
    before = {u: r["stages"]["02_clean"]["key"] for u, r in _units(run_dir).items()}
    code = main(["run", str(run_file), "--out", str(run_dir.parent), "--jobs", "2"])
    assert code == 0
    out = capsys.readouterr().out
    units = _units(run_dir)
    statuses = {s["status"] for r in units.values() for s in r["stages"].values()}
    assert statuses == {"up-to-date"}
    assert {u: r["stages"]["02_clean"]["key"] for u, r in units.items()} == before
    assert "running" not in out.replace("… running", "")


def test_a_failing_stage_does_not_stop_other_units(demo_run, tmp_path, monkeypatch):
    run_dir, _, run_file = demo_run
    out = tmp_path / "out"
    shutil.copytree(run_dir, out / run_dir.name)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for p in NOTEBOOKS_DIR.glob("0[12]_*.ipynb"):
        shutil.copy(p, nbs / p.name)
    victim = sorted(u for u in _units(run_dir) if u != "total")[0]
    boom = json.loads((nbs / "01_collect.ipynb").read_text(encoding="utf-8"))
    boom["cells"] = [c for c in boom["cells"] if "parameters" in c["metadata"].get("tags", [])]
    boom["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                          "source": f"if unit == {victim!r}:\n    raise RuntimeError('boom in ' + unit)\n"
                                    "from playbook.findings import write_findings\n"
                                    "from pathlib import Path\n"
                                    "write_findings(Path(unit_dir) / 'findings', 'boom', unit, 'p', {'ok': 1})\n"})
    (nbs / "03_boom.ipynb").write_text(json.dumps(boom), encoding="utf-8")
    monkeypatch.setenv("PLAYBOOK_NOTEBOOKS", str(nbs))
    code = main(["run", str(run_file), "--out", str(out), "--stages", "boom", "--jobs", "2"])
    assert code == 1
    units = _units(out / run_dir.name)
    failed = units[victim]["stages"]["03_boom"]
    assert failed["status"] == "failed" and "boom in" in failed["error"]
    saved = (out / run_dir.name / units[victim]["dir"] / "03_boom.ipynb").read_text(encoding="utf-8")
    assert "RuntimeError" in saved, "the failed notebook is saved with its error"
    others = [u for u in units if u != victim]
    assert others and all(units[u]["stages"]["03_boom"]["status"] == "ok" for u in others)
    index = (out / run_dir.name / "index.html").read_text(encoding="utf-8")
    assert "03_boom.ipynb" in index


def test_units_run_on_a_dask_cluster(demo_run, tmp_path):
    """--cluster sends the units to a Dask scheduler; outputs land in the shared folder."""
    from dask.distributed import LocalCluster

    run_dir, _, run_file = demo_run
    out = tmp_path / "out"
    shutil.copytree(run_dir, out / run_dir.name)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        code = main(["run", str(run_file), "--out", str(out), "--stages", "collect",
                     "--units", "total", "--force", "--no-html",
                     "--cluster", cluster.scheduler_address])
    assert code == 0
    rec = _units(out / run_dir.name)["total"]["stages"]["01_collect"]
    assert rec["status"] == "ok" and rec["seconds"] > 0


def test_heartbeat_survives_units_finishing_while_it_reads():
    """Units leave the progress dict at any moment; the heartbeat reports and keeps going."""
    import threading
    from multiprocessing import get_context

    from playbook import runner

    lines: list[str] = []
    with get_context("spawn").Manager() as manager:
        progress = manager.dict({f"u{i}": ("01_collect", 0.0) for i in range(200)})
        stop = threading.Event()
        old = runner.HEARTBEAT_SECONDS
        runner.HEARTBEAT_SECONDS = 0.01
        try:
            beat = threading.Thread(target=runner._heartbeat, args=(progress, stop, lines.append))
            beat.start()
            deadline = time.time() + 10
            while not lines and time.time() < deadline:  # a loaded machine starts it late
                time.sleep(0.005)
            for i in range(200):
                progress.pop(f"u{i}", None)
            assert beat.is_alive(), "the heartbeat died while units finished"
            stop.set()
            beat.join(5)
        finally:
            runner.HEARTBEAT_SECONDS = old
    assert any("running" in ln for ln in lines)
