"""Stage 04_feedback's computation: satisfaction (CSAT/NPS), drivers, complaints, review text
and interactions. Pure functions on frames; ``playbook.stage_feedback`` shows them."""
