"""Shared fixtures: fixed seeds, closed figures, a small sample company and its demo run."""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _seeds_and_figures():
    random.seed(0)
    np.random.seed(0)
    yield
    plt.close("all")


@pytest.fixture
def ax():
    """A fresh axes for a plot helper to draw on (closed afterwards)."""
    import warnings

    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CJK glyphs may be missing from the font
        yield ax
    plt.close(fig)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """A small sample company (2,000 customers), generated once per test session."""
    from playbook.sample import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out, customers=2000, seed=7)
    return out


def write_run_file(directory: Path, data_dir: Path, **overrides) -> Path:
    """A run file over the sample company, with keys overridden (None removes a key)."""
    import yaml

    doc = yaml.safe_load((REPO / "params" / "demo.yaml").read_text(encoding="utf-8"))
    doc["sources"] = {k: str(data_dir / Path(v).name) for k, v in doc["sources"].items()}
    for k, v in overrides.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    path = directory / "run.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, sample_dir):
    """The sample company run end to end once per session: (run dir, exit code, run file)."""
    from playbook.cli import main

    work = tmp_path_factory.mktemp("demo_run")
    run_file = write_run_file(work, sample_dir, name="t")
    code = main(["run", str(run_file), "--out", str(work / "out"), "--jobs", "2"])
    return work / "out" / "t", code, run_file


@pytest.fixture
def in_ci() -> bool:
    return bool(os.environ.get("CI"))


__all__ = ["write_run_file", "shutil"]
