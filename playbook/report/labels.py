"""Page labels of the reports in the two languages a run can be written in (zh, en)."""
from __future__ import annotations

from playbook.errors import ParameterError

LANGUAGES = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
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


def check_language(language: str) -> str:
    """Return `language` if it is one of `LANGUAGES`, else raise ParameterError."""
    if language not in LANGUAGES:
        raise ParameterError("language", "one of 'zh', 'en'", language)
    return language
