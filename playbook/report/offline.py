"""The offline check every report page passes before it is written, and the checked write."""
from __future__ import annotations

import os
import re
from pathlib import Path

_OFFLINE_PATTERNS = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//)"""
    r"""|(?:\burl\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def assert_offline(html_text: str) -> None:
    """Raise ValueError if the page would load something from the network.

    Looks for ``src="http…"``, ``href="http…"`` (also protocol-relative ``//host`` forms),
    ``@import url(http…`` and ``url(http…`` in the markup and inline stylesheets, and names the
    first offending occurrence with its position.
    """
    match = _OFFLINE_PATTERNS.search(html_text)
    if match is None:
        return
    start = match.start()
    end = min(len(html_text), match.end() + 80)
    snippet = html_text[start:end].split(">", 1)[0].splitlines()[0]
    raise ValueError(
        f"The page is not self-contained: it refers to the network at character {start}: "
        f"{snippet} . Reports must embed everything they show."
    )


def write_page(page: str, html_path: Path) -> Path:
    """Check `page` with `assert_offline`, then write it to `html_path` atomically."""
    assert_offline(page)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path
