"""Tests for playbook.report: offline HTML pages from executed notebooks, unit report, index."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from playbook.errors import ParameterError
from playbook.report import (
    assert_offline,
    render_index,
    render_stage,
    render_unit_report,
    settings_table_html,
)

TITLE = "01 收集 · 华东 · 2026Q3"
PARAMS = {"region": "华东", "period": "2026Q3", "note": "<b>&x"}


def _tagged(cell, *tags: str):
    cell.metadata["tags"] = list(tags)
    return cell


def _stage_notebook() -> nbformat.NotebookNode:
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _tagged(code('region = "DEFAULT_REGION_MARKER"\nperiod = "2026Q1"'), "parameters"),
        _tagged(code('region = "华东"\nperiod = "2026Q3"\nnote = "<b>&x"'), "injected-parameters"),
        md("# 01 收集\n\n## 数据概览\n\n本阶段读取客户数据。"),
        code(
            "import pandas as pd\n"
            'pd.DataFrame({"客户": ["甲", "乙"], "金额": [1200.5, 88.25]})'
        ),
        code(
            "import matplotlib\n"
            "import matplotlib.pyplot as plt\n"
            "from playbook.fonts import use_cjk_font\n"
            "use_cjk_font()\n"
            "fig, ax = plt.subplots(figsize=(3, 2))\n"
            'ax.bar(["华东", "华南"], [3, 2])\n'
            'ax.set_title("客户复盘")\n'
            "plt.show()"
        ),
        md("## 小结"),
        code('SECRET_CODE_MARKER = 41\nprint("answer", SECRET_CODE_MARKER + 1)'),
        _tagged(code('print("REMOVED_CELL_OUTPUT")'), "remove-cell"),
        _tagged(code('print("INTERACTIVE_ONLY_OUTPUT")'), "interactive-only"),
        code('import warnings\nwarnings.warn("STDERR_NOISE")'),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """The stage notebook executed once with nbclient, papermill metadata added."""
    from nbclient import NotebookClient

    from playbook.kernels import IPCKernelManager

    folder = tmp_path_factory.mktemp("stage")
    nb = _stage_notebook()
    NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}},
        kernel_manager_class=IPCKernelManager,
    ).execute()
    nb.metadata["papermill"] = {"parameters": dict(PARAMS)}
    path = folder / "01_collect.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def stage_page(executed: Path, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("html") / "01_collect.html"
    assert render_stage(executed, out, title=TITLE) == out
    return out.read_text(encoding="utf-8")


def _failed_notebook(path: Path) -> Path:
    """A notebook as papermill leaves it when a cell raised (built by hand: no kernel needed)."""
    nb = nbformat.v4.new_notebook()
    ok = nbformat.v4.new_code_cell("print('before')")
    ok.outputs = [nbformat.v4.new_output("stream", name="stdout", text="before the failure\n")]
    bad = nbformat.v4.new_code_cell("load()")
    bad.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="MissingColumnError",
            evalue="orders.csv needs column 'amount'",
            traceback=[
                "\x1b[0;31m----------------------------------\x1b[0m",
                "\x1b[0;31mMissingColumnError\x1b[0m: orders.csv needs column 'amount' <here>",
            ],
        )
    ]
    hidden = _tagged(nbformat.v4.new_code_cell("boom()"), "remove-cell")
    hidden.outputs = [
        nbformat.v4.new_output(
            "error", ename="HiddenCellError", evalue="x", traceback=["HIDDEN_CELL_TRACEBACK"]
        )
    ]
    style = 'style="color:red; font-size:2em;"'
    banner = _tagged(
        nbformat.v4.new_markdown_cell(
            f"<span {style}>An Exception was encountered at "
            "'<a href=\"#papermill-error-cell\">In [2]</a>'.</span>"
        ),
        "papermill-error-cell-tag",
    )
    here = _tagged(
        nbformat.v4.new_markdown_cell(
            f'<span id="papermill-error-cell" {style}>Execution using papermill encountered an '
            "exception here and stopped:</span>"
        ),
        "papermill-error-cell-tag",
    )
    nb.cells = [banner, ok, here, bad, hidden]
    nbformat.write(nb, str(path))
    return path


def _widget_notebook(path: Path) -> Path:
    model = "6f0b8d0e2c7d4a52b1b5d3a0f1c2e3d4"
    view = {"model_id": model, "version_major": 2, "version_minor": 0}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("w.IntSlider()")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": view,
                "text/plain": "IntSlider(value=0)",
            },
        )
    ]
    explorer = _tagged(nbformat.v4.new_code_cell("interact(f)"), "interactive-only")
    explorer.outputs = [nbformat.v4.new_output("stream", name="stdout", text="EXPLORER_TEXT\n")]
    static = nbformat.v4.new_markdown_cell("Static equivalent: 静态表格")
    nb.cells = [cell, explorer, static]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {model: {"model_name": "IntSliderModel", "state": {"value": 0}}},
            "version_major": 2,
            "version_minor": 0,
        }
    }
    nbformat.write(nb, str(path))
    return path


# ---------------------------------------------------------------------------- assert_offline


@pytest.mark.parametrize(
    ("snippet", "offender"),
    [
        (
            '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js">',
            'src="https://cdnjs.cloudflare.com/ajax/libs/require.js',
        ),
        ('<link rel="stylesheet" href="http://example.org/a.css">', 'href="http://example.org/a.css"'),
        ("<link href='//fonts.example.org/css'>", "href='//fonts.example.org/css'"),
        ("<style>@import url(https://fonts.example.org/x.css);</style>", "@import url(https://fonts"),
        ("<div style=\"background: url('http://example.org/bg.png')\"></div>", "url('http://example.org"),
        ("<img src=https://example.org/logo.png>", "src=https://example.org/logo.png"),
    ],
)
def test_assert_offline_rejects_network_references(snippet: str, offender: str) -> None:
    page = f"<html><body><p>ok</p>{snippet}</body></html>"
    with pytest.raises(ValueError, match="not self-contained") as info:
        assert_offline(page)
    message = str(info.value)
    assert offender in message
    assert f"character {page.index(offender)}:" in message


def test_assert_offline_names_the_first_offender() -> None:
    page = '<img src="data:image/png;base64,AAAA"><script src="https://a.example/1.js"></script>' \
           '<script src="https://b.example/2.js"></script>'
    with pytest.raises(ValueError, match="a.example"):
        assert_offline(page)


def test_assert_offline_accepts_embedded_and_local_content() -> None:
    assert_offline(
        '<img src="data:image/png;base64,iVBORw0KGgo="><a href="#stage-1">1</a>'
        '<a href="%E5%8D%8E%E4%B8%9C/report.html">r</a><p>see https://example.org later</p>'
        "<style>.x { background: url(data:image/svg+xml;base64,PHN2Zz4=); }</style>"
    )


# ---------------------------------------------------------------------------- render_stage


def test_stage_page_has_title_and_h1(stage_page: str) -> None:
    assert f"<title>{TITLE}</title>" in stage_page
    assert re.search(rf'<h1 class="pb-title">{re.escape(TITLE)}</h1>', stage_page)
    assert '<html lang="zh">' in stage_page


def test_stage_page_shows_settings_table_escaped(stage_page: str) -> None:
    assert stage_page.count("运行参数") == 1
    assert "<tr><th>region</th><td>华东</td></tr>" in stage_page
    assert "<tr><th>period</th><td>2026Q3</td></tr>" in stage_page
    assert "<td>&lt;b&gt;&amp;x</td>" in stage_page
    assert "<b>&x" not in stage_page
    # the settings table stands where the injected-parameters cell was: before the first heading
    assert stage_page.index("运行参数") < stage_page.index("数据概览")


def test_stage_page_hides_code_prompts_and_removed_cells(stage_page: str) -> None:
    assert "SECRET_CODE_MARKER" not in stage_page
    assert "answer 42" in stage_page  # the cell's output is shown
    assert "DEFAULT_REGION_MARKER" not in stage_page
    assert "REMOVED_CELL_OUTPUT" not in stage_page
    assert "INTERACTIVE_ONLY_OUTPUT" not in stage_page
    assert "STDERR_NOISE" not in stage_page
    assert "In&nbsp;[" not in stage_page
    assert re.search(r">\s*Out\[", stage_page) is None
    assert "import pandas" not in stage_page


def test_stage_page_embeds_outputs(stage_page: str) -> None:
    assert stage_page.count('src="data:image/png;base64,') == 1
    assert re.search(r"<img[^>]+src=\"(?!data:)", stage_page) is None
    assert 'class="dataframe"' in stage_page
    assert "<td>1200.50</td>" in stage_page
    assert "本阶段读取客户数据。" in stage_page


def test_stage_page_is_offline(stage_page: str) -> None:
    assert_offline(stage_page)
    assert '<script src="http' not in stage_page
    assert '<link href="http' not in stage_page
    assert "cdnjs" not in stage_page
    assert "mathjax" not in stage_page.lower()
    assert "<script" not in stage_page


def test_stage_page_in_english_with_given_settings(executed: Path, tmp_path: Path) -> None:
    out = render_stage(
        executed, tmp_path / "en.html", title="01 Collect", settings={"top_n": 10}, language="en"
    )
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "Run settings" in page and "运行参数" not in page
    assert "<tr><th>top_n</th><td>10</td></tr>" in page
    assert "<th>region</th>" not in page


def test_failed_notebook_keeps_its_errors_visible(tmp_path: Path) -> None:
    nb_path = _failed_notebook(tmp_path / "02_clean.ipynb")
    page = render_stage(nb_path, tmp_path / "02_clean.html", title="02").read_text("utf-8")
    assert "before the failure" in page
    assert "MissingColumnError" in page
    assert "orders.csv needs column 'amount' &lt;here&gt;" in page
    assert "HIDDEN_CELL_TRACEBACK" in page  # a removed cell's error is still shown
    assert "boom()" not in page and "load()" not in page
    # papermill's markers become a banner linking to the failing place
    assert '<a href="#pb-error">本阶段运行出错，未能完成：查看错误信息</a>' in page
    assert page.index('id="pb-error"') < page.index("MissingColumnError")
    assert "papermill encountered" not in page
    assert_offline(page)


def test_widget_output_does_not_pull_unpkg(tmp_path: Path) -> None:
    nb_path = _widget_notebook(tmp_path / "05_explore.ipynb")
    page = render_stage(nb_path, tmp_path / "05.html", title="05").read_text("utf-8")
    assert "unpkg" not in page
    assert "widget-state" not in page and "widget-view" not in page
    assert "<script" not in page
    assert "EXPLORER_TEXT" not in page
    assert "IntSlider" not in page
    assert "静态表格" in page
    assert_offline(page)


def test_remote_image_in_markdown_is_refused(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("![logo](https://example.org/logo.png)")]
    nb_path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(nb_path))
    with pytest.raises(ValueError, match="example.org/logo.png"):
        render_stage(nb_path, tmp_path / "x.html", title="x")
    assert not (tmp_path / "x.html").exists()


def test_unknown_language_is_a_parameter_error(executed: Path, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="The 'language' parameter must be one of"):
        render_stage(executed, tmp_path / "x.html", title="x", language="fr")


def test_settings_table_formats_values() -> None:
    table = settings_table_html(
        {"units": ["华东", "华南"], "min": 0.5, "flag": True, "none": None, "map": {"a": 1}}, "en"
    )
    assert "<tr><th>units</th><td>华东, 华南</td></tr>" in table
    assert "<tr><th>min</th><td>0.5</td></tr>" in table
    assert "<tr><th>flag</th><td>true</td></tr>" in table
    assert "<tr><th>none</th><td>—</td></tr>" in table
    assert "<tr><th>map</th><td>{&quot;a&quot;: 1}</td></tr>" in table


def test_settings_table_masks_secrets() -> None:
    table = settings_table_html(
        {
            "db": "postgresql://analyst:s3cr3t@db.internal:5432/crm",
            "sources": {"orders": {"url": "mysql://u:pw@h/db", "table": "orders"}},
            "api_token": "abc123",
            "plain": "https://user@example.org/x",
        }
    )
    assert "s3cr3t" not in table and "pw@" not in table and "abc123" not in table
    assert "<td>postgresql://analyst:***@db.internal:5432/crm</td>" in table
    assert "mysql://u:***@h/db" in table
    assert "<tr><th>api_token</th><td>***</td></tr>" in table
    assert "<td>https://user@example.org/x</td>" in table


# ---------------------------------------------------------------------------- unit report


def test_unit_report_joins_stages_with_toc(executed: Path, tmp_path: Path) -> None:
    out = tmp_path / "华东" / "report.html"
    render_unit_report(
        [
            ("01 收集", executed),
            ("02 清洗", tmp_path / "华东" / "02_clean.ipynb"),  # never ran
            ("03 分群", executed),
        ],
        out,
        title="华东 · 2026Q3 客户复盘",
        summary_html="<div class='exec'>EXEC_SUMMARY</div>",
    )
    page = out.read_text(encoding="utf-8")
    assert "<title>华东 · 2026Q3 客户复盘</title>" in page
    for n, label in ((1, "01 收集"), (2, "02 清洗"), (3, "03 分群")):
        assert f'<a href="#stage-{n}">{label}</a>' in page
        assert f'<section class="pb-stage" id="stage-{n}">' in page
    assert page.count("阶段未运行") == 1
    assert page.index('id="stage-2"') < page.index("阶段未运行") < page.index('id="stage-3"')
    # settings once, then the summary, then the stages
    assert page.count("运行参数") == 1
    assert "<tr><th>region</th><td>华东</td></tr>" in page
    assert page.index("运行参数") < page.index("EXEC_SUMMARY") < page.index('id="stage-1"')
    # each stage's h2 headings are listed and their ids are unique across stages
    toc = page[page.index('<nav class="pb-toc">') : page.index("</nav>")]
    h2_links = re.findall(r'href="#(stage-\d+-[^"]+)"', toc)
    assert len(h2_links) == 4  # 数据概览 and 小结 in stages 1 and 3
    for anchor in h2_links:
        assert f'<h2 id="{anchor}">' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "SECRET_CODE_MARKER" not in page and "answer 42" in page
    assert page.count('src="data:image/png;base64,') == 2
    assert_offline(page)


def test_unit_report_without_any_notebook(tmp_path: Path) -> None:
    out = render_unit_report(
        [("01 collect", tmp_path / "missing.ipynb")], tmp_path / "r.html", title="R", language="en"
    )
    page = out.read_text(encoding="utf-8")
    assert "stage not run" in page and "Contents" in page
    assert "Run settings" not in page


# ---------------------------------------------------------------------------- index


def _run_record() -> dict:
    return {
        "name": "demo",
        "period": "2026Q3",
        "language": "zh",
        "started": "2026-10-01T08:00:00",
        "finished": "2026-10-01T08:03:05",
        "seconds": 185.0,
        "units": {
            "华东": {
                "dir": "华东",
                "report": "华东/report.html",
                "stages": {
                    "01_collect": {"status": "ok", "seconds": 12.34, "error": None,
                                   "notebook": "华东/01_collect.ipynb",
                                   "html": "华东/01_collect.html"},
                    "02_clean": {"status": "failed", "seconds": 65.0,
                                 "error": "MissingColumnError: needs <amount>\nTraceback line 2",
                                 "notebook": "华东/02_clean.ipynb", "html": None},
                    "03_segment": {"status": "not-run", "seconds": 0.0, "error": None,
                                   "notebook": "华东/03_segment.ipynb", "html": None},
                },
            },
            "north & <co>": {
                "dir": "north & <co>",
                "report": None,
                "stages": {
                    "01_collect": {"status": "up-to-date", "seconds": 0.0, "error": None,
                                   "notebook": "north & <co>/01_collect.ipynb",
                                   "html": "north & <co>/01_collect.html"},
                    "02_clean": {"status": "skipped", "seconds": 0.0, "error": None,
                                 "notebook": "north & <co>/02_clean.ipynb", "html": None},
                },
            },
        },
    }


def test_index_grid_statuses_and_quoted_links(tmp_path: Path) -> None:
    page = render_index(_run_record(), tmp_path / "index.html").read_text("utf-8")
    assert_offline(page)
    assert "<script" not in page
    assert '<a href="%E5%8D%8E%E4%B8%9C/01_collect.html">' in page
    assert '<a href="%E5%8D%8E%E4%B8%9C/report.html">单元报告</a>' in page
    assert '<a href="north%20%26%20%3Cco%3E/01_collect.html">' in page
    assert "<th scope=\"row\">north &amp; &lt;co&gt;</th>" in page
    assert '<td class="st-ok"><span class="badge">成功</span><span class="secs">12.3 s</span>' in page
    assert '<td class="st-up-to-date"><span class="badge">已是最新</span>' in page
    assert '<td class="st-skipped"><span class="badge">跳过</span></td>' in page  # no "0.0 s"
    assert "<dd>成功: 1, 已是最新: 1, 跳过: 1, 失败: 1, 未运行: 1</dd>" in page
    assert page.count('<td class="st-not-run">') == 2  # 03_segment ran nowhere for north
    assert "summary.html" not in page
    assert "3 min 05 s" in page


def test_index_failure_links_notebook_and_first_error_line(tmp_path: Path) -> None:
    page = render_index(_run_record(), tmp_path / "index.html").read_text("utf-8")
    cell = re.search(r'<td class="st-failed">(.*?)</td>', page, re.DOTALL).group(1)
    assert '<span class="badge">失败</span><span class="secs">1 min 05 s</span>' in cell
    assert '<a href="%E5%8D%8E%E4%B8%9C/02_clean.ipynb">' in cell
    assert ">MissingColumnError: needs &lt;amount&gt;</div>" in cell
    assert ">Traceback line 2" not in cell


def test_index_links_summary_when_present_and_speaks_english(tmp_path: Path) -> None:
    (tmp_path / "summary.html").write_text("<html></html>", encoding="utf-8")
    page = render_index(_run_record(), tmp_path / "index.html", language="en").read_text("utf-8")
    assert '<a href="summary.html">Management summary</a>' in page
    assert '<span class="badge">failed</span>' in page
    assert "<th>Unit</th>" in page
    assert '<html lang="en">' in page
