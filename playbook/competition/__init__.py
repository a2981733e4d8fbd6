"""Stage 05_competition's computation: our metrics against each competitor, the market, and the
link between competitors' moves and our customers. Pure functions on frames;
``playbook.stage_competition`` shows them."""
