"""Plot helpers of stage 03 onwards: each takes a frame computed elsewhere, draws on ``ax`` and
returns it (the seaborn convention). Computation never happens here."""
