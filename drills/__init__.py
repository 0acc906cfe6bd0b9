"""Fault and load drills: the whole bot, as real processes, against local fake platforms (issue 9).

    python -m drills [--only crash,two,platform,database,hostile,load] [--quick]

Results: a block per drill on stdout, and docs/reliability.md (regenerated from docs/reliability-results.json,
which keeps the latest result of every drill, so `--only` updates one section).
"""
