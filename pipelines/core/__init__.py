"""The pipeline's Dagster-free core: the raw dir and its manifest, the parse step and its
cache, the tidy tables, dbt run in-process, snapshots, seals, the writer lock and publishing.

Plain functions and dataclasses over files and DuckDB: nothing here imports Dagster
(`tests/test_code_layout.py` checks it), so the CLI, `bench/` and the tests use them
without loading Dagster, and `pipelines/defs/` wires them into assets.
"""
