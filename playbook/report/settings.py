"""The run's settings as the reports show them: formatted values, masked secrets, a table."""
from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime

from .labels import LABELS, check_language

_URL_PASSWORD_RE = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)
_SECRET_KEY_RE = re.compile(r"pass(word)?|secret|token|api[_-]?key|credential", re.IGNORECASE)


def format_value(value: object) -> str:
    """A value as text: ``—`` for None, ISO dates, comma-joined lists, JSON for mappings."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=False)
    return str(value)


def _shown_value(key: object, value: object) -> str:
    """A setting as the report shows it: secrets and passwords inside URLs are masked."""
    if value is not None and _SECRET_KEY_RE.search(str(key)):
        return "***"
    return _URL_PASSWORD_RE.sub(r"\g<head>***@", format_value(value))


def settings_table_html(settings: Mapping[str, object], language: str = "zh") -> str:
    """The run's settings as an escaped two-column HTML table under a heading in `language`.

    Values of keys that look like secrets, and passwords inside URLs, are shown as ``***``.
    """
    labels = LABELS[check_language(language)]
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
