"""The findings file of each stage: {stage, unit, period, metrics, flags, skipped} (CONTRACT 4)."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

SEVERITIES = ("info", "warning", "critical")


def flag(id: str, severity: str, message: str, **evidence: Any) -> dict[str, Any]:
    """A flag: something the data shows that management must act on."""
    if severity not in SEVERITIES:
        from .errors import ParameterError

        raise ParameterError("severity", " or ".join(SEVERITIES), severity)
    return {"id": id, "severity": severity, "message": message, "evidence": plain(evidence)}


def plain(value: Any) -> Any:
    """Numbers, strings, lists and dicts only: numpy/pandas scalars converted, NaN as null."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_findings(findings_dir: Path, stage: str, unit: str, period: str,
                   metrics: dict[str, Any], flags: list[dict] | None = None,
                   skipped: list[dict | str] | None = None) -> Path:
    findings_dir.mkdir(parents=True, exist_ok=True)
    doc = {"stage": stage, "unit": unit, "period": period, "metrics": plain(metrics),
           "flags": plain(flags or []), "skipped": plain(skipped or [])}
    path = findings_dir / f"{stage}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def read_findings(findings_dir: Path, stage: str) -> dict[str, Any] | None:
    path = findings_dir / f"{stage}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
