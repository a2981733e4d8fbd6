"""Stage 03's computation: RFM, ABC grades, clusters, lifecycle, cohorts, CLV and churn risk.

Every module here is pure: DataFrames in, DataFrames out, inputs never modified, no plotting
(drawing is in ``playbook.plots``) and no file I/O (that is ``playbook.stage_segment``).
"""
