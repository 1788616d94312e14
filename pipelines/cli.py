"""`govreports`: `refresh` runs the Dagster asset graph (in-process, or on the multiprocess
or Dask executor); `parse` prints JSON Lines;
`sql` and `shell` query the published warehouse read-only (`pipelines.core.analyst`).

Dagster is imported only by `refresh`, so the others start fast.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from pipelines.core import snapshots, writer_lock
from pipelines.core.parse_file import DEFAULT_MAX_FILE_MB
from pipelines.core.paths import (
    DEFAULT_RAW_DIR,
    DEFAULT_WAREHOUSE_DIR,
    RAW_DIR_ENV,
    WAREHOUSE_DIR_ENV,
    WarehouseLayout,
    resolve_dir,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="govreports",
        description="Government information-disclosure annual reports → analytical warehouse.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser(
        "refresh", help="ingest new raw files and rebuild the warehouse (the nightly job)"
    )
    refresh.add_argument("--raw-dir", help=f"default: ${RAW_DIR_ENV} or {DEFAULT_RAW_DIR}")
    refresh.add_argument(
        "--warehouse-dir", help=f"default: ${WAREHOUSE_DIR_ENV} or {DEFAULT_WAREHOUSE_DIR}"
    )
    refresh.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes parsing at once on this machine (default: one per CPU): in-process, "
        "the pool inside each shard step; multiprocess, step processes; dask, the workers "
        "of the LocalCluster started for the run",
    )
    refresh.add_argument(
        "--executor",
        choices=("in_process", "multiprocess", "dask"),
        default="in_process",
        help="where the steps run (default: in_process, every step in this process); "
        "multiprocess and dask spread the parse shards over processes (docs/SCALING.md)",
    )
    refresh.add_argument(
        "--shards",
        type=int,
        default=0,
        help="content-hash ranges the parse is split into, one step each (default: 1 "
        "in-process, two per worker otherwise)",
    )
    refresh.add_argument(
        "--dask-address",
        help="a running Dask scheduler (tcp://host:8786) for --executor dask; without it, a "
        "LocalCluster of --workers workers is started for the run and stopped after",
    )
    refresh.add_argument(
        "--max-file-mb",
        type=int,
        default=DEFAULT_MAX_FILE_MB,
        help=f"larger files are recorded as rejected, not parsed (default: {DEFAULT_MAX_FILE_MB})",
    )
    refresh.add_argument(
        "--force",
        action="store_true",
        help="run the job even when the published warehouse is current (by default a refresh "
        "that finds nothing new, built by this code, launches no run)",
    )
    parse = commands.add_parser(
        "parse",
        help="parse files and print one JSON object per line (exit status 1 if any is rejected)",
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument(
        "--summary",
        action="store_true",
        help="one line per file for people: status, agency, year, layout, figures read, reason",
    )
    parse.add_argument(
        "--allow-rejected", action="store_true", help="exit status 0 even if a file is rejected"
    )
    sql = commands.add_parser(
        "sql", help="run SQL on the published warehouse, read-only, and print the result"
    )
    sql.add_argument("query", help='e.g. "SELECT * FROM mart_national_year"')
    sql.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="default: table"
    )
    shell = commands.add_parser(
        "shell", help="an interactive SQL session on the published warehouse, read-only"
    )
    for command in (sql, shell):
        command.add_argument(
            "--warehouse-dir", help=f"default: ${WAREHOUSE_DIR_ENV} or {DEFAULT_WAREHOUSE_DIR}"
        )
    args = parser.parse_args(argv)
    try:
        if args.command in ("sql", "shell"):
            from pipelines.core import analyst

            layout = WarehouseLayout(
                resolve_dir(args.warehouse_dir, WAREHOUSE_DIR_ENV, DEFAULT_WAREHOUSE_DIR)
            )
            if args.command == "sql":
                return analyst.run_sql(layout, args.query, args.format)
            return analyst.run_shell(layout)
        if args.command == "parse":
            return parse_files(args.files, args.summary, args.allow_rejected)
        if args.dask_address and args.executor != "dask":
            parser.error("--dask-address goes with --executor dask")
        if args.shards < 0 or args.workers < 0:
            parser.error("--shards and --workers are counts (0: the default)")
        return refresh_warehouse(
            args.raw_dir,
            args.warehouse_dir,
            args.workers,
            args.max_file_mb,
            args.executor,
            args.shards,
            args.dask_address,
            args.force,
        )
    except BrokenPipeError:  # `govreports parse … | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("govreports: interrupted", file=sys.stderr)
        return 130


def parse_files(files: list[str], summary: bool = False, allow_rejected: bool = False) -> int:
    """Print each file's record (or a line of it, `summary`); 1 when a file is rejected."""
    from pipelines.core.parse_file import read_and_parse

    rejected = 0
    for name in files:  # named on the command line: a link is followed
        _sha, report = read_and_parse(name, name, follow_links=True)
        rejected += report.status == "rejected"
        if summary:
            print(summary_line(report), flush=True)
        else:
            print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
    if summary and len(files) > 1:
        print(f"{len(files)} files, {rejected} rejected", file=sys.stderr)
    return 1 if rejected and not allow_rejected else 0


def summary_line(report) -> str:
    """status, agency, year, input kind/layout, figures read (of tables 2, 3, 4), file, reason:
    one line."""
    figures = "/".join(
        str(sum(f.value is not None for f in facts))
        for facts in (report.active_disclosure, report.applications, report.review_litigation)
    )
    reason = " ".join((report.status_reason or "").split())
    fields = [
        f"{report.status:<8}",
        report.agency or "(agency?)",
        str(report.year or "(year?)"),
        f"{report.input_kind}/{report.layout}",
        f"figures {figures}",
        report.source_path or "",
    ]
    return "  ".join(fields) + (f"  — {reason}" if reason else "")


def refresh_warehouse(
    raw_arg: str | None,
    warehouse_arg: str | None,
    workers: int,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    executor: str = "in_process",
    shards: int = 0,
    dask_address: str | None = None,
    force: bool = False,
) -> int:
    raw_dir = resolve_dir(raw_arg, RAW_DIR_ENV, DEFAULT_RAW_DIR)
    layout = WarehouseLayout(resolve_dir(warehouse_arg, WAREHOUSE_DIR_ENV, DEFAULT_WAREHOUSE_DIR))
    from pipelines.core.warehouse_guard import check_dirs

    problem = (
        check_dirs(raw_dir, layout.root)  # first: check_warehouse creates the warehouse dir
        or check_raw_dir(raw_dir)
        or check_warehouse(layout)
    )
    if problem:
        print(f"govreports: {problem}", file=sys.stderr)
        return 1
    try:  # before Dagster loads: a second refresh exits at once
        lock = writer_lock.acquire(layout.lock)
    except (writer_lock.WarehouseBusy, writer_lock.WarehouseLayoutError) as exc:
        print(f"govreports: {exc}", file=sys.stderr)
        return 1
    from pipelines.core.analyst import read_summary
    from pipelines.core.up_to_date import published_is_current

    with lock:
        if lock.stale_holder:
            print(
                f"govreports: the previous refresh did not finish ({lock.stale_holder}); "
                "the published warehouse is intact and its partial work is discarded",
                file=sys.stderr,
            )
        print(f"govreports refresh: {raw_dir} → {layout.root}", file=sys.stderr)

        if not force and not lock.stale_holder:
            current = published_is_current(raw_dir, layout)
            if current is not None:
                # what a run would remove at its start: snapshots of failed or killed runs
                snapshots.remove_other_snapshots(layout, {current.snapshot})
                print(
                    f"govreports: nothing new since snapshot {current.snapshot.name}: the "
                    "published warehouse is current, no run launched (--force runs the job)",
                    file=sys.stderr,
                )
                status, flags, kinds = read_summary(layout.duckdb)
                print(summary(metadata_of(current), status, flags, layout, kinds))
                return 0

        from pipelines.runner import PUBLISHED, run_refresh  # Dagster loads here

        outcome = run_refresh(
            raw_dir,
            layout.root,
            workers,
            max_file_mb=max_file_mb,
            executor=executor,
            shards=shards,
            dask_address=dask_address,
        )
        if not outcome.success:
            for step, message in outcome.failures or [("run", "failed")]:
                where = "" if step in ("start", "run") else f"step {step} failed: "
                print(f"govreports: {where}{explain(message, layout)}", file=sys.stderr)
            published = PUBLISHED in outcome.metadata
            print(
                f"govreports: run {outcome.run_id} (details: `make dev`, Runs tab); "
                + (
                    "its warehouse was published before the failure"
                    if published
                    else "the published warehouse is unchanged"
                ),
                file=sys.stderr,
            )
            return 1
    status, flags, kinds = read_summary(layout.duckdb)
    print(summary(outcome.metadata, status, flags, layout, kinds))
    return 0


def metadata_of(current) -> dict:
    """What the summary shows of a refresh that launched no run: the published snapshot."""
    from parsers import PARSER_VERSION

    return {
        "raw_manifest": {
            "files_present": current.files_present,
            "files_unreadable": current.files_unreadable,
        },
        "parsed_reports": {"parsed": 0, "parser_version": PARSER_VERSION},
        **{name: {"rows": rows} for name, rows in current.mart_rows.items()},
    }


def check_raw_dir(raw_dir: Path) -> str | None:
    if not raw_dir.is_dir():
        return f"raw dir {raw_dir} does not exist: put report files there, or pass --raw-dir"
    from pipelines.core.raw_dir import has_entries

    try:
        if not has_entries(raw_dir):
            return f"raw dir {raw_dir} holds no files: nothing to ingest"
    except OSError as exc:
        return f"cannot list the raw dir {raw_dir}: {exc.strerror or exc}"
    return None


def check_warehouse(layout: WarehouseLayout) -> str | None:
    """The warehouse dir must hold only what refreshes made (`warehouse_guard.check_layout`)
    and be writable. A reader holding `warehouse.duckdb` open is no obstacle: a refresh
    never writes to the published files."""
    from pipelines.core import warehouse_guard

    try:
        warehouse_guard.check_layout(layout)
    except warehouse_guard.WarehouseLayoutError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read the warehouse dir {layout.root}: {exc.strerror or exc}"
    try:
        layout.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=layout.root, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"cannot write to the warehouse dir {layout.root}: {exc.strerror or exc}"
    return None


def explain(message: str, layout: WarehouseLayout) -> str:
    """A DuckDB lock conflict in plain words; any other message as it is."""
    if "lock" not in message.lower() or "warehouse.duckdb" not in message:
        return message
    holder = re.search(r"held in (\S+) \(PID (\d+)\)", message)
    who = f" (PID {holder.group(2)}, {holder.group(1)})" if holder else ""
    return (
        f"the warehouse database {layout.duckdb} is open in another process{who}: DuckDB "
        "allows one writer. Close that session (duckdb shell, notebook, dagster dev run) and retry."
    )


def _kind_counts(row: tuple) -> str:
    """`pdf 3 (parsed 2, rejected 1)`: one reader's files and what became of them."""
    kind, n_files, *by_status = row
    outcomes = ", ".join(
        f"{name} {n}"
        for name, n in zip(("parsed", "partial", "rejected"), by_status, strict=True)
        if n
    )
    return f"{kind} {n_files} ({outcomes})" if outcomes else f"{kind} {n_files}"


def summary(
    metadata: dict,
    status: list[tuple],
    flags: list[tuple],
    layout: WarehouseLayout,
    kinds: list[tuple] | None = None,
) -> str:
    manifest = metadata.get("raw_manifest", {})
    parsed = metadata.get("parsed_reports", {})
    lines = [
        "",
        "files     {} seen · {} new · {} changed · {} removed · {} not read".format(
            manifest.get("files_present", 0),
            manifest.get("files_new", 0),
            manifest.get("files_changed", 0),
            manifest.get("files_removed", 0),
            manifest.get("files_unreadable", 0),
        ),
        "parsing   {} parsed now{} with parser {} (unchanged bytes are not parsed again)".format(
            parsed.get("parsed", 0),
            f" in {parsed['shards']} shards" if parsed.get("shards", 0) > 1 else "",
            parsed.get("parser_version", "?"),
        ),
        *(
            f"repaired  {note}"
            for source in (manifest, parsed)
            for note in str(source.get("damaged_rebuilt") or "").splitlines()
        ),
        "status    " + (" · ".join(f"{s} {n_files}" for s, n_files, _ in status) or "no files"),
        *(["inputs    " + " · ".join(_kind_counts(row) for row in kinds)] if kinds else []),
    ]
    if flags:
        lines.append("flags     check                    severity   flags  reports")
        lines += [
            f"          {check:<24} {severity:<9} {n:>6} {r:>8}" for check, severity, n, r in flags
        ]
    else:
        lines.append("flags     none")
    marts = [k for k in metadata if k.startswith("mart_")]
    lines.append(f"warehouse {layout.duckdb}")
    lines.append(
        "marts     "
        + ", ".join(f"{k} ({metadata[k].get('rows', '?')} rows)" for k in sorted(marts))
        + f" in {layout.marts}"
    )
    return "\n".join(lines)
