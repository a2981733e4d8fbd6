"""Self-contained HTML reports from executed stage notebooks (nbconvert 7, lab template).

Pages hide code and prompts, show the run's settings as a table, embed their images and load
nothing from the network: the template in ``playbook/templates/playbook_html`` drops the blocks of
nbconvert's lab template that pull require.js, MathJax, Mermaid and the widgets manager from a
CDN, widget state and JavaScript outputs are removed before export, and every page is checked
with `assert_offline` before it is written.

Four pages:

- `render_stage`: one executed stage notebook.
- `render_unit_report`: a unit's stage notebooks joined into one page with a table of contents.
- `render_index`: the run's index (unit x stage grid of statuses, times and links).
- `render_run_summary`: the run's management summary (one column per unit), and
  `executive_summary_html`, the one-screen summary on top of a unit's report (`summary`).

The exporter and the stylesheet are built once per process.

Modules: `labels` (zh/en page labels), `offline` (the offline check and the checked write),
`settings` (the settings table), `cells` (preparing a notebook's cells), `exporter` (nbconvert
exporter, template and stylesheet), `pages` (stage and unit pages), `index_page` (the index),
`summary` (top findings, executive and management summaries).
"""
from __future__ import annotations

from .cells import INJECTED_TAG as INJECTED_TAG
from .cells import PAPERMILL_ERROR_TAG as PAPERMILL_ERROR_TAG
from .cells import REMOVE_CELL_TAGS as REMOVE_CELL_TAGS
from .cells import REMOVE_OUTPUT_TAGS as REMOVE_OUTPUT_TAGS
from .cells import WIDGET_STATE_MIME as WIDGET_STATE_MIME
from .cells import WIDGET_VIEW_MIME as WIDGET_VIEW_MIME
from .exporter import TEMPLATE_DIR as TEMPLATE_DIR
from .exporter import TEMPLATE_NAME as TEMPLATE_NAME
from .index_page import render_index
from .labels import LANGUAGES
from .offline import assert_offline
from .pages import render_stage, render_unit_report
from .settings import settings_table_html
from .summary import (
    executive_summary_html,
    flag_theme,
    read_unit_findings,
    render_run_summary,
    top_findings,
    unit_kpis,
)

__all__ = [
    "LANGUAGES",
    "assert_offline",
    "executive_summary_html",
    "flag_theme",
    "read_unit_findings",
    "render_index",
    "render_run_summary",
    "render_stage",
    "render_unit_report",
    "settings_table_html",
    "top_findings",
    "unit_kpis",
]
