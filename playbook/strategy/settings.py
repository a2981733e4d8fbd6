"""The run file's ``strategy:`` section: the rulebook and where last period's plan is."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrategySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rulebook: str | None = None
    """The strategy rulebook (YAML), relative to the run file. Default: ``strategies.yaml``
    next to the run file when there is one, else the playbook's built-in rulebook (the same
    as ``params/strategies.yaml``)."""
    previous_run: str = "auto"
    """Where last period's plan is: ``auto`` (a run folder next to this run's whose period is
    the previous one), a run folder (relative to the run file), or ``none``."""
