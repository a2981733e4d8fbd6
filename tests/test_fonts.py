"""Tests for playbook.fonts: a CJK font is found by its glyphs and makes Chinese plots warn-free."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from playbook import fonts  # noqa: E402

DEJAVU = Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture(scope="module")
def cjk_path() -> Path:
    path = fonts.find_cjk_font()
    if path is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    return path


def _draw_chinese_figure() -> list[str]:
    """Draw and save a figure with Chinese title, labels and ticks; return warning messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(3, 2))
        try:
            ax.bar(["华东", "华南", "华北"], [3, -1, 2])
            ax.set_title("客户复盘")
            ax.set_ylabel("净推荐值")
            fig.savefig(io.BytesIO(), format="png")
        finally:
            plt.close(fig)
    return [str(w.message) for w in caught]


def test_covers_checks_the_character_map(cjk_path: Path) -> None:
    assert fonts.covers(cjk_path)
    assert fonts.covers(cjk_path, "华东 客户")
    assert DEJAVU.is_file()
    assert not fonts.covers(DEJAVU)  # Latin font: no 客
    assert fonts.covers(DEJAVU, "Customer")
    assert not fonts.covers(DEJAVU.with_name("no-such-font.ttf"))


def test_find_cjk_font_returns_an_existing_font_file(cjk_path: Path) -> None:
    assert cjk_path.is_file()
    assert cjk_path.suffix.lower() in {".ttf", ".ttc", ".otf", ".otc"}


def test_use_cjk_font_sets_rcparams_and_is_idempotent(cjk_path: Path) -> None:
    with mpl.rc_context({"font.sans-serif": ["Arial", "DejaVu Sans"], "font.family": ["serif"]}):
        family = fonts.use_cjk_font()
        assert family is not None
        again = fonts.use_cjk_font()
        assert again == family
        sans = list(mpl.rcParams["font.sans-serif"])
        assert sans[0] == family
        assert sans.count(family) == 1
        assert sans[1:] == ["Arial", "DejaVu Sans"]
        assert mpl.rcParams["font.family"] == ["sans-serif"]
        assert mpl.rcParams["axes.unicode_minus"] is False
        # the registered family really resolves to the file that was found
        found = mpl.font_manager.findfont(mpl.font_manager.FontProperties(family=family))
        assert Path(found).resolve() == cjk_path.resolve()


def test_use_cjk_font_reapplies_after_a_style_reset(cjk_path: Path) -> None:
    with mpl.rc_context():
        family = fonts.use_cjk_font()
        mpl.rcParams["font.sans-serif"] = ["DejaVu Sans"]  # what a style reset leaves
        assert fonts.use_cjk_font() == family
        assert list(mpl.rcParams["font.sans-serif"]) == [family, "DejaVu Sans"]


def test_chinese_figure_has_no_missing_glyph_warning(cjk_path: Path) -> None:
    with mpl.rc_context():
        assert fonts.use_cjk_font() is not None
        messages = _draw_chinese_figure()
    assert not [m for m in messages if "missing from font" in m]


def test_without_the_cjk_font_glyphs_are_missing() -> None:
    """Control: the warning the test above looks for does occur with DejaVu Sans alone."""
    with mpl.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        messages = _draw_chinese_figure()
    assert any("missing from font" in m for m in messages)


def test_placeholder_fonts_are_never_taken_for_chinese(monkeypatch, tmp_path: Path) -> None:
    """matplotlib 3.10+ ships LastResortHE: its map claims every character, it draws boxes."""
    last_resort = Path(mpl.get_data_path()) / "fonts" / "ttf" / "LastResortHE-Regular.ttf"
    if not last_resort.is_file():
        pytest.skip("this matplotlib ships no LastResort font")
    assert fonts.covers(last_resort)  # why the name check is needed at all
    monkeypatch.setattr(fonts, "KNOWN_PATHS", (str(last_resort),))
    monkeypatch.setattr(fonts, "_matplotlib_candidates", lambda: [last_resort])
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    assert fonts.find_cjk_font() is None
