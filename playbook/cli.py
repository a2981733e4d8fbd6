"""The `playbook` command: run, validate, demo, lab (CONTRACT section 1)."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from .errors import InputError, PlaybookError
from .layout import NOTEBOOKS_DIR, PARAMS_DIR, REPO_ROOT

DEMO_DATA = {"zh": REPO_ROOT / "data" / "sample", "en": REPO_ROOT / "data" / "sample_en"}
DEMO_RUN_FILE = {"zh": PARAMS_DIR / "demo.yaml", "en": PARAMS_DIR / "demo_en.yaml"}


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="playbook", description="Customer Review Playbook (客户复盘)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the stages for each unit of one period")
    r.add_argument("run_file", type=Path)
    r.add_argument("--units", type=_csv, help="comma-separated units (default: the run file's)")
    r.add_argument("--stages", type=_csv, help="comma-separated stages, e.g. segment,feedback")
    r.add_argument("--jobs", type=int, default=None, help="parallel units (default: CPU count)")
    r.add_argument("--cluster", default=None, help="Dask scheduler address")
    r.add_argument("--out", type=Path, default=Path("outputs"), help="output folder")
    r.add_argument("--force", action="store_true", help="ignore up-to-date outputs")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override any run-file key (repeatable), e.g. --set period=2026Q2")
    r.add_argument("--no-html", dest="html", action="store_false", help="skip HTML reports")

    v = sub.add_parser("validate", help="check the run file and every source; run nothing")
    v.add_argument("run_file", type=Path)
    v.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    d = sub.add_parser("demo", help="generate the sample company and run the demo")
    d.add_argument("--out", type=Path, default=Path("outputs"))
    d.add_argument("--customers", type=int, default=20_000)
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--language", choices=("zh", "en"), default="zh")
    d.add_argument("--jobs", type=int, default=None)
    d.add_argument("--force", action="store_true")
    d.add_argument("--data-only", action="store_true", help="only generate the sample data")
    d.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    sub.add_parser("lab", help="open JupyterLab on notebooks/ with the demo parameters; "
                   "other options (e.g. --no-browser --port 8899) go to jupyter lab")
    return p


def cmd_run(args) -> int:
    from .config import check_rulebook, check_sources_exist, load_run_file
    from .runner import RunOptions, run

    cfg = load_run_file(args.run_file, args.overrides)
    check_sources_exist(cfg)
    check_rulebook(cfg)
    _check_jobs(args.jobs)
    opts = RunOptions(out_dir=args.out, units=args.units, stages=args.stages, jobs=args.jobs,
                      force=args.force, html=args.html, cluster=args.cluster)
    return run(cfg, opts)


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and jobs < 1:
        from .errors import ParameterError

        raise ParameterError("--jobs", "a whole number >= 1", jobs)


def cmd_validate(args) -> int:
    from .config import check_rulebook, check_sources_exist, load_run_file
    from .staging import check_sources

    cfg = load_run_file(args.run_file, args.overrides)
    check_sources_exist(cfg)
    check_rulebook(cfg)
    columns = check_sources(cfg)
    print(f"{args.run_file}: OK — period {cfg.period.label}, window "
          f"{cfg.window[0].date()} – {cfg.window[1].date()}")
    for table, cols in columns.items():
        print(f"  {table}: {cfg.source(table).describe()} ({len(cols)} columns)")
    return 0


def cmd_demo(args) -> int:
    from .config import check_rulebook, load_run_file
    from .runner import RunOptions, run
    from .sample import generate

    t0 = time.time()
    data_dir = DEMO_DATA[args.language]
    print(f"generating the sample company ({args.customers:,} customers) in {data_dir} …", flush=True)
    generate(data_dir, customers=args.customers, seed=args.seed, language=args.language)
    print(f"  sample data ready in {time.time() - t0:.1f}s", flush=True)
    if args.data_only:
        return 0
    cfg = load_run_file(DEMO_RUN_FILE[args.language], args.overrides)
    check_rulebook(cfg)
    _check_jobs(args.jobs)
    # the quarter before first: its 07_strategy writes the plan.json that this quarter's
    # 07_strategy checks against what happened (the closed loop)
    before = cfg.period.previous().label
    prev = load_run_file(DEMO_RUN_FILE[args.language],
                         [*(args.overrides or []), f"period={before}", f"name={cfg.name}-{before}",
                          f"history={max(cfg.model.history - 1, 0)}"])  # the same data window
    print(f"the previous quarter first ({before}), for the closed loop …", flush=True)
    run(prev, RunOptions(out_dir=args.out, jobs=args.jobs, force=args.force))
    code = run(cfg, RunOptions(out_dir=args.out, jobs=args.jobs, force=args.force))
    print(f"demo finished in {time.time() - t0:.1f}s")
    return code


def cmd_lab(args) -> int:
    config = REPO_ROOT / "outputs" / "demo" / "_run" / "config.json"
    if not config.exists():
        print("no demo outputs yet: running the demo first …")
        code = cmd_demo(build_parser().parse_args(["demo"]))
        if code != 0:
            return code
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    cmd = [sys.executable, "-m", "jupyterlab", "--notebook-dir", str(NOTEBOOKS_DIR)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return subprocess.call(cmd + list(getattr(args, "lab_args", [])), env=env)


COMMANDS = {"run": cmd_run, "validate": cmd_validate, "demo": cmd_demo, "lab": cmd_lab}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.lab_args = extra
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except PlaybookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
