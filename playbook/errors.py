"""One exception class per failure mode; each builds its own message.

Exit codes follow CONTRACT section 1: 2 for a bad run file or unusable input (nothing ran),
1 when a stage failed in some unit.
"""
from __future__ import annotations

from typing import Any


class PlaybookError(Exception):
    """Base class of every error the playbook raises on purpose."""

    exit_code = 1


class InputError(PlaybookError):
    """Bad run file or unusable input: caught before any notebook starts (exit 2)."""

    exit_code = 2


class ParameterError(InputError):
    """A run-file key has a value outside what is allowed."""

    def __init__(self, name: str, allowed: str, got: Any, where: str | None = None):
        self.name, self.allowed, self.got, self.where = name, allowed, got, where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}The '{name}' parameter must be {allowed}. Got {got!r} instead.")


class UnknownKeyError(InputError):
    """The run file has a key the playbook does not know."""

    def __init__(self, key: str, allowed: list[str] | tuple[str, ...], where: str | None = None):
        self.key, self.allowed, self.where = key, list(allowed), where
        prefix = f"{where}: " if where else ""
        super().__init__(
            f"{prefix}Unknown key '{key}'. Allowed keys here: {', '.join(sorted(self.allowed))}."
        )


class SourceNotFoundError(InputError):
    """A source file, folder or database cannot be reached."""

    def __init__(self, table: str, location: str, detail: str = ""):
        self.table, self.location = table, location
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"sources.{table}: cannot reach {location!r}{extra}. "
            "Expected an existing file (csv, tsv, txt, xlsx, parquet, json), a folder of such "
            "files, or {url: ..., table: ... | query: ...}."
        )


class SourceReadError(InputError):
    """A source was reached but could not be read or parsed."""

    def __init__(self, table: str, location: str, detail: str):
        self.table, self.location = table, location
        super().__init__(f"sources.{table}: cannot read {location!r}: {detail}")


class MissingColumnError(InputError):
    """A required column is absent from a source (after the column mapping)."""

    def __init__(self, table: str, location: str, column: str, present: list[str], hint: str = ""):
        self.table, self.location, self.column = table, location, column
        shown = ", ".join(map(str, present[:30])) + (" …" if len(present) > 30 else "")
        more = f" {hint}" if hint else ""
        super().__init__(
            f"{location}: table '{table}' needs column '{column}', which is missing. "
            f"Columns present: {shown}.{more} Map it under columns.{table}.{column} in the run file."
        )


class BadValueError(InputError):
    """A sample of rows does not parse: names file, column, value and what was expected."""

    def __init__(self, location: str, column: str, value: Any, expected: str):
        self.location, self.column, self.value, self.expected = location, column, value, expected
        super().__init__(
            f"{location}: column '{column}' has value {value!r}; expected {expected}."
        )


class StageError(PlaybookError):
    """A stage notebook failed in one unit (the other units go on)."""

    def __init__(self, unit: str, stage: str, detail: str):
        self.unit, self.stage, self.detail = unit, stage, detail
        super().__init__(f"unit {unit!r}, stage {stage}: {detail}")


class UpstreamMissingError(InputError):
    """A stage was asked for, but the outputs of the stage it reads are absent (exit 2)."""

    def __init__(self, unit: str, stage: str, missing: str):
        super().__init__(
            f"unit {unit!r}: stage {stage} needs {missing}, which an earlier stage writes. "
            "Run the earlier stages first (drop --stages, or add them to it)."
        )
