"""The run file (CONTRACT section 2): pydantic models, overrides and one clear error per problem.

Every error here is an InputError (exit 2) raised before any notebook starts. Messages follow
one form: "The 'period' parameter must be … Got … instead.", or name the unknown key and what is
allowed there.
"""
from __future__ import annotations

import codecs
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .competition.settings import CompetitionSettings
from .errors import InputError, ParameterError, SourceNotFoundError, UnknownKeyError
from .feedback.settings import FeedbackSettings
from .periods import Period, parse_period
from .schema import TABLE_NAMES
from .segment.settings import CnThresholds, SegmentSettings
from .strategy.settings import StrategySettings
from .trends.settings import TrendsSettings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadOptions(_Strict):
    encoding: str = "auto"
    date_format: str = "auto"
    sheet: int | str = 0

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        if v != "auto":
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(
                    f"The 'read.encoding' parameter must be auto or a codec name such as utf-8, "
                    f"utf-8-sig or gb18030. Got {v!r} instead."
                ) from None
        return v


class FileSource(_Strict):
    """A file or folder, with optional read settings of its own."""

    path: str
    sheet: int | str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header: bool = True
    names: list[str] | None = None
    date_format: str | None = None


class DbSource(_Strict):
    """A SQLAlchemy URL or a DuckDB file, with a table or a query."""

    url: str
    table: str | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _table_or_query(self) -> DbSource:
        if (self.table is None) == (self.query is None):
            raise ValueError(
                "A database source must have exactly one of 'table' or 'query'. "
                f"Got table={self.table!r}, query={self.query!r} instead."
            )
        return self


Source = str | FileSource | DbSource


class Sources(_Strict):
    orders: Source
    customers: Source | None = None
    feedback: Source | None = None
    complaints: Source | None = None
    interactions: Source | None = None
    competitors: Source | None = None
    market: Source | None = None


class Columns(_Strict):
    orders: dict[str, str] = {}
    customers: dict[str, str] = {}
    feedback: dict[str, str] = {}
    complaints: dict[str, str] = {}
    interactions: dict[str, str] = {}
    competitors: dict[str, str] = {}
    market: dict[str, str] = {}


class CollectSettings(_Strict):
    """Stage 01. No settings yet beyond the run file's sources and read options."""


class CleanSettingsModel(_Strict):
    max_amount: Annotated[float, Field(gt=0)] = 1_000_000.0
    max_quantity: Annotated[float, Field(gt=0)] = 10_000.0
    drop_exact_duplicates: bool = True
    dedupe_keys: dict[str, list[str]] = {
        "orders": ["order_id", "product_id"],
        "customers": ["customer_id"],
        "complaints": ["ticket_id"],
    }


class RunFile(_Strict):
    name: str | None = None
    period: Any
    history: Annotated[int, Field(ge=0, le=40)] = 8
    unit_column: str | None = None
    units: Literal["all"] | list[str] = "all"
    include_total: bool = True
    language: Literal["zh", "en"] = "zh"
    currency: str = "CNY"
    today: date | None = None  # "today" for the future-date check; default: the real date
    sources: Sources
    columns: Columns = Columns()
    read: ReadOptions = ReadOptions()
    collect: CollectSettings = CollectSettings()
    clean: CleanSettingsModel = CleanSettingsModel()
    segment: SegmentSettings = SegmentSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    competition: CompetitionSettings = CompetitionSettings()
    trends: TrendsSettings = TrendsSettings()
    strategy: StrategySettings = StrategySettings()

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        if isinstance(v, date):  # YAML may give a date for 2026-07-01; not a period
            v = v.isoformat()
        try:
            parse_period(v)
        except ParameterError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("units", mode="before")
    @classmethod
    def _units_as_text(cls, v: Any) -> Any:
        # unit values are data values: `units: [101, 102]` means the stores "101" and "102"
        if isinstance(v, list):
            return [str(u) if isinstance(u, int | float) and not isinstance(u, bool) else u
                    for u in v]
        return v

    @field_validator("units")
    @classmethod
    def _units(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            raise ValueError("The 'units' parameter must be all or a non-empty list. Got [] instead.")
        return v


class RunConfig:
    """A validated run file plus what follows from it (paths resolved, period parsed)."""

    def __init__(self, model: RunFile, path: Path):
        self.model = model
        self.path = path
        self.base_dir = path.parent
        self.period: Period = parse_period(model.period)
        self.name: str = model.name or self.period.label

    def __getattr__(self, item: str) -> Any:  # convenient read access to run-file keys
        return getattr(self.model, item)

    @property
    def window(self):
        return self.period.window(self.model.history)

    @property
    def today(self) -> date:
        return self.model.today or date.today()

    def source_tables(self) -> list[str]:
        return [t for t in TABLE_NAMES if getattr(self.model.sources, t) is not None]

    def source(self, table: str):
        """The SourceSpec of one table, with paths made absolute against the run file."""
        from .sources import SourceSpec

        entry = getattr(self.model.sources, table)
        read = self.model.read
        if isinstance(entry, DbSource):
            url = entry.url
            if not ("://" in url or url.startswith("duckdb:")):
                url = str((self.base_dir / url).resolve())
            return SourceSpec(table=table, url=url, db_table=entry.table, query=entry.query,
                              date_format=read.date_format)
        if isinstance(entry, str):
            entry = FileSource(path=entry)
        return SourceSpec(
            table=table,
            path=(self.base_dir / entry.path).resolve(),
            sheet=entry.sheet if entry.sheet is not None else read.sheet,
            encoding=entry.encoding or read.encoding,
            delimiter=entry.delimiter,
            header=entry.header,
            names=tuple(entry.names) if entry.names else None,
            date_format=entry.date_format or read.date_format,
        )

    def rulebook_path(self) -> Path:
        """The strategy rulebook: ``strategy.rulebook``, else ``strategies.yaml`` next to the
        run file, else the built-in one (``playbook/resources/strategies.yaml``)."""
        given = self.model.strategy.rulebook
        if given:
            return (self.base_dir / given).resolve()
        beside = self.base_dir / "strategies.yaml"
        if beside.is_file():
            return beside.resolve()
        return Path(__file__).resolve().parent / "resources" / "strategies.yaml"

    def mapping(self, table: str) -> dict[str, str]:
        return dict(getattr(self.model.columns, table))

    def to_json(self) -> dict[str, Any]:
        data = self.model.model_dump(mode="json")
        data["_path"] = str(self.path)
        return data

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """A stage's own settings as shown in its report (``segment.k`` …); {} if it has none."""
        model = getattr(self.model, stage, None)
        if not isinstance(model, BaseModel):
            return {}
        return {f"{stage}.{k}": v for k, v in model.model_dump(mode="json").items()
                if v is not None}

    def settings_table(self) -> dict[str, Any]:
        """The run's settings as shown at the top of every report (no secrets)."""
        start, end = self.window
        rows: dict[str, Any] = {
            "name": self.name,
            "period": f"{self.period.label} ({self.period.start.date()} – {self.period.end.date()})",
            "window": f"{start.date()} – {end.date()} ({self.model.history} earlier periods)",
            "unit_column": self.model.unit_column or "—",
            "language": self.model.language,
            "currency": self.model.currency,
        }
        for t in self.source_tables():
            rows[f"sources.{t}"] = self.source(t).describe()
        return rows


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = {} if nxt is None or not isinstance(nxt, str) else {"path": nxt}
            node[p] = nxt
        node = nxt
    node[parts[-1]] = value


def parse_overrides(pairs: list[str] | None) -> list[tuple[str, Any]]:
    out = []
    for pair in pairs or []:
        if "=" not in pair or not pair.split("=", 1)[0].strip():
            raise ParameterError("--set", "key=value (e.g. --set period=2026Q2)", pair)
        key, raw = pair.split("=", 1)
        out.append((key.strip(), yaml.safe_load(raw) if raw.strip() else None))
    return out


def load_run_file(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Read, override and validate a run file. Raise InputError with one clear message."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Run file {str(path)!r} does not exist.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must be a mapping of keys to values. Got {type(data).__name__}.")
    for key, value in parse_overrides(overrides):
        _set_dotted(data, key, value)
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: Path) -> RunConfig:
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    try:
        model = RunFile.model_validate(data)
    except ValidationError as exc:
        raise _friendly(exc, path, data) from None
    return RunConfig(model, path.resolve())


def load_resolved(path: str | Path) -> RunConfig:
    """Load the resolved run configuration the runner writes for the notebooks."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return from_dict(data, Path(data["_path"]))


_MODELS: dict[str, type[BaseModel]] = {
    "": RunFile, "sources": Sources, "columns": Columns, "read": ReadOptions,
    "clean": CleanSettingsModel, "collect": CollectSettings, "segment": SegmentSettings,
    "segment.cn_thresholds": CnThresholds, "feedback": FeedbackSettings,
    "competition": CompetitionSettings, "trends": TrendsSettings, "strategy": StrategySettings,
}


def _pick_error(errors: list[dict], data: dict[str, Any]) -> dict:
    """For a source (a union of path, file and database forms), report the form meant."""
    first = errors[0]
    if len(first["loc"]) >= 2 and first["loc"][0] == "sources":
        given = _dig(data, [str(p) for p in first["loc"][:2]])
        want = "DbSource" if isinstance(given, dict) and "url" in given else (
            "FileSource" if isinstance(given, dict) else "str")
        for err in errors:
            if any(want in str(p) for p in err["loc"]):
                return err
    return first


# what the message says is allowed, where pydantic's own words would say less
ALLOWED_TEXT = {
    "units": "'all' or a list of unit values, e.g. [华东, 华北]",
    "language": "'zh' or 'en'",
}


def _friendly(exc: ValidationError, path: Path, data: dict[str, Any]) -> InputError:
    err = _pick_error(exc.errors(), data)
    loc = [str(p) for p in err["loc"] if not str(p).startswith(("function-", "str", "FileSource",
                                                                   "DbSource", "literal["))]
    key = ".".join(loc)
    where = str(path)
    if err["type"] == "extra_forbidden":
        parent = ".".join(loc[:-1])
        model = _MODELS.get(parent)
        if model is None and len(loc) >= 2 and loc[0] == "sources":
            model = FileSource if isinstance(_dig(data, loc[:-1]), dict) and "path" in _dig(data, loc[:-1]) else DbSource
        allowed = list(model.model_fields) if model else []
        if parent == "sources" and model is Sources:
            allowed = list(TABLE_NAMES)
        return UnknownKeyError(key, allowed, where)
    if err["type"] == "missing":
        if key == "sources.orders":
            return InputError(f"{where}: the 'sources.orders' source is required (only orders is "
                              "required; see CONTRACT section 3). Got none.")
        return InputError(f"{where}: the required key '{key}' is missing.")
    msg = err["msg"]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ParameterError | InputError):
        return InputError(f"{where}: {cause}")
    if msg.startswith("Value error, "):
        return InputError(f"{where}: {msg[len('Value error, '):]}")
    got = err.get("input")
    allowed = ALLOWED_TEXT.get(key) or msg.replace("Input should be ", "").replace("Input should ", "")
    return ParameterError(key, allowed, got, where)


def _dig(data: Any, loc: list[str]) -> Any:
    for p in loc:
        if isinstance(data, dict):
            data = data.get(p)
    return data


def check_rulebook(cfg: RunConfig) -> None:
    """The strategy rulebook must load cleanly before anything runs (InputError: exit 2)."""
    from .strategy.rulebook import load_rulebook

    load_rulebook(cfg.rulebook_path())


def check_sources_exist(cfg: RunConfig) -> None:
    """Every file source must exist before anything runs (databases are checked in validate)."""
    for table in cfg.source_tables():
        spec = cfg.source(table)
        if spec.path is not None and not spec.path.exists():
            raise SourceNotFoundError(table, str(spec.path), "no such file or folder")
