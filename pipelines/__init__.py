"""govreports pipeline: Dagster wiring around the `parsers` library.

Moves data between the parser, Parquet files and the DuckDB warehouse; holds no parsing
and no aggregation (those live in `parsers/` and `sql/`).
"""
