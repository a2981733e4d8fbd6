"""``_manifest.json``: file hashes, reading it back, and the up-to-date check."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .constants import GENERATOR_VERSION, MANIFEST_NAME, TABLE_ORDER, TRUTH_FILE


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _up_to_date(out: Path, arguments: dict, files: dict[str, str]) -> dict[str, Path] | None:
    manifest = _read_manifest(out)
    if not manifest or manifest.get("version") != GENERATOR_VERSION \
            or manifest.get("arguments") != arguments or manifest.get("files") != files:
        return None
    sizes = manifest.get("bytes", {})
    for name in [*files.values(), TRUTH_FILE]:
        p = out / name
        if not p.is_file() or p.stat().st_size != sizes.get(name):
            return None
    return {t: out / files[t] for t in TABLE_ORDER}
