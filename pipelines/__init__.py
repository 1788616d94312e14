"""govreports pipeline around the `parsers` library: a Dagster-free core (`core/`), the
Dagster definitions built on it (`defs/`, loaded by `definitions.py`) and the run side (the
CLI, the runner, the executors). README.md, "Code layout", lists every module.

Moves data between the parser, Parquet files and the DuckDB warehouse; holds no parsing
and no aggregation (those live in `parsers/` and `sql/`).
"""
