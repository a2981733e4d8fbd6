"""Self-contained HTML reports from executed stage notebooks (nbconvert 7, lab template).

Pages hide code and prompts, show the run's settings as a table, embed their images and load
nothing from the network: the template in ``playbook/templates/playbook_html`` drops the blocks of
nbconvert's lab template that pull require.js, MathJax, Mermaid and the widgets manager from a
CDN, widget state and JavaScript outputs are removed before export, and every page is checked
with `assert_offline` before it is written.

Three pages:

- `render_stage`: one executed stage notebook.
- `render_unit_report`: a unit's stage notebooks joined into one page with a table of contents.
- `render_index`: the run's index (unit x stage grid of statuses, times and links).

The exporter and the stylesheet are built once per process.
"""
from __future__ import annotations

import copy
import functools
import html
import json
import math
import os
import re
import threading
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
from nbformat import NotebookNode

from playbook.errors import ParameterError

__all__ = [
    "LANGUAGES",
    "assert_offline",
    "render_index",
    "render_stage",
    "render_unit_report",
    "settings_table_html",
]

LANGUAGES = ("zh", "en")
TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "playbook_html"

#: Cells with one of these tags are left out of reports (``interactive-only``: ipywidgets
#: explorers, whose static equivalents are separate cells).
REMOVE_CELL_TAGS = frozenset({"parameters", "remove-cell", "interactive-only"})
#: Cells with this tag keep only their error outputs.
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})
INJECTED_TAG = "injected-parameters"
#: Tag of the two markdown cells papermill adds to a failed notebook (a banner on top linking
#: to ``#papermill-error-cell``, and the anchor just before the failing cell).
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
_DROPPED_MIMES = (WIDGET_VIEW_MIME, WIDGET_STATE_MIME, "application/javascript")

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "settings": "运行参数",
        "parameter": "参数",
        "value": "取值",
        "contents": "目录",
        "not_run": "阶段未运行",
        "unit": "单元",
        "report": "报告",
        "unit_report": "单元报告",
        "summary": "管理层汇总",
        "period": "期间",
        "language": "语言",
        "started": "开始",
        "finished": "结束",
        "duration": "耗时",
        "notebook": "笔记本",
        "page": "页面",
        "index_title": "运行总览",
        "status_line": "状态统计",
        "ok": "成功",
        "failed": "失败",
        "skipped": "跳过",
        "up-to-date": "已是最新",
        "not-run": "未运行",
        "failed_banner": "本阶段运行出错，未能完成：查看错误信息",
        "failed_here": "运行在此处出错并停止：",
    },
    "en": {
        "settings": "Run settings",
        "parameter": "Setting",
        "value": "Value",
        "contents": "Contents",
        "not_run": "stage not run",
        "unit": "Unit",
        "report": "Report",
        "unit_report": "Unit report",
        "summary": "Management summary",
        "period": "Period",
        "language": "Language",
        "started": "Started",
        "finished": "Finished",
        "duration": "Duration",
        "notebook": "notebook",
        "page": "page",
        "index_title": "Run overview",
        "status_line": "Statuses",
        "ok": "ok",
        "failed": "failed",
        "skipped": "skipped",
        "up-to-date": "up to date",
        "not-run": "not run",
        "failed_banner": "This stage failed and did not finish: see the error",
        "failed_here": "The run stopped here with an error:",
    },
}

# The part of the stylesheet that belongs to this module: page header, settings table, table of
# contents, stage sections and the index page.
_PB_CSS = """
:root {
  --pb-font: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", -apple-system, "Segoe UI", Roboto,
    "Helvetica Neue", Arial, sans-serif;
  --pb-accent: #1f5fa8;
  --pb-border: #d5dbe3;
  --pb-muted: #5f6b7a;
}
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@page { margin: 0.5in; }
body { font-family: var(--pb-font); }
a.anchor-link { display: none; }
.jp-Collapser { display: none; }
.jp-OutputArea-output pre { line-height: inherit; font-family: inherit; }
.jp-RenderedText pre { color: var(--jp-content-font-color1); font-size: var(--jp-code-font-size); }
@media print { .jp-Cell-inputWrapper, .jp-Cell-outputWrapper { display: block; } }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
.jp-RenderedHTMLCommon { font-family: var(--pb-font); }
.pb-header { border-bottom: 3px solid var(--pb-accent); margin: 24px 0 16px; padding-bottom: 8px; }
.pb-title { font-size: 1.9em; margin: 0; color: #17324d; }
.pb-subtitle { color: var(--pb-muted); margin: 4px 0 0; }
.pb-settings { margin: 12px 0 20px; }
.pb-settings h2, .pb-toc h2 { font-size: 1.05em; color: var(--pb-muted); margin: 0 0 6px; }
table.pb-kv { border-collapse: collapse; font-size: 0.92em; }
table.pb-kv th, table.pb-kv td {
  border: 1px solid var(--pb-border); padding: 4px 10px; text-align: left; vertical-align: top;
}
table.pb-kv th { background: #f3f6f9; font-weight: 600; white-space: nowrap; }
table.pb-kv td { word-break: break-word; }
.pb-toc { background: #f7f9fb; border: 1px solid var(--pb-border); border-radius: 6px;
  padding: 10px 18px; margin: 12px 0 24px; }
.pb-toc ol { margin: 0; padding-left: 1.4em; }
.pb-toc ul { margin: 2px 0 4px; padding-left: 1.2em; font-size: 0.92em; }
.pb-toc a { color: var(--pb-accent); text-decoration: none; }
.pb-toc a:hover { text-decoration: underline; }
.pb-summary { margin: 16px 0 28px; }
.pb-stage { margin-top: 36px; }
h2.pb-stage-title { background: #eef3f9; border-left: 6px solid var(--pb-accent);
  padding: 8px 12px; margin: 0 0 12px; font-size: 1.45em; }
.pb-note { color: var(--pb-muted); font-style: italic; padding: 6px 12px; }
.pb-failed { color: #a4262c; background: #fff5f5; border: 1px solid #f1b9bb; border-radius: 6px;
  padding: 8px 12px; margin: 10px 0; font-weight: 600; }
.pb-failed a { color: #a4262c; }
.jp-RenderedHTMLCommon table { font-size: 0.92em; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
@media print { .pb-toc { break-after: page; } .pb-stage { break-before: page; } }
"""

_INDEX_CSS = """
body { font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
  "WenQuanYi Micro Hei", -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1d2733; margin: 0; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
header { border-bottom: 3px solid #1f5fa8; margin: 24px 0 16px; padding-bottom: 8px; }
h1 { font-size: 1.8em; margin: 0; color: #17324d; }
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

_OFFLINE_PATTERNS = re.compile(
    r"""(?:\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//)"""
    r"""|(?:\burl\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)

_LOCK = threading.Lock()

#: Stage statuses of run.json, in the order the index counts them.
_STATUSES = ("ok", "up-to-date", "skipped", "failed", "not-run")


# --------------------------------------------------------------------------------------------
# checks and small helpers


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


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ParameterError("language", "one of 'zh', 'en'", language)
    return language


def _format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_format_value(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=False)
    return str(value)


_URL_PASSWORD_RE = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)
_SECRET_KEY_RE = re.compile(r"pass(word)?|secret|token|api[_-]?key|credential", re.IGNORECASE)


def _shown_value(key: object, value: object) -> str:
    """A setting as the report shows it: secrets and passwords inside URLs are masked."""
    if value is not None and _SECRET_KEY_RE.search(str(key)):
        return "***"
    return _URL_PASSWORD_RE.sub(r"\g<head>***@", _format_value(value))


def settings_table_html(settings: Mapping[str, object], language: str = "zh") -> str:
    """The run's settings as an escaped two-column HTML table under a heading in `language`.

    Values of keys that look like secrets, and passwords inside URLs, are shown as ``***``.
    """
    labels = _LABELS[_check_language(language)]
    rows = "\n".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(_shown_value(key, value))}</td></tr>"
        for key, value in settings.items()
    )
    return (
        '<section class="pb-settings">\n'
        f'<h2 class="pb-settings-title">{html.escape(labels["settings"])}</h2>\n'
        '<table class="pb-kv">\n'
        f'<thead><tr><th>{html.escape(labels["parameter"])}</th>'
        f'<th>{html.escape(labels["value"])}</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</section>"
    )


def _raw_html_cell(source: str) -> NotebookNode:
    return nbformat.v4.new_raw_cell(
        source, metadata={"raw_mimetype": "text/html", "playbook_html": True}
    )


def _write_page(page: str, html_path: Path) -> Path:
    assert_offline(page)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, html_path)
    return html_path


# --------------------------------------------------------------------------------------------
# exporter (built once per process)


@functools.cache
def _page_css() -> Any:
    """Lab's stylesheet (light theme) plus ours, as one Markup block; read from disk once."""
    import markupsafe
    from jinja2 import TemplateNotFound

    env = _exporter().environment
    parts = []
    for name in ("static/index.css", "static/theme-light.css"):
        try:  # found the way the lab template's include_css finds them
            parts.append(env.loader.get_source(env, name)[0])
        except TemplateNotFound:  # pragma: no cover - nbconvert installs both
            continue
    parts.append(_PB_CSS)
    return markupsafe.Markup("".join(f'<style type="text/css">\n{css}\n</style>\n' for css in parts))


@functools.cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        sanitize_html=False,
        theme="light",
        require_js_url="",
        mathjax_url="",
        jupyter_widgets_base_url="",
        widget_renderer_url="",
    )
    exporter.mermaid_js_url = ""
    exporter.mermaid_layout_elk_js_url = ""
    return exporter


def _export(nb: NotebookNode, *, title: str, language: str, base_dir: Path, name: str) -> str:
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": name, "path": str(base_dir)},
        "playbook": {"title": title, "css": _page_css()},
    }
    exporter = _exporter()
    with _LOCK:
        exporter.language_code = language
        page, _ = exporter.from_notebook_node(nb, resources=resources)
    return page


# --------------------------------------------------------------------------------------------
# preparing notebooks


def _tags(cell: NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _clean_output(output: NotebookNode) -> NotebookNode | None:
    """The output as a report shows it, or None to drop it.

    Drops stderr streams (warnings and logs are for the executed notebook, not the report),
    JavaScript and widget views (a widget's text fallback is only its repr).
    """
    kind = output.get("output_type")
    if kind == "stream":
        return output if output.get("name") != "stderr" else None
    if kind not in ("display_data", "execute_result"):
        return output  # errors stay
    data = output.get("data", {})
    if WIDGET_VIEW_MIME in data:
        return None
    if not any(mime in data for mime in _DROPPED_MIMES):
        return output
    kept = {k: v for k, v in data.items() if k not in _DROPPED_MIMES}
    if not kept:
        return None
    output = copy.copy(output)
    output["data"] = nbformat.from_dict(kept)
    return output


def _papermill_error_cell(cell: NotebookNode, language: str, anchor: str) -> NotebookNode:
    """Our own version of papermill's error marker cells (mistune mangles their inline HTML)."""
    labels = _LABELS[language]
    if 'id="papermill-error-cell"' in cell.get("source", ""):
        return _raw_html_cell(
            f'<div class="pb-failed" id="{anchor}">{html.escape(labels["failed_here"])}</div>'
        )
    return _raw_html_cell(
        f'<div class="pb-failed"><a href="#{anchor}">'
        f'{html.escape(labels["failed_banner"])}</a></div>'
    )


def _report_cells(
    nb: NotebookNode,
    settings_html: str | None,
    *,
    settings_on_top: bool,
    language: str,
    anchor_prefix: str = "",
) -> list[NotebookNode]:
    """The notebook's cells as the report shows them.

    Drops cells tagged `REMOVE_CELL_TAGS`, and markdown tagged for the other language
    (``lang-zh`` / ``lang-en``); drops (a dropped code cell's error outputs are kept, so a
    failure never disappears) and code cells left without output, replaces the ``injected-parameters`` cell by `settings_html`
    (or puts it on top when there is no such cell and `settings_on_top`), replaces papermill's
    error markers by a banner linking to ``{anchor_prefix}pb-error``, and cleans outputs.
    """
    cells: list[NotebookNode] = []
    placed = settings_html is None
    for cell in nb.cells:
        tags = _tags(cell)
        if INJECTED_TAG in tags:
            if not placed:
                cells.append(_raw_html_cell(settings_html or ""))
                placed = True
            continue
        if PAPERMILL_ERROR_TAG in tags:
            cells.append(_papermill_error_cell(cell, language, f"{anchor_prefix}pb-error"))
            continue
        if cell.get("cell_type") != "code":
            if not tags & REMOVE_CELL_TAGS and not _other_language(tags, language):
                cells.append(cell)
            continue
        outputs = [out for out in map(_clean_output, cell.get("outputs", [])) if out is not None]
        if tags & (REMOVE_CELL_TAGS | REMOVE_OUTPUT_TAGS):
            outputs = [out for out in outputs if out.get("output_type") == "error"]
        if not outputs:
            continue  # without its code, a cell with no output shows nothing
        new = copy.copy(cell)
        new["outputs"] = outputs
        cells.append(new)
    if not placed and settings_on_top:
        cells.insert(0, _raw_html_cell(settings_html or ""))
    return cells


def _other_language(tags: set[str], language: str) -> bool:
    """Narrative is written in both languages, tagged ``lang-zh`` / ``lang-en``: keep the run's."""
    langs = {t.removeprefix("lang-") for t in tags if t.startswith("lang-")}
    return bool(langs) and language not in langs


def _read(nb_path: Path) -> NotebookNode:
    return nbformat.read(str(nb_path), as_version=4)


def _parameters(nb: NotebookNode) -> dict[str, object]:
    return dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})


def _report_metadata(nb: NotebookNode) -> NotebookNode:
    meta = copy.deepcopy(nb.metadata)
    for key in ("widgets", "papermill", "title"):
        meta.pop(key, None)
    return meta


# --------------------------------------------------------------------------------------------
# pages


def render_stage(
    nb_path: Path,
    html_path: Path,
    *,
    title: str,
    settings: dict[str, object] | None = None,
    language: str = "zh",
) -> Path:
    """Render one executed stage notebook to a self-contained HTML page; return `html_path`.

    No code and no prompts; cells tagged ``parameters``, ``remove-cell`` and
    ``interactive-only`` are left out; the ``injected-parameters`` cell becomes a table of
    `settings` (default: the parameters papermill recorded). Error outputs stay visible. The page
    title and the H1 on top are `title`. Raises ValueError if the page would load anything from
    the network (see `assert_offline`).
    """
    _check_language(language)
    nb_path = Path(nb_path)
    nb = _read(nb_path)
    values = _parameters(nb) if settings is None else dict(settings)
    table = settings_table_html(values, language) if values else None
    out = nbformat.v4.new_notebook(metadata=_report_metadata(nb))
    out.cells = _report_cells(nb, table, settings_on_top=True, language=language)
    page = _export(out, title=title, language=language, base_dir=nb_path.parent, name=nb_path.stem)
    return _write_page(page, Path(html_path))


_HEADING_RE = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_ANCHOR_RE = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_STAGE_OPEN_RE = re.compile(r'<section class="pb-stage" id="(stage-\d+)">')
_TOC_MARK = "<!--PB-TOC-->"


def _stage_headings(page: str) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """Prefix each stage's heading ids with its section id (stages often share heading texts)
    and collect the (id, text) of its h2 headings."""
    found: dict[str, list[tuple[str, str]]] = {}
    opens = list(_STAGE_OPEN_RE.finditer(page))
    pieces = [page[: opens[0].start()] if opens else page]
    for i, match in enumerate(opens):
        end = opens[i + 1].start() if i + 1 < len(opens) else len(page)
        stage_id = match.group(1)
        headings: list[tuple[str, str]] = []

        def rename(m: re.Match[str], stage_id: str = stage_id, acc: list = headings) -> str:
            level, old, inner = m.group(1), m.group(2), m.group(3)
            new = f"{stage_id}-{old}"
            if level == "2":
                text = html.unescape(_TAG_RE.sub("", _ANCHOR_RE.sub("", inner))).strip()
                acc.append((new, text))
            inner = inner.replace(f'href="#{old}"', f'href="#{new}"')
            return f'<h{level} id="{new}">{inner}</h{level}>'

        pieces.append(_HEADING_RE.sub(rename, page[match.start() : end]))
        found[stage_id] = headings
    return "".join(pieces), found


def _toc_html(
    stages: list[tuple[str, str]], headings: Mapping[str, list[tuple[str, str]]], language: str
) -> str:
    items = []
    for stage_id, label in stages:
        sub = "".join(
            f'<li><a href="#{hid}">{html.escape(text)}</a></li>'  # hid: as serialised already
            for hid, text in headings.get(stage_id, [])
        )
        sub_html = f"<ul>{sub}</ul>" if sub else ""
        items.append(f'<li><a href="#{stage_id}">{html.escape(label)}</a>{sub_html}</li>')
    return (
        f'<h2 class="pb-toc-title">{html.escape(_LABELS[language]["contents"])}</h2>'
        f'<ol>{"".join(items)}</ol>'
    )


def render_unit_report(
    stages: list[tuple[str, Path]],
    html_path: Path,
    *,
    title: str,
    settings: dict[str, object] | None = None,
    language: str = "zh",
    summary_html: str | None = None,
) -> Path:
    """Join a unit's executed stage notebooks into one self-contained page; return `html_path`.

    `stages` is a list of (stage label, executed notebook path). The page has the title, the
    settings table once (default: the first notebook's papermill parameters), a table of contents
    linking each stage section and the h2 headings inside it, `summary_html` (inserted as raw
    HTML), then one section per stage; a notebook that does not exist gets a "stage not run" note.
    Cells are filtered as in `render_stage`; the whole page is exported in one go.
    """
    labels = _LABELS[_check_language(language)]
    notebooks: list[tuple[str, str, NotebookNode | None]] = []
    for i, (label, path) in enumerate(stages, start=1):
        exists = path is not None and Path(path).is_file()
        notebooks.append((f"stage-{i}", str(label), _read(Path(path)) if exists else None))
    present = [nb for _, _, nb in notebooks if nb is not None]
    values = dict(settings) if settings is not None else (_parameters(present[0]) if present else {})

    out = nbformat.v4.new_notebook(metadata=_report_metadata(present[0]) if present else {})
    cells: list[NotebookNode] = []
    if values:
        cells.append(_raw_html_cell(settings_table_html(values, language)))
    cells.append(_raw_html_cell(f'<nav class="pb-toc">{_TOC_MARK}</nav>'))
    if summary_html:
        cells.append(_raw_html_cell(f'<section class="pb-summary">\n{summary_html}\n</section>'))
    for stage_id, label, nb in notebooks:
        cells.append(
            _raw_html_cell(
                f'<section class="pb-stage" id="{stage_id}">\n'
                f'<h2 class="pb-stage-title">{html.escape(label)}</h2>'
            )
        )
        if nb is None:
            cells.append(_raw_html_cell(f'<p class="pb-note">{html.escape(labels["not_run"])}</p>'))
        else:
            cells_of_stage = _report_cells(
                nb, None, settings_on_top=False, language=language, anchor_prefix=f"{stage_id}-"
            )
            for cell in cells_of_stage:
                if "id" in cell:
                    cell = copy.copy(cell)
                    cell["id"] = f"{stage_id}-{cell['id']}"
                cells.append(cell)
        cells.append(_raw_html_cell("</section>"))
    out.cells = cells

    html_path = Path(html_path)
    page = _export(
        out, title=title, language=language, base_dir=html_path.parent, name=html_path.stem
    )
    page, headings = _stage_headings(page)
    toc = _toc_html([(sid, label) for sid, label, _ in notebooks], headings, language)
    page = page.replace(_TOC_MARK, toc, 1)
    return _write_page(page, html_path)


# --------------------------------------------------------------------------------------------
# index page


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
    labels = _LABELS[_check_language(language)]
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
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(_format_value(v))}</dd>"
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
    return _write_page(page, html_path)

