"""Customer Review Playbook: the package the stage notebooks call."""
import sys as _sys

# jsonschema imports the optional `rfc3987_syntax` (pulled in through jupyterlab's
# jupyter-events) to check the rarely used "iri" format; building its grammar costs ~4 s of CPU
# in every process that imports nbformat (runner, unit workers, tests). Nothing here validates
# IRIs, so mark it absent: jsonschema treats an ImportError as "format not checked".
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

__version__ = "0.1.0"
