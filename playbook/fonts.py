"""Find and enable a font with Chinese glyphs for matplotlib, without any network access.

Matplotlib's default DejaVu Sans has no CJK glyphs: a Chinese title renders as boxes and each
character warns "Glyph ... missing from font(s) DejaVu Sans". `use_cjk_font()` finds an installed
font that really covers Chinese text (its character map is checked, names are not trusted),
registers it and puts it first in ``font.sans-serif``. On Debian, ``fonts-wqy-microhei`` provides
one (the Makefile installs it when none is found).
"""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["SAMPLE_TEXT", "covers", "find_cjk_font", "use_cjk_font"]

#: Text a font must cover to count as a Chinese font.
SAMPLE_TEXT = "客户复盘"

#: Well-known Debian/Ubuntu locations, most compact first.
KNOWN_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

#: Name fragments that make a font worth checking before the others (checked, not trusted).
_NAME_HINTS = (
    "cjk", "wqy", "wenquanyi", "hei", "song", "kai", "ming", "yahei", "pingfang",
    "sourcehan", "source han", "droidsansfallback", "fallback", "hiragino", "gothic",
)

_FONT_SUFFIXES = {".ttf", ".ttc", ".otf", ".otc"}

#: Fonts whose character map claims every code point but which draw a box for each: matplotlib
#: 3.10+ ships LastResortHE as its last fallback. Covering the sample text proves nothing here.
_PLACEHOLDER_FONTS = ("lastresort",)

# (path, family) once use_cjk_font() has registered a font, False once it found none,
# None before its first call.
_registered: tuple[Path, str] | bool | None = None


def covers(path: str | Path, text: str = SAMPLE_TEXT) -> bool:
    """Whether the font file at `path` has a glyph for every character of `text`.

    Reads the font's character map with matplotlib's FreeType wrapper; unreadable files are
    reported as not covering.
    """
    from matplotlib import ft2font

    try:
        charmap = ft2font.FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text if not ch.isspace())


def _matplotlib_candidates() -> list[Path]:
    from matplotlib import font_manager

    paths = [Path(entry.fname) for entry in font_manager.fontManager.ttflist]
    hinted = [p for p in paths if any(h in p.name.lower() for h in _NAME_HINTS)]
    return hinted + paths


def _fontconfig_candidates() -> list[Path]:
    """Files fontconfig lists for Chinese (local command, no network); empty without fc-list."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line.strip().rstrip(":")) for line in done.stdout.splitlines() if line.strip()]


def _unique_existing(paths: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        if path in seen or path.suffix.lower() not in _FONT_SUFFIXES:
            continue
        seen.add(path)
        if any(name in path.name.lower() for name in _PLACEHOLDER_FONTS):
            continue
        if path.is_file():
            yield path


def find_cjk_font() -> Path | None:
    """Path of an installed font file that covers Chinese text, or None when there is none.

    Looks at the well-known Debian paths first, then matplotlib's font list (names hinting at
    CJK first), then fontconfig's list for ``:lang=zh``. Each candidate's character map must
    cover ``SAMPLE_TEXT``. Nothing is downloaded.
    """

    def candidates() -> Iterator[Path]:
        yield from (Path(p) for p in KNOWN_PATHS)
        yield from _matplotlib_candidates()
        yield from _fontconfig_candidates()

    for path in _unique_existing(candidates()):
        if covers(path):
            return path
    return None


def _apply_rc(family: str) -> None:
    import matplotlib as mpl

    current = list(mpl.rcParams["font.sans-serif"])
    ordered = [family] + [name for name in current if name != family]
    if "DejaVu Sans" not in ordered:
        ordered.append("DejaVu Sans")
    mpl.rcParams["font.sans-serif"] = ordered
    families = list(mpl.rcParams["font.family"])
    if "sans-serif" not in families and family not in families:
        mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese text; return the font family used, or None if none exists.

    Registers the font found by `find_cjk_font` with matplotlib's font manager once per process,
    then (on every call, so it survives a style reset such as ``seaborn.set_theme``) puts its
    family first in ``rcParams["font.sans-serif"]`` with DejaVu Sans kept as fallback, and sets
    ``axes.unicode_minus`` to False (the CJK fonts lack the Unicode minus sign).
    """
    global _registered
    if _registered is None:
        path = find_cjk_font()
        if path is None:
            _registered = False
        else:
            from matplotlib import font_manager

            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
            _registered = (path, family)
    if not isinstance(_registered, tuple):
        return None
    _apply_rc(_registered[1])
    return _registered[1]
