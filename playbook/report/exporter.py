"""The nbconvert HTMLExporter behind the stage and unit pages, and the pages' stylesheet.

The exporter uses the template in ``playbook/templates/playbook_html`` (no code, no prompts,
nothing loaded from a CDN); it and the stylesheet are built once per process, and exports are
serialised because the exporter's language is set per page.
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from .summary import SUMMARY_CSS

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
TEMPLATE_NAME = "playbook_html"

_LOCK = threading.Lock()

# The part of the stylesheet that belongs to the reports: page header, settings table, table of
# contents and stage sections (the index page has its own, in `index_page`).
PB_CSS = """
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
""" + SUMMARY_CSS  # the executive summary on top of the unit report


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
    parts.append(PB_CSS)
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


def export(nb: NotebookNode, *, title: str, language: str, base_dir: Path, name: str) -> str:
    """`nb` as a self-contained HTML page titled `title`, in `language`."""
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
