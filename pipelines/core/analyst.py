"""`govreports sql` and `govreports shell`: the published warehouse, read-only.

Both open the snapshot `warehouse.duckdb` points to at that moment (resolved once, so a
refresh publishing meanwhile does not change what a session reads) with
`read_only=True`: a statement that would write (CREATE, INSERT, …) fails with a one-line
message, never lands in the published warehouse. A published `warehouse.duckdb` is also
read-only on disk (`snapshots.publish`), so a read-write `duckdb.connect` by anyone but
root fails too, and a refresh drops whatever no `sql/` model made
(`unmanaged.drop_unmanaged`). No Dagster here: both start fast.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TextIO

import duckdb

from pipelines.core.paths import WarehouseLayout

READ_ONLY_HINT = (
    "the published warehouse is read-only; for scratch tables open a database of your own "
    "(duckdb scratch.duckdb) and ATTACH the warehouse READ_ONLY"
)


class NoWarehouse(Exception):
    pass


def published_database(layout: WarehouseLayout) -> Path:
    """The published snapshot's database file (its link resolved once)."""
    link = layout.duckdb
    target = link.resolve() if link.is_symlink() else link
    if not target.is_file():
        raise NoWarehouse(
            f"no warehouse in {layout.root} yet: run `govreports refresh` first "
            "(or pass --warehouse-dir)"
        )
    return target


def connect(layout: WarehouseLayout) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(published_database(layout)), read_only=True)


def explain(exc: duckdb.Error) -> str:
    """A DuckDB error on one line; a refused write says why and what to do instead."""
    message = " ".join(str(exc).split())
    if "read-only" in message or "read only" in message:
        return f"{message} — {READ_ONLY_HINT}"
    return message


def print_result(cursor: duckdb.DuckDBPyConnection, fmt: str, out: TextIO) -> int:
    """Print the rows of the statement just executed; returns how many."""
    if cursor.description is None:  # a statement without a result (SET, PRAGMA …)
        return 0
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            print(
                json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str),
                file=out,
            )
    else:
        print(render_table(names, rows), file=out)
    return len(rows)


def render_table(names: list[str], rows: list[tuple]) -> str:
    """An aligned text table with a row count (no row limit: use LIMIT)."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([_width(n)] + [_width(r[i]) for r in cells]) for i, n in enumerate(names)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    out = [line(names), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out)


def _text(value: object) -> str:
    return "NULL" if value is None else " ".join(str(value).split())


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def run_sql(layout: WarehouseLayout, query: str, fmt: str = "table") -> int:
    """`govreports sql`: one statement (or several, `;`-separated: the last one's rows)."""
    try:
        con = connect(layout)
    except NoWarehouse as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 1
    try:
        con.execute(query)
        print_result(con, fmt, sys.stdout)
    except duckdb.Error as exc:
        print(f"govreports: {explain(exc)}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _run_statement(con: duckdb.DuckDBPyConnection, statement: str) -> int:
    """One statement of the shell: its rows printed, or its error; 1 when it failed."""
    try:
        con.execute(statement)
        print_result(con, "table", sys.stdout)
    except duckdb.Error as exc:
        print(f"Error: {explain(exc)}", file=sys.stderr)
        return 1
    return 0


def run_shell(layout: WarehouseLayout, stdin: TextIO | None = None) -> int:
    """`govreports shell`: a small SQL prompt on a read-only connection (statements end
    with `;`, `.tables` lists the tables, `.quit` or end of input ends). No other program
    is started (pipelines/ launches no process); the duckdb command-line client, where
    installed, can be opened by hand: `duckdb -readonly data/warehouse/warehouse.duckdb`."""
    stdin = stdin or sys.stdin
    try:
        database = published_database(layout)
    except NoWarehouse as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 1
    con = duckdb.connect(str(database), read_only=True)
    interactive = stdin.isatty()
    if interactive:
        print(f"govreports shell: {database} (read-only). End statements with ;  .quit to leave")
    status, pending = 0, []
    try:
        while True:
            if interactive:
                print("govreports> " if not pending else "       ...> ", end="", flush=True)
            line = stdin.readline()
            if not line:
                break
            stripped = line.strip()
            if not pending and stripped in (".quit", ".exit"):
                break
            if not pending and stripped == ".tables":
                stripped = (
                    "SELECT table_name AS name, lower(table_type) AS kind "
                    "FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1;"
                )
            if not stripped and not pending:
                continue
            pending.append(stripped)
            if not stripped.endswith(";"):
                continue
            statement, pending = "\n".join(pending), []
            status = _run_statement(con, statement) or status
        if pending:  # input ended inside a statement: run what was typed
            status = _run_statement(con, "\n".join(pending)) or status
    finally:
        con.close()
    return 0 if interactive else status


def read_summary(warehouse_db: Path) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(reports_by_status, flags_by_check, reports_by_input_kind rows) from the warehouse: what
    `govreports refresh` prints."""
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        status = con.execute("SELECT status, n_files, n_reports FROM reports_by_status").fetchall()
        flags = con.execute(
            "SELECT check_name, severity, n_flags, n_reports FROM flags_by_check"
        ).fetchall()
        kinds = con.execute(
            "SELECT input_kind, n_files, n_parsed, n_partial, n_rejected FROM reports_by_input_kind"
        ).fetchall()
        return status, flags, kinds
    finally:
        con.close()
