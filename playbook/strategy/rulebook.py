"""The rulebook (``params/strategies.yaml``): which action fits which customers, what it costs,
what it is expected to save, and how far each KPI should move next period.

Schema (every mapping refuses unknown keys; see the commented default file)::

    top_actions: 5                    # how many ranked actions the plan recommends
    kpi_targets:                      # per KPI id (``KPIS``): exactly one of
      revenue: {change: 0.03}         #   change: relative, target = baseline x (1 +/- change)
      nps: {points: 2}                #   points: absolute, target = baseline +/- points
    actions:
      - id: winback_cant_lose         # slug [a-z0-9_]+, unique
        name: {zh: ..., en: ...}
        when: {segment: [cant_lose]}  # exactly one of segment | lifecycle | price_tier |
                                      # cn_class (lists of codes) | flag (an id or fnmatch
                                      # pattern, or a list of them: any raised flag matches)
        channel: {zh: ..., en: ...}
        expected_effect: {zh: ..., en: ...}
        kpi: retention_rate           # a KPI id
        save_rate: 0.15               # 0..1, share of the value at stake the action saves
        cost_per_customer: 20         # >= 0, in the run's currency
        fixed_cost: 0                 # >= 0
        max_customers: 500            # optional cap: the highest expected loss first
        holdout: 0.1                  # optional 0..0.5: share kept aside as a control group

``when.customers`` (optional with any trigger, default ``all``) narrows the targets further:
``{segment: [...], lifecycle: [...], price_tier: [...], cn_class: [...], age_below: 30}``; the
listed conditions must all hold (AND). A flag trigger targets the whole customers table unless
``customers`` narrows it.

Direction: ``change`` and ``points`` are improvements, applied in the KPI's good direction (up for
revenue, down for complaints_per_1000); a negative value plans a decline. For share KPIs
(retention_rate, repeat_rate) ``points`` are percentage points (2 -> +0.02). A KPI without a rule
is planned to hold its level (target = baseline).

Every problem raises one ``InputError`` naming the file and the key path, e.g.
``actions[2].when.segment`` (list positions count from 0).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, ParameterError, UnknownKeyError
from ..segment.lifecycle import STAGES
from ..segment.rfm import CN_CLASSES, SEGMENTS
from ..segment.shifts import PRICE_TIERS

#: the KPI definition table: name, unit, good direction, where the number comes from, bounds
KPIS: dict[str, dict[str, Any]] = {
    "revenue": {"zh": "营收", "en": "Revenue", "unit": "money", "direction": "up",
                "source": "trends.revenue", "low": 0.0, "high": None},
    "active_customers": {"zh": "活跃客户数", "en": "Active customers", "unit": "count",
                         "direction": "up", "source": "trends.active", "low": 0.0, "high": None},
    "retention_rate": {"zh": "留存率", "en": "Retention rate", "unit": "share", "direction": "up",
                       "source": "trends.retention_rate", "low": 0.0, "high": 1.0},
    "repeat_rate": {"zh": "复购率", "en": "Repeat rate", "unit": "share", "direction": "up",
                    "source": "trends.repeat_rate", "low": 0.0, "high": 1.0},
    "nps": {"zh": "净推荐值 NPS", "en": "NPS", "unit": "score", "direction": "up",
            "source": "feedback.nps", "low": -100.0, "high": 100.0},
    "csat_mean": {"zh": "CSAT 均分", "en": "Mean CSAT", "unit": "score", "direction": "up",
                  "source": "feedback.csat_mean", "low": 1.0, "high": 5.0},
    "complaints_per_1000": {"zh": "每千客户投诉数", "en": "Complaints per 1,000 customers",
                            "unit": "per_1000", "direction": "down",
                            "source": "feedback.complaints_per_1000", "low": 0.0, "high": None},
}
TRIGGER_KINDS = ("segment", "lifecycle", "price_tier", "cn_class", "flag")
CODES: dict[str, tuple[str, ...]] = {"segment": SEGMENTS, "lifecycle": STAGES,
                                     "price_tier": PRICE_TIERS, "cn_class": CN_CLASSES}
#: the built-in rulebook (shipped in the package), else the repository's params/strategies.yaml
BUILTIN_PATH = Path(__file__).resolve().parents[1] / "resources" / "strategies.yaml"
DEFAULT_PATH = (BUILTIN_PATH if BUILTIN_PATH.is_file()
                else Path(__file__).resolve().parents[2] / "params" / "strategies.yaml")


class _RuleError(ValueError):
    """A value outside what is allowed; ``key`` (if given) replaces pydantic's location."""

    def __init__(self, allowed: str, got: Any, key: str | None = None):
        self.allowed, self.got, self.key = allowed, got, key
        super().__init__(f"must be {allowed}; got {got!r}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def _codes(kind: str, values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    if not values:
        raise _RuleError("a non-empty list of " + ", ".join(CODES[kind]), values)
    for v in values:
        if v not in CODES[kind]:
            raise _RuleError("a list of " + ", ".join(CODES[kind]), v)
    return values


class CustomerFilter(_Strict):
    """Conditions that must all hold; none given means every customer (``all``)."""

    segment: list[str] | None = None
    lifecycle: list[str] | None = None
    price_tier: list[str] | None = None
    cn_class: list[str] | None = None
    age_below: Annotated[int, Field(ge=1, le=150)] | None = None

    @field_validator("segment", "lifecycle", "price_tier", "cn_class")
    @classmethod
    def _known(cls, v: list[str] | None, info) -> list[str] | None:
        return _codes(info.field_name, v)

    @property
    def is_all(self) -> bool:
        return all(v is None for v in self.model_dump().values())

    def describe(self) -> str:
        """e.g. ``price_tier=price_sensitive; age_below=30`` ('' for all customers)."""
        parts = [f"{k}={v if not isinstance(v, list) else ','.join(v)}"
                 for k, v in self.model_dump().items() if v is not None]
        return "; ".join(parts)


class When(_Strict):
    segment: list[str] | None = None
    lifecycle: list[str] | None = None
    price_tier: list[str] | None = None
    cn_class: list[str] | None = None
    flag: list[Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9_*?\[\]!-]+$")]] | None = None
    customers: CustomerFilter = CustomerFilter()

    @field_validator("segment", "lifecycle", "price_tier", "cn_class")
    @classmethod
    def _known(cls, v: list[str] | None, info) -> list[str] | None:
        return _codes(info.field_name, v)

    @field_validator("flag", mode="before")
    @classmethod
    def _flag_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("flag")
    @classmethod
    def _some(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise _RuleError("a flag id, a pattern such as aspect_drop_*, or a list of them", v)
        return v

    @field_validator("customers", mode="before")
    @classmethod
    def _all(cls, v: Any) -> Any:
        if v is None or v == "all":
            return {}
        if not isinstance(v, dict):
            raise _RuleError("'all' or a mapping with " + ", ".join(CustomerFilter.model_fields), v)
        return v

    @model_validator(mode="after")
    def _one_kind(self) -> When:
        given = [k for k in TRIGGER_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise _RuleError("exactly one of " + ", ".join(TRIGGER_KINDS),
                             given or "none")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in TRIGGER_KINDS if getattr(self, k) is not None)

    def describe(self) -> str:
        """The trigger as text, e.g. ``segment=cant_lose`` or ``flag=aspect_drop_*``."""
        text = f"{self.kind}={','.join(getattr(self, self.kind))}"
        narrow = self.customers.describe()
        return f"{text}; {narrow}" if narrow else text


class ActionRule(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Text
    when: When
    channel: Text
    expected_effect: Text
    kpi: str
    save_rate: Annotated[float, Field(ge=0, le=1)]
    cost_per_customer: Annotated[float, Field(ge=0)] = 0.0
    fixed_cost: Annotated[float, Field(ge=0)] = 0.0
    max_customers: Annotated[int, Field(ge=1)] | None = None
    holdout: Annotated[float, Field(ge=0, le=0.5)] = 0.0

    @field_validator("kpi")
    @classmethod
    def _kpi(cls, v: str) -> str:
        if v not in KPIS:
            raise _RuleError("one of " + ", ".join(KPIS), v)
        return v


class KpiRule(_Strict):
    change: float | None = None
    points: float | None = None

    @model_validator(mode="after")
    def _one(self) -> KpiRule:
        if (self.change is None) == (self.points is None):
            raise _RuleError("exactly one of change (relative) or points (absolute)",
                             self.model_dump(exclude_none=True))
        return self


class Rulebook(_Strict):
    top_actions: Annotated[int, Field(ge=1)] = 5
    kpi_targets: dict[str, KpiRule] = {}
    actions: list[ActionRule] = []

    @field_validator("kpi_targets")
    @classmethod
    def _kpis(cls, v: dict[str, KpiRule]) -> dict[str, KpiRule]:
        for k in v:
            if k not in KPIS:
                raise _RuleError("a mapping whose keys are " + ", ".join(KPIS), k)
        return v

    @model_validator(mode="after")
    def _unique(self) -> Rulebook:
        seen: set[str] = set()
        for i, a in enumerate(self.actions):
            if a.id in seen:
                raise _RuleError("unique (another action already has this id)", a.id,
                                 key=f"actions[{i}].id")
            seen.add(a.id)
        return self

    def action(self, action_id: str) -> ActionRule:
        return next(a for a in self.actions if a.id == action_id)


_MODELS: dict[str, type[BaseModel]] = {
    "": Rulebook, "actions": ActionRule, "name": Text, "channel": Text, "expected_effect": Text,
    "when": When, "customers": CustomerFilter, **{k: KpiRule for k in KPIS}}


PATTERN_TEXT = {
    "id": "a slug of lowercase letters, digits and _ (e.g. winback_cant_lose)",
    "flag": "a flag id or fnmatch pattern of lowercase letters, digits, _ and * ? [ ] "
            "(e.g. aspect_drop_*)",
}


def _path(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _friendly(exc: ValidationError, path: Path, data: dict) -> InputError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    where = str(path)
    if len(loc) >= 2 and loc[0] == "actions" and isinstance(loc[1], int):
        actions = data.get("actions")
        item = actions[loc[1]] if isinstance(actions, list) and loc[1] < len(actions) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where += f" (action {item['id']!r})"
    key = _path(loc)
    if err["type"] == "extra_forbidden":
        named = [p for p in loc[:-1] if isinstance(p, str)]
        model = _MODELS[named[-1] if named else ""]
        return UnknownKeyError(key, list(model.model_fields), where)
    if err["type"] == "missing":
        return InputError(f"{where}: the required key '{key}' is missing.")
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _RuleError):
        return ParameterError(cause.key or key, cause.allowed, cause.got, where)
    named = [p for p in loc if isinstance(p, str)]
    if err["type"] == "string_pattern_mismatch" and named and named[-1] in PATTERN_TEXT:
        return ParameterError(key, PATTERN_TEXT[named[-1]], err.get("input"), where)
    allowed = err["msg"].replace("Input should be ", "").replace("Input should ", "")
    if allowed.startswith("Value error, "):
        allowed = allowed[len("Value error, "):]
    return ParameterError(key, allowed, err.get("input"), where)


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Read and validate a rulebook (default: ``params/strategies.yaml``); InputError if bad."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.is_file():
        raise InputError(f"Strategy rulebook {str(path)!r} does not exist. Copy "
                         "params/strategies.yaml from the playbook and edit it.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: must be a mapping with top_actions, kpi_targets and actions. "
                         f"Got {type(data).__name__}.")
    try:
        return Rulebook.model_validate(data)
    except ValidationError as exc:
        raise _friendly(exc, path, data) from None
