"""Stage 07 strategy: the rulebook (``rulebook``), the action plan (``plan``) and closing the
loop on last period's plan (``loop``). Import the modules; nothing is imported here, so reading
the run file (``strategy.settings``) stays light."""
