"""Runs the stage notebooks for every unit of a period, in parallel, and records the run.

The recipe (`run`): check the run file's sources, stage them once as parquet, work out the
units, then for each unit execute the stage notebooks in order with papermill, render each to
HTML, and join them into the unit's report. Units run in parallel processes (or on a Dask
cluster); one unit's failure does not stop the others. Work that is up to date (same notebook
source, parameters and input fingerprints as the recorded run) is skipped unless forced.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import __version__
from .config import RunConfig
from .layout import Stage, UnitPaths, discover_stages, safe_name, select_stages, unit_folders
from .staging import check_sources, load_staged, resolve_units, stage_sources

OK, FAILED, UP_TO_DATE, NOT_RUN = "ok", "failed", "up-to-date", "not-run"
HEARTBEAT_SECONDS = 20.0


@dataclass
class RunOptions:
    out_dir: Path = Path("outputs")
    units: list[str] | None = None
    stages: list[str] | None = None
    jobs: int | None = None
    force: bool = False
    html: bool = True
    cluster: str | None = None


@dataclass
class UnitTask:
    unit: str
    folder: str
    run_dir: str
    config_json: str
    stages: list[tuple[str, str, str]]  # (id, name, notebook path)
    all_stage_ids: list[str]
    fingerprints: dict[str, str]
    previous: dict[str, Any]
    force: bool
    html: bool
    language: str
    title_period: str
    settings: dict[str, Any] = field(default_factory=dict)
    stage_settings: dict[str, dict[str, Any]] = field(default_factory=dict)


def run(cfg: RunConfig, opts: RunOptions, echo=print) -> int:
    """Run every unit and stage; return the exit code (0 all ok, 1 some failed)."""
    started = time.time()
    stages = select_stages(discover_stages(), opts.stages)
    run_dir = (opts.out_dir / safe_name(cfg.name)).resolve()
    echo(f"playbook: run '{cfg.name}', period {cfg.period.label}, {len(stages)} stage(s)")
    echo("checking sources …")
    check_sources(cfg)
    meta = stage_sources(cfg, run_dir / "_cache", echo=echo)
    tables, _ = load_staged(cfg, run_dir / "_cache", meta)
    units = resolve_units(cfg, tables)
    del tables
    if opts.units:
        from .errors import ParameterError

        for u in opts.units:
            if u not in units:
                raise ParameterError("--units", "a list of: " + ", ".join(units), u)
        units = [u for u in units if u in opts.units]
    folders = unit_folders(units)
    _check_upstream(stages, run_dir, folders)
    config_json = _write_config(cfg, run_dir, meta, folders)
    previous = _read_json(run_dir / "run.json")
    fingerprints = {t: m["fingerprint"] for t, m in meta.items()}
    fingerprints["_playbook_code"] = code_fingerprint()
    all_ids = [s.id for s in discover_stages()]
    tasks = [
        UnitTask(unit=u, folder=folders[u], run_dir=str(run_dir), config_json=str(config_json),
                 stages=[(s.id, s.name, str(s.path)) for s in stages], all_stage_ids=all_ids,
                 fingerprints=fingerprints,
                 previous=(previous.get("units", {}).get(u) or {}).get("stages", {}),
                 force=opts.force, html=opts.html, language=cfg.model.language,
                 title_period=cfg.period.label, settings=cfg.settings_table(),
                 stage_settings={s.name: cfg.stage_settings(s.name) for s in stages})
        for u in units
    ]
    echo(f"units: {', '.join(units)}  (jobs: {opts.jobs or os.cpu_count()})")
    results = _dispatch(tasks, opts, echo)

    record = {
        "name": cfg.name, "period": cfg.period.label, "language": cfg.model.language,
        "run_file": str(cfg.path), "playbook_version": __version__,
        "started": _iso(started), "finished": _iso(time.time()),
        "seconds": round(time.time() - started, 2),
        "fingerprints": fingerprints, "sources": meta,
        "units": dict(previous.get("units", {})),
    }
    for r in results:
        record["units"][r["unit"]] = r
    _write_json(run_dir / "run.json", record)
    if opts.html:
        from . import report

        try:
            report.render_run_summary(run_dir, run_dir / "summary.html",
                                      language=cfg.model.language, currency=cfg.model.currency)
        except Exception as exc:  # the index still links every unit's own report
            echo(f"summary.html failed: {_error_text(exc)}")
        report.render_index(record, run_dir / "index.html", language=cfg.model.language)
    failed = [(u, s) for u, r in record["units"].items() if u in folders
              for s, st in r["stages"].items() if st["status"] == FAILED]
    echo(f"done in {record['seconds']:.1f}s: {len(units)} unit(s), {len(failed)} failed stage(s)")
    for u, s in failed:
        echo(f"  FAILED {u} / {s}: {record['units'][u]['stages'][s].get('error')}")
    if opts.html:
        echo(f"index: {run_dir / 'index.html'}")
    return 1 if failed else 0


def _check_upstream(stages: list[Stage], run_dir: Path, folders: dict[str, str]) -> None:
    """With --stages, the stage before the first one asked for must have run in every unit."""
    everything = discover_stages()
    if not stages or stages[0] == everything[0]:
        return
    before = everything[everything.index(stages[0]) - 1]
    for unit, folder in folders.items():
        findings = UnitPaths(run_dir / folder).findings / f"{before.name}.json"
        if not findings.exists():
            from .errors import UpstreamMissingError

            raise UpstreamMissingError(unit, stages[0].id,
                                       f"the outputs of {before.id} ({findings})")


def _dispatch(tasks: list[UnitTask], opts: RunOptions, echo) -> list[dict]:
    if opts.cluster:
        from dask.distributed import Client

        echo(f"sending {len(tasks)} unit(s) to the Dask scheduler at {opts.cluster}")
        with Client(opts.cluster) as client:
            futures = [client.submit(run_unit, t, None, pure=False) for t in tasks]
            results = []
            for fut in futures:
                res = fut.result()
                echo(_unit_line(res))
                results.append(res)
            return results
    jobs = max(1, min(opts.jobs or os.cpu_count() or 1, len(tasks)))
    if jobs == 1:
        return [run_unit(t, None) for t in tasks]
    ctx = get_context("spawn")
    with ctx.Manager() as manager:
        progress = manager.dict()
        stop = threading.Event()
        beat = threading.Thread(target=_heartbeat, args=(progress, stop, echo), daemon=True)
        beat.start()
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                futures = {pool.submit(run_unit, t, progress): t for t in tasks}
                results = []
                for fut in as_completed(futures):
                    task = futures[fut]
                    try:
                        results.append(fut.result())
                    except Exception as exc:  # the worker process itself died
                        results.append(_crashed(task, exc))
        finally:
            stop.set()
    order = {t.unit: i for i, t in enumerate(tasks)}
    return sorted(results, key=lambda r: order[r["unit"]])


def _heartbeat(progress, stop: threading.Event, echo) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            busy = progress.copy()  # one call to the manager: a snapshot, not key-by-key reads
        except Exception:  # the manager is shutting down; the run is ending
            return
        if busy:
            now = time.time()
            echo("  … running: " + "; ".join(
                f"{u} {s} ({now - t0:.0f}s)" for u, (s, t0) in sorted(busy.items())))


def _crashed(task: UnitTask, exc: BaseException) -> dict:
    return {"unit": task.unit, "dir": task.folder, "report": None,
            "stages": {sid: {"status": FAILED, "seconds": 0.0, "error": f"worker crashed: {exc}",
                             "notebook": None, "html": None} for sid, _, _ in task.stages}}


def _unit_line(res: dict) -> str:
    states = ", ".join(f"{s} {v['status']}" for s, v in res["stages"].items())
    return f"[{res['unit']}] {states}"


def code_fingerprint() -> str:
    """The package's own source: a changed analysis re-runs the stages that use it."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".j2", ".json", ".css", ".txt"):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return "sha256:" + h.hexdigest()[:16]


def stage_key(notebook: Path, params: dict, fingerprints: dict, upstream: str | None) -> str:
    """Up to date means: same notebook source, same parameters, same input fingerprints."""
    h = hashlib.sha256()
    h.update(notebook.read_bytes())
    h.update(json.dumps(params, sort_keys=True, ensure_ascii=False).encode())
    h.update(json.dumps(fingerprints, sort_keys=True).encode())
    h.update((upstream or "").encode())
    h.update(__version__.encode())
    return h.hexdigest()[:20]


def run_unit(task: UnitTask, progress=None) -> dict:
    """Execute one unit's stages in order. Never raises: failures are recorded."""
    _ensure_kernel_python()
    paths = UnitPaths(Path(task.run_dir) / task.folder).make()
    cfg_data = _read_json(Path(task.config_json))
    result: dict[str, Any] = {"unit": task.unit, "dir": task.folder, "report": None, "stages": {}}
    upstream_key: str | None = None
    blocked: str | None = None
    ran_any = False
    first_id = task.stages[0][0] if task.stages else None
    if first_id and first_id in task.all_stage_ids:
        idx = task.all_stage_ids.index(first_id)
        if idx > 0:
            prev_id = task.all_stage_ids[idx - 1]
            upstream_key = (task.previous.get(prev_id) or {}).get("key")
            if not (paths.findings / f"{prev_id.split('_', 1)[1]}.json").exists():
                blocked = (f"needs the outputs of {prev_id} (findings/{prev_id.split('_', 1)[1]}"
                           ".json); run that stage first")
    for sid, name, nb_path in task.stages:
        params = {"run_config": task.config_json, "unit": task.unit, "unit_dir": str(paths.root),
                  "interactive": False}
        key_params = {"unit": task.unit, "config": _config_for_key(cfg_data)}
        key = stage_key(Path(nb_path), key_params, task.fingerprints, upstream_key)
        prev = task.previous.get(sid) or {}
        out_nb, out_html = paths.notebook(sid), paths.html(sid)
        rec = {"status": NOT_RUN, "seconds": 0.0, "error": None, "key": key,
               "notebook": f"{task.folder}/{out_nb.name}", "html": None}
        if blocked:
            rec["error"] = blocked
            result["stages"][sid] = rec
            continue
        fresh = (not task.force and prev.get("key") == key and prev.get("status") in (OK, UP_TO_DATE)
                 and out_nb.exists() and (not task.html or out_html.exists()))
        if fresh:
            rec.update(status=UP_TO_DATE, html=prev.get("html"), seconds=prev.get("seconds", 0.0))
            _say(f"[{task.unit}] {sid} up to date, skipped")
        else:
            ran_any = True
            rec.update(_execute(task, sid, Path(nb_path), out_nb, params, progress))
            if task.html and out_nb.exists():
                rec["html"] = _render_stage(task, sid, name, out_nb, out_html, rec)
        result["stages"][sid] = rec
        upstream_key = key
        if rec["status"] == FAILED:
            blocked = f"{sid} failed"
    report_path = paths.root / "report.html"
    if task.html and (ran_any or not report_path.exists()):
        _render_unit_report(task, paths, report_path)
    if report_path.exists():
        result["report"] = f"{task.folder}/report.html"
    return result


def _execute(task: UnitTask, sid: str, nb: Path, out_nb: Path, params: dict, progress) -> dict:
    import papermill as pm

    from .kernels import IPCKernelManager

    t0 = time.time()
    if progress is not None:
        progress[task.unit] = (sid, t0)
    _say(f"[{task.unit}] {sid} running …")
    status, error = OK, None
    try:
        pm.execute_notebook(str(nb), str(out_nb), parameters=params, kernel_name="python3",
                            progress_bar=False, cwd=str(out_nb.parent), log_output=False,
                            # the kernel's own log (TCP notice, shutdown) is noise on the terminal
                            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                            kernel_manager_class=IPCKernelManager)
    except Exception as exc:  # papermill saved the failed notebook with its error marked
        status = FAILED
        error = _error_text(exc)
    finally:
        if progress is not None:
            progress.pop(task.unit, None)
    seconds = round(time.time() - t0, 2)
    _say(f"[{task.unit}] {sid} {status} in {seconds:.1f}s" + (f": {error}" if error else ""))
    return {"status": status, "seconds": seconds, "error": error}


def _error_text(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}".strip() or traceback.format_exc(limit=1)


def _render_stage(task: UnitTask, sid: str, name: str, out_nb: Path, out_html: Path, rec) -> str | None:
    from . import report

    title = f"{Stage(sid, name, out_nb).title(task.language)} · {task.unit} · {task.title_period}"
    try:
        settings = {**task.settings, **task.stage_settings.get(name, {}), "unit": task.unit}
        report.render_stage(out_nb, out_html, title=title, settings=settings,
                            language=task.language)
    except Exception as exc:
        rec["error"] = (rec.get("error") or "") + f" [html: {_error_text(exc)}]"
        return None
    return f"{task.folder}/{out_html.name}"


def _render_unit_report(task: UnitTask, paths: UnitPaths, report_path: Path) -> None:
    from . import report

    stages = []
    for sid in task.all_stage_ids:
        name = sid.split("_", 1)[1]
        stages.append((Stage(sid, name, paths.notebook(sid)).title(task.language),
                       paths.notebook(sid)))
    title = f"{task.unit} · {task.title_period}"
    try:
        summary = report.executive_summary_html(paths.root, language=task.language,
                                                currency=task.settings.get("currency", "CNY"))
        report.render_unit_report(stages, report_path, title=title,
                                  settings={**task.settings, "unit": task.unit},
                                  language=task.language, summary_html=summary or None)
    except Exception as exc:
        _say(f"[{task.unit}] report.html failed: {_error_text(exc)}")


def _config_for_key(cfg_data: dict) -> dict:
    return {k: v for k, v in cfg_data.items() if k not in ("_staged_dir", "_units")}


def _write_config(cfg: RunConfig, run_dir: Path, meta: dict, folders: dict[str, str]) -> Path:
    data = cfg.to_json()
    data["_staged"] = meta
    data["_staged_dir"] = str(run_dir / "_cache")
    data["_units"] = folders
    path = run_dir / "_run" / "config.json"
    _write_json(path, data)
    return path


def _ensure_kernel_python() -> None:
    """Kernels must start with this interpreter (the venv's), whatever PATH the caller had."""
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _say(msg: str) -> None:
    print(msg, flush=True)


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)
