"""Where things live: the stage notebooks, and each unit's output folder (CONTRACT section 4)."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PARAMS_DIR = REPO_ROOT / "params"
_STAGE_FILE = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)\.ipynb$")

STAGE_TITLES = {
    "collect": ("收集", "Collect"),
    "clean": ("清洗", "Clean"),
    "segment": ("客户分群与价值", "Segments and value"),
    "feedback": ("客户反馈", "Customer feedback"),
    "competition": ("竞争对比", "Competition"),
    "trends": ("趋势", "Trends"),
    "strategy": ("策略与复盘", "Strategy and review"),
}


@dataclass(frozen=True)
class Stage:
    id: str  # e.g. "01_collect"
    name: str  # e.g. "collect"
    path: Path

    def title(self, language: str) -> str:
        zh, en = STAGE_TITLES.get(self.name, (self.name, self.name.title()))
        return f"{self.id[:2]} {zh if language == 'zh' else en}"


def notebooks_dir() -> Path:
    """`notebooks/` of the repository, or the folder named by $PLAYBOOK_NOTEBOOKS."""
    return Path(os.environ.get("PLAYBOOK_NOTEBOOKS") or NOTEBOOKS_DIR)


def discover_stages(folder: Path | None = None) -> list[Stage]:
    """The stage list is the numbered notebooks present in `notebooks/`, in order."""
    notebooks_dir_ = folder or notebooks_dir()
    stages = []
    for p in sorted(notebooks_dir_.glob("*.ipynb")):
        if m := _STAGE_FILE.match(p.name):
            stages.append(Stage(p.stem, m[2], p))
    return stages


def select_stages(stages: list[Stage], wanted: list[str] | None) -> list[Stage]:
    """Pick stages by name (segment), id (03_segment) or number (03)."""
    if not wanted:
        return stages
    from .errors import ParameterError

    chosen = []
    for w in wanted:
        w = w.strip()
        match = [s for s in stages if w in (s.id, s.name, s.id[:2])]
        if not match:
            raise ParameterError("--stages", "a list of " + ", ".join(s.name for s in stages), w)
        chosen.extend(m for m in match if m not in chosen)
    return [s for s in stages if s in chosen]


_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


def safe_name(unit: str) -> str:
    """A folder name for a unit value: letters (any script), digits, _ and - only."""
    name = _UNSAFE.sub("_", str(unit).strip()).strip("._")
    return name[:80] or "unit"


def unit_folders(units: list[str]) -> dict[str, str]:
    """Folder per unit, made safe and unique (a short hash separates names that collide)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for u in units:
        name = safe_name(u)
        if name.lower() in used:
            name = f"{name}_{hashlib.sha1(u.encode()).hexdigest()[:6]}"
        used.add(name.lower())
        out[u] = name
    return out


@dataclass(frozen=True)
class UnitPaths:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def findings(self) -> Path:
        return self.root / "findings"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def notebook(self, stage: Stage | str) -> Path:
        return self.root / f"{getattr(stage, 'id', stage)}.ipynb"

    def html(self, stage: Stage | str) -> Path:
        return self.root / f"{getattr(stage, 'id', stage)}.html"

    def make(self) -> UnitPaths:
        for d in (self.root, self.data, self.findings, self.exports):
            d.mkdir(parents=True, exist_ok=True)
        return self
