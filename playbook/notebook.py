"""Display helpers for the stage notebooks: plots, tables and narrative in the run's language."""
from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

_READY = False


def setup_display() -> None:
    """Inline PNG plots with a CJK font, seaborn theme, and readable pandas tables."""
    global _READY
    if _READY:
        return
    import matplotlib

    matplotlib.rcParams.update({"figure.dpi": 110, "savefig.dpi": 110, "figure.figsize": (8, 4)})
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    from .fonts import use_cjk_font

    use_cjk_font()
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", lambda v: f"{v:,.2f}")
    _READY = True


def md(text: str):
    """Markdown narrative (the numbers already filled in)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def heading(text: str, level: int = 2):
    md("#" * level + " " + text)


def table(df: pd.DataFrame, caption: str | None = None, max_rows: int = 60,
          formats: dict[str, str] | None = None):
    """Show a frame as an HTML table, every cell and header HTML-escaped, at most max_rows rows."""
    from IPython.display import HTML, display

    shown = df.head(max_rows)
    styler = shown.style
    if not _has_meaningful_index(shown):
        styler = styler.hide(axis="index")
    else:
        styler = styler.format_index(escape="html", axis=0)
    styler = styler.format_index(escape="html", axis=1)
    styler = styler.format(formats or {}, precision=2, thousands=",", na_rep="—", escape="html")
    if caption:
        styler = styler.set_caption(html.escape(caption))
    styler = styler.set_table_attributes('class="pb-table"')
    display(HTML(styler.to_html()))
    if len(df) > max_rows:
        md(f"*… {len(df) - max_rows:,} more rows*")


def _has_meaningful_index(df: pd.DataFrame) -> bool:
    return not isinstance(df.index, pd.RangeIndex)


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def fmt_int(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{int(v):,}"


def fmt_pct(v, digits: int = 1) -> str:
    return "—" if v is None or pd.isna(v) else f"{100 * float(v):.{digits}f}%"


SEVERITY_ICONS = {"critical": "🔴", "warning": "🟠", "info": "🔵"}


def show_flags(ctx) -> None:
    """The flags of ``findings/<ctx.stage>.json`` as a list, most severe first."""
    doc = ctx.findings(ctx.stage) or {"flags": []}
    if not doc["flags"]:
        md(ctx.tr("本阶段没有需要管理层关注的预警。", "No flag for management in this stage."))
        return
    md("\n".join(f"- {SEVERITY_ICONS.get(f['severity'], '')} {f['message']}"
                 for f in doc["flags"]))


def show_missing(ctx, table: str, enables: str) -> None:
    """Say which input table would enable a section the data cannot support."""
    md(ctx.tr(f"*本节需要 `{table}` 数据（见 CONTRACT 第 3 节），本次运行没有提供：{enables}。*",
              f"*This section needs the `{table}` data (CONTRACT section 3), which this run does "
              f"not have: {enables}.*"))


def show_figure(fig) -> None:
    """Lay out a figure and show it in the notebook (the report embeds it as a PNG)."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    plt.show()
