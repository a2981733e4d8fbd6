"""The report pages built from executed notebooks.

- `render_stage`: one executed stage notebook.
- `render_unit_report`: a unit's stage notebooks joined into one page with a table of contents.
"""
from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .cells import (
    papermill_parameters,
    raw_html_cell,
    read_notebook,
    report_cells,
    report_metadata,
)
from .exporter import export
from .labels import LABELS, check_language
from .offline import write_page
from .settings import settings_table_html


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
    check_language(language)
    nb_path = Path(nb_path)
    nb = read_notebook(nb_path)
    values = papermill_parameters(nb) if settings is None else dict(settings)
    table = settings_table_html(values, language) if values else None
    out = nbformat.v4.new_notebook(metadata=report_metadata(nb))
    out.cells = report_cells(nb, table, settings_on_top=True, language=language)
    page = export(out, title=title, language=language, base_dir=nb_path.parent, name=nb_path.stem)
    return write_page(page, Path(html_path))


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
        f'<h2 class="pb-toc-title">{html.escape(LABELS[language]["contents"])}</h2>'
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
    labels = LABELS[check_language(language)]
    notebooks: list[tuple[str, str, NotebookNode | None]] = []
    for i, (label, path) in enumerate(stages, start=1):
        exists = path is not None and Path(path).is_file()
        notebooks.append((f"stage-{i}", str(label), read_notebook(Path(path)) if exists else None))
    present = [nb for _, _, nb in notebooks if nb is not None]
    values = dict(settings) if settings is not None else (
        papermill_parameters(present[0]) if present else {}
    )

    out = nbformat.v4.new_notebook(metadata=report_metadata(present[0]) if present else {})
    cells: list[NotebookNode] = []
    if values:
        cells.append(raw_html_cell(settings_table_html(values, language)))
    cells.append(raw_html_cell(f'<nav class="pb-toc">{_TOC_MARK}</nav>'))
    if summary_html:
        cells.append(raw_html_cell(f'<section class="pb-summary">\n{summary_html}\n</section>'))
    for stage_id, label, nb in notebooks:
        cells.append(
            raw_html_cell(
                f'<section class="pb-stage" id="{stage_id}">\n'
                f'<h2 class="pb-stage-title">{html.escape(label)}</h2>'
            )
        )
        if nb is None:
            cells.append(raw_html_cell(f'<p class="pb-note">{html.escape(labels["not_run"])}</p>'))
        else:
            cells_of_stage = report_cells(
                nb, None, settings_on_top=False, language=language, anchor_prefix=f"{stage_id}-"
            )
            for cell in cells_of_stage:
                if "id" in cell:
                    cell = copy.copy(cell)
                    cell["id"] = f"{stage_id}-{cell['id']}"
                cells.append(cell)
        cells.append(raw_html_cell("</section>"))
    out.cells = cells

    html_path = Path(html_path)
    page = export(
        out, title=title, language=language, base_dir=html_path.parent, name=html_path.stem
    )
    page, headings = _stage_headings(page)
    toc = _toc_html([(sid, label) for sid, label, _ in notebooks], headings, language)
    page = page.replace(_TOC_MARK, toc, 1)
    return write_page(page, html_path)

