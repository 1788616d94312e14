"""The parse step fanned out (issue 16, part 2): N scanned reports through a whole refresh
on each executor, the parse's throughput measured from the run's own step events.

The reports are image-only versions of the real PDFs (bench/ocr_bench.py's
`scanned_versions`), the k-th copy of a PDF made distinct by a trailing PDF comment (a
different content hash: each copy is parsed, none is a cache hit; PDFium ignores bytes
after `%%EOF`). The scans carry their creation time, so the hashes, and with them how the
reports fall into shards, differ from run to run (the table says how many shard steps ran). Each case is `govreports refresh --executor … --workers W --shards S` into
an empty warehouse, in a subprocess with its own persistent Dagster instance (SQLite), OCR
on:

- in-process, a pool of 2 inside the one shard step (the default way, for comparison);
- multiprocess executor, 1 and 2 step processes (`--workers`), a shard per step;
- Dask executor, a LocalCluster of 2 single-threaded worker processes started for the run.

The parse span runs from the first parse step's start to the last one's end
(`parsed_reports.plan_parse` … `finish_parse`, from the instance's event log), so the
~55 other steps' cost (large on the multi-process executors: a process or a Dask task, an
instance and event-log writes per step) is reported apart, as the refresh's wall time.

    .venv/bin/python bench/fanout_bench.py [--reports 6] [--dpi 150] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ocr_bench import PDFS, scanned_versions  # noqa: E402

#: Prefix ranges on the multi-process executors: more than the reports, so each shard step
#: holds one or two of them and the workers stay busy to the end.
SHARDS = 16
#: (label, executor, workers, shards). In-process, one shard: its pool spreads the reports
#: (a pool per shard, the shards one after another, would leave a worker idle).
CASES = (
    ("in-process, pool of 2", "in_process", 2, 1),
    ("multiprocess, 1 worker", "multiprocess", 1, SHARDS),
    ("multiprocess, 2 workers", "multiprocess", 2, SHARDS),
    ("Dask LocalCluster, 2 workers", "dask", 2, SHARDS),
)


def scanned_raw_dir(raw: Path, n: int, dpi: int) -> int:
    """`n` distinct scanned reports under `raw`; returns their pages."""
    import pypdfium2 as pdfium

    pdfs = sorted(PDFS.glob("*.pdf"))
    scans = {}
    pages = 0
    raw.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        pdf = pdfs[i % len(pdfs)]
        if pdf not in scans:
            scans[pdf] = scanned_versions(pdf.read_bytes(), dpi)[0]
        data = scans[pdf] + f"\n% govreports fan-out bench copy {i}\n".encode()
        (raw / f"{pdf.stem}.scan{i:02}.pdf").write_bytes(data)
        doc = pdfium.PdfDocument(data)
        pages += len(doc)
        doc.close()
    return pages


def parse_span(home: Path) -> tuple[float, int, int]:
    """(seconds from the first parse step's start to the last one's end, reports parsed,
    shard steps) of the last run in the instance at `home`."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home))
    [run] = instance.get_runs(limit=1)
    starts, ends, parsed, shards = [], [], 0, set()
    for record in instance.get_records_for_run(run.run_id).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if not event or not (event.step_key or "").startswith("parsed_reports."):
            continue
        if event.event_type_value == "STEP_START":
            starts.append(entry.timestamp)
            if "parse_shard[" in event.step_key:
                shards.add(event.step_key)
        elif event.event_type_value == "STEP_SUCCESS":
            ends.append(entry.timestamp)
        elif event.is_step_materialization:
            parsed = event.step_materialization_data.materialization.metadata["parsed"].value
    instance.dispose()
    return max(ends) - min(starts), parsed, len(shards)


def run_case(raw: Path, work: Path, label: str, executor: str, workers: int, shards: int) -> dict:
    slug = label.split(",")[0].split()[0].lower() + str(workers)
    wh, home = work / f"wh-{slug}", work / f"home-{slug}"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    script = Path(sys.executable).parent / "govreports"
    cmd = [str(script), "refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh)]
    cmd += ["--executor", executor, "--workers", str(workers), "--shards", str(shards)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["DAGSTER_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=work)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return {"case": label, "ok": False, "error": proc.stderr.strip()[-500:]}
    seconds, parsed, shard_steps = parse_span(home)
    return {
        "case": label,
        "ok": True,
        "executor": executor,
        "workers": workers,
        "shard_steps": shard_steps,
        "parsed": parsed,
        "parse_seconds": round(seconds, 1),
        "refresh_seconds": round(wall, 1),
    }


def measure_fanout(reports: int = 6, dpi: int = 150, log=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="govreports-fanout-") as tmp:
        work = Path(tmp)
        pages = scanned_raw_dir(work / "raw", reports, dpi)
        cases = []
        for label, executor, workers, shards in CASES:
            if log:
                log(f"fan-out: {label}")
            case = run_case(work / "raw", work, label, executor, workers, shards)
            if case["ok"]:
                case["reports_per_s"] = round(case["parsed"] / case["parse_seconds"], 3)
                case["pages_per_s"] = round(
                    pages * case["parsed"] / reports / case["parse_seconds"], 3
                )
            cases.append(case)
    return {
        "reports": reports,
        "pages": pages,
        "dpi": dpi,
        "shards": SHARDS,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "cases": cases,
    }


def markdown(result: dict) -> str:
    lines = [
        f"{result['reports']} scanned reports ({result['pages']} pages, {result['dpi']} dpi), "
        f"`--shards {result['shards']}` (in-process: 1), {result['cpus']} CPUs, load average "
        f"{result['load_average']} at the end (other work on the host shares the CPUs):",
        "",
        "| case | shard steps | parse s | reports/s | pages/s | refresh s (all steps) |",
        "|---|---|---|---|---|---|",
    ]
    for c in result["cases"]:
        if not c["ok"]:
            lines.append(f"| {c['case']} | FAILED: {c['error'][:200]} | | | | |")
            continue
        lines.append(
            f"| {c['case']} | {c['shard_steps']} | {c['parse_seconds']} | {c['reports_per_s']} "
            f"| {c['pages_per_s']} | {c['refresh_seconds']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=6)
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(f"[fanout {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    result = measure_fanout(args.reports, args.dpi, log)
    print(json.dumps(result, indent=1) if args.json else markdown(result))


if __name__ == "__main__":
    main()
