"""The run's index page: a unit x stage grid of statuses, times and links, from run.json."""
from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .labels import LABELS, check_language
from .offline import write_page
from .settings import format_value

#: Stage statuses of run.json, in the order the index counts them.
_STATUSES = ("ok", "up-to-date", "skipped", "failed", "not-run")

#: The look every run-level page shares (index.html, summary.html): fonts, header, title.
PAGE_BASE_CSS = """
body { font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
  "WenQuanYi Micro Hei", -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1d2733; margin: 0; background: #fff; }
header { border-bottom: 3px solid #1f5fa8; margin: 24px 0 16px; padding-bottom: 8px; }
h1 { font-size: 1.8em; margin: 0; color: #17324d; }
"""

_INDEX_CSS = PAGE_BASE_CSS + """
main { max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 10px 0; }
dl.meta dt { color: #5f6b7a; } dl.meta dd { margin: 0; }
p.links a, a { color: #1f5fa8; }
table.grid { border-collapse: collapse; margin-top: 12px; font-size: 0.92em; }
table.grid th, table.grid td { border: 1px solid #d5dbe3; padding: 6px 8px; vertical-align: top; }
table.grid thead th { background: #f3f6f9; white-space: nowrap; }
table.grid tbody th { text-align: left; white-space: nowrap; background: #fafbfc; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 0.85em;
  font-weight: 600; }
.secs { color: #5f6b7a; margin-left: 6px; font-size: 0.85em; }
.cell-links { margin-top: 3px; font-size: 0.85em; }
.cell-links a { margin-right: 8px; }
.error { color: #a4262c; font-size: 0.82em; margin-top: 3px; max-width: 22em;
  word-break: break-word; }
td.st-ok .badge { background: #dff3e4; color: #1b6e34; }
td.st-up-to-date .badge { background: #e1edf9; color: #1f5fa8; }
td.st-failed { background: #fff5f5; }
td.st-failed .badge { background: #fbe0e0; color: #a4262c; }
td.st-skipped .badge { background: #fdf1d8; color: #8a5a00; }
td.st-not-run .badge, td.st-other .badge { background: #eceff3; color: #5f6b7a; }
"""


def _href(target: str | os.PathLike[str], base_dir: Path) -> str:
    """A relative, URL-quoted link from `base_dir` to `target` (relative targets are kept)."""
    path = str(target)
    if os.path.isabs(path):
        path = os.path.relpath(path, base_dir)
    return quote(path.replace(os.sep, "/"), safe="/")


def _format_seconds(seconds: object) -> str:
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return ""
    if not math.isfinite(seconds):
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _first_line(text: object) -> str:
    for line in str(text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def _stage_order(units: Mapping[str, Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for unit in units.values():
        for stage in (unit.get("stages") or {}):
            if stage not in names:
                names.append(stage)
    return sorted(names)


def _link(href: str, text: str, *, title: str | None = None) -> str:
    title_attr = f' title="{html.escape(title)}"' if title else ""
    return f'<a href="{html.escape(href)}"{title_attr}>{html.escape(text)}</a>'


def _stage_cell(info: Mapping[str, Any] | None, labels: Mapping[str, str], base: Path) -> str:
    if not info:
        return f'<td class="st-not-run"><span class="badge">{html.escape(labels["not-run"])}</span></td>'
    status = str(info.get("status") or "not-run")
    css = status if status in _STATUSES else "other"
    parts = [f'<span class="badge">{html.escape(labels.get(status, status))}</span>']
    secs = _format_seconds(info.get("seconds"))
    if secs and (status in ("ok", "failed") or (info.get("seconds") or 0) > 0):
        parts.append(f'<span class="secs">{html.escape(secs)}</span>')
    links = []
    if info.get("html"):
        links.append(_link(_href(info["html"], base), labels["page"]))
    if status == "failed" and info.get("notebook"):
        links.append(_link(_href(info["notebook"], base), labels["notebook"] + " (.ipynb)"))
    if links:
        parts.append(f'<div class="cell-links">{"".join(links)}</div>')
    if info.get("error"):
        line = _first_line(info["error"])
        parts.append(f'<div class="error" title="{html.escape(str(info["error"]))}">'
                     f"{html.escape(line)}</div>")
    return f'<td class="st-{css}">{"".join(parts)}</td>'


def render_index(run: Mapping[str, Any], html_path: Path, *, language: str = "zh") -> Path:
    """Write the run's index page (unit x stage grid) from its run.json record; return the path.

    Each cell shows the stage's status (coloured), its time and links: to the stage page, and for
    a failure to the failed notebook with the error's first line. Each unit links its report;
    ``summary.html`` is linked when it exists next to the page. Links are relative and URL-quoted;
    all text is escaped. No JavaScript.
    """
    labels = LABELS[check_language(language)]
    html_path = Path(html_path)
    base = html_path.parent
    units: Mapping[str, Mapping[str, Any]] = run.get("units") or {}
    stage_names = _stage_order(units)
    name = str(run.get("name") or "")
    period = str(run.get("period") or "")
    title = " · ".join(p for p in (labels["index_title"], name, period) if p)

    meta_rows = [
        (labels["period"], period),
        (labels["language"], run.get("language")),
        (labels["started"], run.get("started")),
        (labels["finished"], run.get("finished")),
        (labels["duration"], _format_seconds(run.get("seconds"))),
    ]
    meta = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(format_value(v))}</dd>"
        for k, v in meta_rows
        if v not in (None, "")
    )
    counts: dict[str, int] = {}
    for unit in units.values():
        for info in (unit.get("stages") or {}).values():
            status = str((info or {}).get("status") or "not-run")
            counts[status] = counts.get(status, 0) + 1
    order = {s: i for i, s in enumerate(_STATUSES)}
    count_text = ", ".join(
        f"{labels.get(k, k)}: {v}"
        for k, v in sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    )
    if count_text:
        meta += (f"<dt>{html.escape(labels['status_line'])}</dt>"
                 f"<dd>{html.escape(count_text)}</dd>")

    top_links = []
    if (base / "summary.html").is_file():
        top_links.append(_link("summary.html", labels["summary"]))

    head = "".join(f"<th>{html.escape(s)}</th>" for s in stage_names)
    rows = []
    for unit_name, unit in units.items():
        report = unit.get("report")
        unit_cell = html.escape(str(unit_name))
        report_cell = _link(_href(report, base), labels["unit_report"]) if report else "—"
        stages = unit.get("stages") or {}
        cells = "".join(_stage_cell(stages.get(s), labels, base) for s in stage_names)
        rows.append(f"<tr><th scope=\"row\">{unit_cell}</th><td>{report_cell}</td>{cells}</tr>")

    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<style type="text/css">{_INDEX_CSS}</style>\n</head>\n<body>\n<main>\n'
        f"<header><h1>{html.escape(title)}</h1></header>\n"
        f'<dl class="meta">{meta}</dl>\n'
        + (f'<p class="links">{" ".join(top_links)}</p>\n' if top_links else "")
        + '<table class="grid">\n'
        f'<thead><tr><th>{html.escape(labels["unit"])}</th><th>{html.escape(labels["report"])}</th>'
        f"{head}</tr></thead>\n"
        f'<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</main>\n</body>\n</html>\n'
    )
    return write_page(page, html_path)

