"""Notebooks are committed without outputs, keep their tags, and stay thin."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_stage_notebooks():
    names = [p.stem for p in NOTEBOOKS]
    assert names[:2] == ["01_collect", "02_clean"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_with_parameters_tag(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    params = "".join(tagged[0]["source"])
    for name in ("run_config", "unit", "unit_dir"):
        assert f"{name} = " in params


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_cells_and_narrative_in_both_languages(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for c in nb["cells"]:
        if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", []):
            lines = [ln for ln in "".join(c["source"]).splitlines() if ln.strip()]
            assert len(lines) <= 4, f"cell too long for a thin notebook: {lines}"
            assert not any(ln.lstrip().startswith(("def ", "class ", "for ")) for ln in lines)
    md_tags = [t for c in nb["cells"] if c["cell_type"] == "markdown"
               for t in c["metadata"].get("tags", [])]
    assert md_tags.count("lang-zh") == md_tags.count("lang-en") > 0
