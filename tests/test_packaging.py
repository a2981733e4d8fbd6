"""pyproject.toml and environment.yml name the same dependencies with the same lower bounds."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"psycopg[binary]": "psycopg", "dask[distributed]": "dask"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(>=\s*[\w.]+)?", req.strip())
    assert m, req
    return m[1].lower(), (m[2] or "").replace(" ", "")


def test_environment_mirrors_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {CONDA_NAMES.get(n, n): v for n, v in map(_split, project["dependencies"])}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str) and d != "pip")
    assert conda.pop("python") == ">=" + project["requires-python"].lstrip(">=")
    assert conda == pins
    assert all(v.startswith(">=") for v in pins.values()), "every dependency pins a lower bound"


def test_ci_calls_make_test_and_readme_opens_with_commands():
    assert "make test" in (REPO / ".ci" / "run").read_text()
    head = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[:15]
    assert any("make demo" in ln for ln in head) and any("make test" in ln for ln in head)


def test_makefile_has_the_targets():
    text = (REPO / "Makefile").read_text()
    for target in ("help", "demo", "test", "lab", "bench", "lint"):
        assert re.search(rf"^{target}:.*## ", text, re.M), target


def test_builtin_rulebook_is_the_params_one():
    """The installed package carries the default rulebook; params/ holds the editable copy."""
    packaged = REPO / "playbook" / "resources" / "strategies.yaml"
    assert packaged.read_bytes() == (REPO / "params" / "strategies.yaml").read_bytes()
