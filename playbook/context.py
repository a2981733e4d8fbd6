"""What a stage notebook works with: its run settings, its unit's folders, and file hand-offs.

Stages hand data to each other through files in the unit's folder (parquet in `data/`, JSON in
`findings/`); nothing passes through kernel state.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import RunConfig, load_resolved
from .findings import read_findings, write_findings
from .layout import UnitPaths
from .periods import Period


@dataclass
class StageContext:
    cfg: RunConfig
    unit: str
    paths: UnitPaths
    stage: str
    staged: dict
    staged_dir: Path | None

    @property
    def language(self) -> str:
        return self.cfg.model.language

    @property
    def period(self) -> Period:
        return self.cfg.period

    @property
    def window(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return self.cfg.window

    @property
    def is_total(self) -> bool:
        return self.unit == "total" or self.cfg.model.unit_column is None

    def zh(self) -> bool:
        return self.language == "zh"

    def tr(self, zh: str, en: str) -> str:
        return zh if self.language == "zh" else en

    # hand-offs ------------------------------------------------------------------------------
    def data_path(self, name: str) -> Path:
        return self.paths.data / f"{name}.parquet"

    def has(self, name: str) -> bool:
        return self.data_path(name).exists()

    def read(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.data_path(name))

    def write(self, name: str, df: pd.DataFrame) -> Path:
        path = self.data_path(name)
        tmp = path.with_suffix(".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(path)
        return path

    def remove(self, name: str) -> None:
        self.data_path(name).unlink(missing_ok=True)

    def findings(self, stage: str) -> dict | None:
        return read_findings(self.paths.findings, stage)

    def save_findings(self, metrics: dict, flags: list | None = None,
                      skipped: list | None = None) -> Path:
        return write_findings(self.paths.findings, self.stage, self.unit, self.period.label,
                              metrics, flags, skipped)


def open_stage(run_config: str | Path, unit: str, unit_dir: str | Path, stage: str,
               plots: bool = True) -> StageContext:
    """Load the run's settings and prepare the notebook (fonts, display options)."""
    if not run_config or not Path(run_config).exists():
        raise FileNotFoundError(
            f"run_config {str(run_config)!r} does not exist. Run `playbook run params/<file>.yaml` "
            "(or `make demo`) first; `playbook lab` opens the notebooks with the demo's settings.")
    import json

    cfg = load_resolved(run_config)
    raw = json.loads(Path(run_config).read_text(encoding="utf-8"))
    paths = UnitPaths(Path(unit_dir)).make()
    if plots:
        from .notebook import setup_display

        setup_display()
    staged_dir = Path(raw["_staged_dir"]) if raw.get("_staged_dir") else None
    return StageContext(cfg, unit, paths, stage, raw.get("_staged", {}), staged_dir)
