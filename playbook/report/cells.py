"""Preparing a stage notebook's cells for a report.

Cells are dropped by tag (``parameters``, ``remove-cell``, ``interactive-only``) or by language
(markdown tagged ``lang-zh`` / ``lang-en``), the ``injected-parameters`` cell becomes the
settings table, papermill's error markers become banners, and outputs are cleaned of stderr,
JavaScript and widgets.
"""
from __future__ import annotations

import copy
import html
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .labels import LABELS

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


def raw_html_cell(source: str) -> NotebookNode:
    """A raw cell the template passes through as our own HTML."""
    return nbformat.v4.new_raw_cell(
        source, metadata={"raw_mimetype": "text/html", "playbook_html": True}
    )


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
    labels = LABELS[language]
    if 'id="papermill-error-cell"' in cell.get("source", ""):
        return raw_html_cell(
            f'<div class="pb-failed" id="{anchor}">{html.escape(labels["failed_here"])}</div>'
        )
    return raw_html_cell(
        f'<div class="pb-failed"><a href="#{anchor}">'
        f'{html.escape(labels["failed_banner"])}</a></div>'
    )


def report_cells(
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
                cells.append(raw_html_cell(settings_html or ""))
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
        cells.insert(0, raw_html_cell(settings_html or ""))
    return cells


def _other_language(tags: set[str], language: str) -> bool:
    """Narrative is written in both languages, tagged ``lang-zh`` / ``lang-en``: keep the run's."""
    langs = {t.removeprefix("lang-") for t in tags if t.startswith("lang-")}
    return bool(langs) and language not in langs


def read_notebook(nb_path: Path) -> NotebookNode:
    """An executed notebook, read as nbformat 4."""
    return nbformat.read(str(nb_path), as_version=4)


def papermill_parameters(nb: NotebookNode) -> dict[str, object]:
    """The parameters papermill recorded in the notebook's metadata."""
    return dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})


def report_metadata(nb: NotebookNode) -> NotebookNode:
    """The notebook's metadata for the report: without widget state, papermill's and a title."""
    meta = copy.deepcopy(nb.metadata)
    for key in ("widgets", "papermill", "title"):
        meta.pop(key, None)
    return meta
